"""A textbook example with published answers: Mrode (2005), Linear Models for the Prediction
of Animal Breeding Values, 2nd ed., Example 3.1 (animal model, pre-weaning gain of beef
calves, σ²_a = 20, σ²_e = 40 known, α = 2).

Published solutions (Mrode, Section 3.2.1, three decimals): sex effects male 4.358, female
3.404; breeding values of animals 1-8: 0.098, -0.019, -0.041, -0.009, -0.186, 0.177,
-0.249, 0.183. The same numbers are also derived here from the MME built by hand in numpy
(Henderson's equations with the tabular A), and the PEVs from that C⁻¹.
"""

import numpy as np
import pandas as pd
import pytest

import asr_py as asr

PED = pd.DataFrame({"calf": [1, 2, 3, 4, 5, 6, 7, 8], "sire": [0, 0, 0, 1, 3, 1, 4, 3],
                    "dam": [0, 0, 0, 0, 2, 2, 5, 6]})
DATA = pd.DataFrame({"calf": ["4", "5", "6", "7", "8"],
                     "sex": ["male", "female", "female", "male", "male"],
                     "WWG": [4.5, 2.9, 3.9, 3.5, 5.0]})
SEX = {"male": 4.358, "female": 3.404}
EBV = [0.098, -0.019, -0.041, -0.009, -0.186, 0.177, -0.249, 0.183]


def _tabular_a(ped: pd.DataFrame) -> np.ndarray:
    """A by the tabular method (parents precede offspring, 0 = unknown)."""
    n = len(ped)
    A = np.zeros((n, n))
    for i, (s, d) in enumerate(zip(ped["sire"], ped["dam"])):
        s, d = s - 1, d - 1
        for j in range(i):
            A[i, j] = A[j, i] = 0.5 * ((A[j, s] if s >= 0 else 0) + (A[j, d] if d >= 0 else 0))
        A[i, i] = 1 + (0.5 * A[s, d] if s >= 0 and d >= 0 else 0)
    return A


def _fit():
    ainv = asr.ainverse(PED)
    kw = dict(fixed="WWG ~ sex - 1", random="~ vm(calf, Ainv)", data=DATA, Ainv=ainv)
    sv = asr.asreml(**kw, start_values=True)
    sv["Value"] = [20.0, 40.0]
    sv["Constraint"] = ["F", "F"]
    return asr.asreml(**kw, params=sv)


def test_mrode_example_3_1_published_solutions():
    m = _fit()
    cf = m.coef_fixed
    for level, value in SEX.items():
        assert cf.loc[f"sex_{level}", "solution"] == pytest.approx(value, abs=6e-4)
    cr = m.coef_random
    ebv = [cr.loc[f"vm(calf, Ainv)_{k}", "solution"] for k in range(1, 9)]
    np.testing.assert_allclose(ebv, EBV, atol=6e-4)


def test_mrode_example_3_1_against_hand_built_mme():
    A = _tabular_a(PED)
    X = np.array([[1, 0], [0, 1], [0, 1], [1, 0], [1, 0]], dtype=float)  # male, female
    Z = np.zeros((5, 8))
    Z[np.arange(5), [3, 4, 5, 6, 7]] = 1
    y = DATA["WWG"].to_numpy()
    C = np.block([[X.T @ X, X.T @ Z], [Z.T @ X, Z.T @ Z + 2.0 * np.linalg.inv(A)]])
    sol = np.linalg.solve(C, np.concatenate([X.T @ y, Z.T @ y]))
    pev = np.diag(np.linalg.inv(C))[2:] * 40.0
    m = _fit()
    cf = m.coef_fixed["solution"]
    np.testing.assert_allclose([cf["sex_male"], cf["sex_female"]], sol[:2], atol=1e-10)
    cr = m.coef_random
    np.testing.assert_allclose(cr["solution"].to_numpy(), sol[2:], atol=1e-10)
    np.testing.assert_allclose(cr["std.error"].to_numpy() ** 2, pev, rtol=1e-10)


def test_mrode_example_3_1_compiles_to_the_printed_x_and_z():
    """Mrode, Section 3.3.1 prints X' (rows: male, female) and Z (records x animals 1-8,
    animals 1-3 parents without records) for this example."""
    X_printed_t = np.array([[1, 0, 0, 1, 1],
                            [0, 1, 1, 0, 0]], dtype=float)
    Z_printed = np.array([[0, 0, 0, 1, 0, 0, 0, 0],
                          [0, 0, 0, 0, 1, 0, 0, 0],
                          [0, 0, 0, 0, 0, 1, 0, 0],
                          [0, 0, 0, 0, 0, 0, 1, 0],
                          [0, 0, 0, 0, 0, 0, 0, 1]], dtype=float)
    model = asr.compile_model("WWG ~ sex - 1", random="~ vm(calf, Ainv)", data=DATA,
                              Ainv=asr.ainverse(PED))
    names = list(model.fixed.names)
    X = np.asarray(model.X)[:, [names.index("sex_male"), names.index("sex_female")]]
    np.testing.assert_array_equal(X.T, X_printed_t)
    (term,) = model.random
    assert list(term.levels) == [str(k) for k in range(1, 9)]
    np.testing.assert_array_equal(term.Z.toarray(), Z_printed)
    # X'y printed as (13.0, 6.8)
    np.testing.assert_allclose(X.T @ model.y, [13.0, 6.8])
