"""explain() with data: each random term's matrix form and sizes.

The sizes are checked against the compiled model (compile_model's Z shapes and nnz, the
templates' dimensions and parameter counts) and against closed forms (us(k): k(k+1)/2
parameters; a stacked bivariate record has one non-zero per factor term; spl: knots − 2).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.explain import _num, explain, matrix_form
from asr_py.model.splines import penalty_matrices


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    ids = [f"i{j}" for j in range(6)]
    return pd.DataFrame({
        "id": np.repeat(ids, 4),
        "env": np.tile(["E1", "E2", "E3", "E4"], 6),
        "y1": rng.normal(size=24), "y2": rng.normal(size=24),
        "x": np.tile([1.0, 2.0, 4.0, 7.0], 6),
        "mother": np.repeat(list("ABCDEF"), 4),
        "father": list("GHAB" * 6),
    })


@pytest.fixture(scope="module")
def K() -> pd.DataFrame:
    ids = [f"i{j}" for j in range(6)]
    return pd.DataFrame(np.eye(6) + 0.25, index=ids, columns=ids)


def _check_against_model(ex, model) -> None:
    forms = {mf.label: mf for t in ex.terms for mf in t.matrices}
    assert sorted(forms) == sorted(r.label for r in model.random)
    for r in model.random:
        mf = forms[r.label]
        assert mf.z_shape == r.Z.shape
        assert mf.z_nnz == r.Z.nnz
        assert mf.q == r.template.n == r.Z.shape[1]
        assert mf.n_params == r.template.n_params == len(r.param_names)
        assert int(np.prod([d for _, d, _ in mf.factors])) == mf.q
        assert sum(p for _, _, p in mf.factors) + mf.scale == mf.n_params


def test_bivariate_us_by_known_matrix(data, K) -> None:
    fixed = "cbind(y1, y2) ~ trait"
    ex = explain("~ us(trait):vm(id, K) + diag(env)", data, fixed=fixed, K=K)
    model = asr.compile_model(fixed, "~ us(trait):vm(id, K) + diag(env)", data=data, K=K)
    _check_against_model(ex, model)
    mf = ex.terms[0].matrices[0]
    assert mf.G == "Σ(2×2 unstructured, 3 parameters) ⊗ K (6 × 6 known)"
    assert (mf.q, mf.n_params) == (12, 3)
    assert mf.z_shape == (48, 12) and mf.z_nnz == 48  # one non-zero per stacked record
    d = ex.terms[1].matrices[0]
    assert d.G == "Σ(4×4 diagonal, 4 parameters)" and not d.scale
    text = ex.text
    assert "G = Σ(2×2 unstructured, 3 parameters) ⊗ K (6 × 6 known)   [12 × 12, 3 parameters]" \
        in text
    assert "Z: 48 × 12, 48 non-zeros" in text


@pytest.mark.parametrize("formula, expect_g, q, p", [
    ("~ env", "σ² · I (4 × 4)", 4, 1),
    ("~ ar1(env):id", "σ² · (C(4×4 first-order autoregressive correlation, 1 parameter) ⊗ "
     "I (6 × 6))", 24, 2),
    ("~ us(env):id", "Σ(4×4 unstructured, 10 parameters) ⊗ I (6 × 6)", 24, 10),
    ("~ fa(env, 1):id", "Σ(4×4 factor analytic, 8 parameters) ⊗ I (6 × 6)", 24, 8),
    ("~ vm(id, K)", "σ² · K (6 × 6 known)", 6, 1),
    ("~ idv(env):vm(id, K)", "Σ(4×4 scaled identity, 1 parameter) ⊗ K (6 × 6 known)", 24, 1),
])
def test_structures_sizes(data, K, formula, expect_g, q, p) -> None:
    ex = explain(formula, data, fixed="y1 ~ 1", K=K)
    model = asr.compile_model("y1 ~ 1", formula, data=data, K=K)
    _check_against_model(ex, model)
    mf = ex.terms[0].matrices[0]
    assert mf.G == expect_g
    assert (mf.q, mf.n_params) == (q, p)
    assert mf.z_nnz == len(data)  # one indicator per record


def test_spline_overlay_and_grouped_numbers(data) -> None:
    f = "~ spl(x) + mother + and(father, 0.5)"
    ex = explain(f, data, fixed="y1 ~ x")
    model = asr.compile_model("y1 ~ x", f, data=data)
    _check_against_model(ex, model)
    spl, mother, overlay = ex.terms
    r = penalty_matrices(np.array([1.0, 2.0, 4.0, 7.0]))[1].shape[0]
    assert spl.matrices[0].G == f"σ² · R ({r} × {r} known spline penalty)"
    assert spl.matrices[0].z_shape == (24, r)
    # parents A..H: mother's 6 levels plus the fathers G, H; a row whose two parents are the
    # same level has one non-zero (1 + 0.5), the others two
    assert mother.matrices[0].G == "σ² · I (8 × 8)"
    same = int((data["mother"] == data["father"]).sum())
    assert same == 2
    assert mother.matrices[0].z_nnz == 2 * len(data) - same
    assert overlay.matrices == [] and "added to that of term 'mother'" in overlay.sizes
    assert overlay.n_params == 0
    assert _num(5000) == "5 000" and _num(1234567) == "1 234 567" and _num(12) == "12"


def test_large_known_matrix_sizes_are_grouped() -> None:
    n = 1200
    ids = [f"a{i}" for i in range(n)]
    d = pd.DataFrame({"id": ids, "y": np.arange(n, dtype=float) % 7})
    K = pd.DataFrame(np.eye(n), index=ids, columns=ids)
    model = asr.compile_model("y ~ 1", "~ vm(id, K)", data=d, K=K)
    mf = matrix_form(model.random[0])
    assert mf.G == "σ² · K (1 200 × 1 200 known)"
    assert "Z: 1 200 × 1 200, 1 200 non-zeros" in mf.text


def test_no_data_keeps_the_symbolic_report() -> None:
    ex = explain("~ us(trait):vm(id, K)")
    assert all(t.matrices == [] for t in ex.terms)
    assert "G = " not in ex.text and "Var(u) = " in ex.text
