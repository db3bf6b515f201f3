"""Fits against asreml 4.1's own printout of the same models on the same data.

The WAM gryphon tutorial (JulienGAMartin/wam_tuto, rendered docs/02_01-univ_asreml.html at
commit f03ee28f1f2acb118d59723f60899e1c5e7fdf8b; the corpus script 02_01-univ_asreml.Rmd)
prints ``summary(model)$varcomp``, ``vpredict`` and ``loglik`` of animal models on the gryphon
data (tests/data/DT_gryphon.csv, P_gryphon.csv; ``na.method(x = "omit", y = "omit")``). The
printouts fix the row order (random terms by number of effects, smallest first: byear (34
levels), mother, vm(animal, ainv) (1309), whatever the formula order), the residual's names
(``units!units`` then ``units!R``) and the V-numbers vpredict uses (``h2 ~ V2 / (V1 + V2 + V3)``
with byear first).
"""

from __future__ import annotations

import numpy as np
import pytest

import asr_py as asr
from asr_py.translate.runtime import r_loglik, r_varcomp, r_vparameters

KW = dict(residual="~ idv(units)", na_action={"x": "omit", "y": "omit"})


@pytest.fixture(scope="module")
def ainv(gryphon_ped):  # noqa: ANN001, ANN201
    return asr.ainverse(gryphon_ped)


def test_model3_animal_and_birth_year(gryphon, ainv) -> None:  # noqa: ANN001
    m = asr.asreml("BWT ~ 1 + SEX", random="~ vm(ANIMAL, ainv) + BYEAR", data=gryphon,
                   ainv=ainv, **KW)
    vc = r_varcomp(m)
    assert list(vc.index) == ["BYEAR", "vm(ANIMAL, ainv)", "units!units", "units!R"]
    np.testing.assert_allclose(vc["component"], [0.8862604, 2.7068665, 2.3092415, 1.0],
                               rtol=2e-5)
    np.testing.assert_allclose(vc["std.error"].iloc[:3], [0.2695918, 0.4422140, 0.3451025],
                               rtol=2e-3)
    assert list(r_vparameters(m).index) == list(vc.index)
    h2 = m.vpredict("h2.bwt ~ V2 / (V1 + V2 + V3)")
    assert h2.loc["h2.bwt", "Estimate"] == pytest.approx(0.4586068, abs=2e-6)
    assert h2.loc["h2.bwt", "SE"] == pytest.approx(0.06740364, rel=2e-3)
    assert r_loglik(m) == pytest.approx(-1113.772, abs=1e-3)


def test_model4_adds_mother_between_them(gryphon, ainv) -> None:  # noqa: ANN001
    m = asr.asreml("BWT ~ 1 + SEX", random="~ vm(ANIMAL, ainv) + BYEAR + MOTHER",
                   data=gryphon, ainv=ainv, **KW)
    vc = r_varcomp(m)
    assert list(vc.index) == ["BYEAR", "MOTHER", "vm(ANIMAL, ainv)", "units!units",
                              "units!R"]
    np.testing.assert_allclose(vc["component"],
                               [0.8820313, 1.1184698, 2.2985320, 1.6290034, 1.0], rtol=2e-5)
    share = m.vpredict("h2.bwt ~ V1 / (V1 + V2 + V3 + V4)")   # as printed: byear's share
    assert share.loc["h2.bwt", "Estimate"] == pytest.approx(0.1487898, abs=2e-6)
    assert share.loc["h2.bwt", "SE"] == pytest.approx(0.03861552, rel=2e-3)
    assert r_loglik(m) == pytest.approx(-1094.815, abs=1e-3)


def _dense_reml(y: np.ndarray, X: np.ndarray, mats: list[np.ndarray],
                theta: np.ndarray) -> float:
    """REML log-likelihood of V = Σ θ_k M_k without its 2π constant (asreml's convention):
    −½(log|V| + log|X'V⁻¹X| + r'V⁻¹r), r = y − Xβ̂ (GLS)."""
    V = sum(t * M for t, M in zip(theta, mats))
    L = np.linalg.cholesky(V)
    Vi = np.linalg.inv(V)
    XVX = X.T @ Vi @ X
    r = y - X @ np.linalg.solve(XVX, X.T @ Vi @ y)
    return float(-0.5 * (2 * np.log(np.diag(L)).sum() + np.linalg.slogdet(XVX)[1] + r @ Vi @ r))


def test_model_sex_at_animal_dsum_residual(gryphon, gryphon_ped, ainv) -> None:  # noqa: ANN001
    """model_SEX of the tutorial as rendered (asreml 4.2): sex-specific additive variances
    ``at(sex):vm(animal, ainv)`` (each at level's Z keeps the rows of that sex and all 1309
    pedigree columns, so animals of the other sex or without records stay in A), byear and
    mother common, one residual variance per sex. varcomp, h2.F/h2.M and loglik as printed;
    the same numbers from a dense-V REML built from the data and the tabular A, and our
    estimates are its stationary point.

    (The repository's later Rmd fits ``at(sex):byear + at(sex):mother`` too: a different
    model with 8 parameters, loglik -1120.025, that the rendered page never printed.)"""
    m = asr.asreml("BWT ~ 1 + SEX", random="~ at(SEX):vm(ANIMAL, ainv) + BYEAR + MOTHER",
                   residual="~ dsum(~ units | SEX)", data=gryphon, ainv=ainv,
                   na_action={"x": "omit", "y": "omit"})
    printed = np.array([0.9001595, 1.3396184, 1.4372390, 1.9861434, 2.1706213, 1.7112948])
    vc = r_varcomp(m)
    # the rendered page (ASReml 4.2) prints at(sex, '1'):vm(animal, ainv): the level quoted
    assert list(vc.index)[:4] == ["BYEAR", "MOTHER", "at(SEX, '1'):vm(ANIMAL, ainv)",
                                  "at(SEX, '2'):vm(ANIMAL, ainv)"]
    # asreml stops at its own convergence criterion (%ch 0.3 on the last iteration)
    np.testing.assert_allclose(vc["component"], printed, rtol=2e-3)
    np.testing.assert_allclose(vc["std.error"],
                               [0.2690012, 0.2663118, 0.6514306, 0.9974302, 0.5542492,
                                0.8246188], rtol=5e-3)
    h2f = m.vpredict("h2.bwt ~ V3 / (V1 + V2 + V3 + V5)").loc["h2.bwt"]
    h2m = m.vpredict("h2.bwt ~ V4 / (V1 + V2 + V4 + V6)").loc["h2.bwt"]
    assert h2f["Estimate"] == pytest.approx(0.2457811, abs=5e-4)
    assert h2f["SE"] == pytest.approx(0.1070794, rel=5e-3)
    assert h2m["Estimate"] == pytest.approx(0.3345244, abs=5e-4)
    assert h2m["SE"] == pytest.approx(0.1619218, rel=5e-3)
    assert r_loglik(m) == pytest.approx(-1104.364, abs=1e-3)

    # dense V from the data: records with BWT and SEX, A by the tabular method
    d = gryphon.dropna(subset=["BWT", "SEX"]).reset_index(drop=True)
    y = d["BWT"].to_numpy(float)
    X = np.column_stack([np.ones(len(d)), (d["SEX"] == "2").to_numpy(float)])
    A = asr.amatrix(gryphon_ped)
    pos = {k: i for i, k in enumerate(A.ids)}
    ia = np.array([pos[str(a)] for a in d["ANIMAL"]])
    Ka = np.asarray(A.matrix.toarray() if hasattr(A.matrix, "toarray") else A.matrix)[
        np.ix_(ia, ia)]
    s = [(d["SEX"] == lv).to_numpy(float) for lv in ("1", "2")]

    def same(col: str) -> np.ndarray:
        v = d[col].astype(str).to_numpy(dtype=object)
        return (v[:, None] == v[None, :]).astype(float)

    mats = [same("BYEAR"), same("MOTHER"), Ka * np.outer(s[0], s[0]),
            Ka * np.outer(s[1], s[1]), np.diag(s[0]), np.diag(s[1])]
    ours = vc["component"].to_numpy(float)
    at_ours = _dense_reml(y, X, mats, ours)
    assert at_ours == pytest.approx(r_loglik(m), abs=1e-6)
    assert _dense_reml(y, X, mats, printed) == pytest.approx(-1104.364, abs=1e-3)
    assert at_ours >= _dense_reml(y, X, mats, printed) - 1e-7
    for k in range(len(ours)):          # a stationary point: no coordinate step gains
        for step in (1.01, 0.99):
            th = ours.copy()
            th[k] *= step
            assert _dense_reml(y, X, mats, th) <= at_ours + 1e-7
