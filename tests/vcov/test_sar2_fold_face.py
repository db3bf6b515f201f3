"""sar2's fold γ_1 = γ_2 (vcov/autoregressive.py ``SAR2.fold_faces``, vcov/base.py).

At γ_1 = γ_2 = g the map γ → φ = (γ_1 + 2γ_2, −γ_2(2γ_1 + γ_2), γ_1γ_2²) has
∂φ/∂γ_2 = 2 ∂φ/∂γ_1 (checked here on φ written out from dae's mat.sar2 formulas, by central
differences), so the direction n = (−2, 1) changes φ, hence C, only at second order; the
face template is C at (γ_1, γ_1) whatever γ_2, its γ_1 derivative C's derivative along
(1, 1), none in γ_2. References: dae's closed form of the sar2 matrix (tests/vcov/
test_sar2.py's ``_dae_sar2``), central differences, numpy's inverse and slogdet.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_sar2 import _dae_sar2
from vcov_helpers import check_template

from asr_py.vcov import get_structure
from asr_py.vcov.base import to_dense


def _phi(g1: float, g2: float) -> np.ndarray:
    return np.array([g1 + 2 * g2, -g2 * (2 * g1 + g2), g1 * g2 * g2])  # dae's mat.sar2


def _sar2(kind: str = "sar2", n: int = 9):
    return get_structure(kind)([str(k) for k in range(n)], name="Row")


@pytest.mark.parametrize("g", [-0.7, 0.0, 0.31, 0.9])
def test_jacobian_is_singular_on_the_diagonal(g: float) -> None:
    h = 1e-6
    d1 = (_phi(g + h, g) - _phi(g - h, g)) / (2 * h)
    d2 = (_phi(g, g + h) - _phi(g, g - h)) / (2 * h)
    np.testing.assert_allclose(d2, 2 * d1, atol=1e-8)
    # along n = (−2, 1) φ moves at second order only: (0, 3u², −3gu² − 2u³)
    u = 1e-3
    np.testing.assert_allclose(_phi(g - 2 * u, g + u) - _phi(g, g),
                               [0.0, 3 * u * u, -3 * g * u * u - 2 * u ** 3], atol=1e-15)
    phi, jac = get_structure("sar2")(["a", "b", "c", "d", "e"]).phi(np.array([g, g]))
    np.testing.assert_allclose(jac @ np.array([-2.0, 1.0]), 0.0, atol=1e-15)
    np.testing.assert_allclose(phi, _phi(g, g), atol=1e-15)


@pytest.mark.parametrize("kind,extra", [("sar2", []), ("sar2v", [1.7]),
                                        ("sar2h", [1.5, 0.7, 2.0, 1.1, 0.9, 1.3])])
def test_face_template_is_c_on_the_diagonal(kind: str, extra: list[float]) -> None:
    n = 9 if kind != "sar2h" else 6
    t = _sar2(kind, n)
    (fold,) = t.fold_faces()
    assert (fold.i, fold.j) == (0, 1)
    np.testing.assert_allclose(fold.normal, [-2.0, 1.0] + [0.0] * len(extra))
    face = fold.template
    assert face.fold_faces() == []  # already tied
    g, held = 0.43, -0.2
    th_face = np.array([g, held, *extra])
    th_diag = np.array([g, g, *extra])
    np.testing.assert_allclose(face.matrix(th_face), t.matrix(th_diag), atol=1e-14)
    if kind == "sar2":
        np.testing.assert_allclose(face.matrix(th_face), _dae_sar2(g, g, n), atol=1e-12)
    d_face = face.derivatives(th_face)
    e = np.zeros(th_diag.size)
    e[:2] = 1e-6
    fd = (np.asarray(t.matrix(th_diag + e)) - np.asarray(t.matrix(th_diag - e))) / 2e-6
    np.testing.assert_allclose(np.asarray(d_face[0]), fd, atol=1e-8)
    assert not np.any(np.asarray(d_face[1]))
    check_template(face, th_face)
    assert not np.allclose(t.matrix(th_face), face.matrix(th_face))  # the original: γ_2


def test_face_keeps_no_answer_of_the_original() -> None:
    """The face is a copy: an answer the original kept for θ is not the face's at θ."""
    t = _sar2("sar2", 8)
    th = np.array([0.5, -0.3])
    t.inverse(th)
    t.logdet(th)
    face = t.fold_faces()[0].template
    np.testing.assert_allclose(to_dense(face.inverse(th)) @ face.matrix(th), np.eye(8),
                               atol=1e-10)
    assert face.logdet(th) == pytest.approx(np.linalg.slogdet(_dae_sar2(0.5, 0.5, 8))[1],
                                            abs=1e-10)


def test_kronecker_product_delegates_to_its_parts() -> None:
    import asr_py as asr

    m = asr.compile_model("y ~ 1", residual="~ sar2(Col):sar2(Row)", data=_field())
    r = m.problem().residual
    folds = r.fold_faces()
    assert [(f.i, f.j) for f in folds] == [(1, 2), (3, 4)]
    np.testing.assert_allclose(folds[0].normal, [0, -2, 1, 0, 0])
    np.testing.assert_allclose(folds[1].normal, [0, 0, 0, -2, 1])
    th = np.array([1.3, 0.4, -0.1, 0.2, 0.6])
    np.testing.assert_allclose(to_dense(folds[0].template.matrix(th)),
                               1.3 * np.kron(_dae_sar2(0.4, 0.4, 4), _dae_sar2(0.2, 0.6, 3)),
                               atol=1e-12)
    both = folds[0].template.fold_faces()  # the second fold of the tied product
    assert [(f.i, f.j) for f in both] == [(3, 4)]
    np.testing.assert_allclose(to_dense(both[0].template.matrix(th)),
                               1.3 * np.kron(_dae_sar2(0.4, 0.4, 4), _dae_sar2(0.2, 0.2, 3)),
                               atol=1e-12)


def _field():
    import pandas as pd

    col = np.repeat(np.arange(4), 3)
    row = np.tile(np.arange(3), 4)
    return pd.DataFrame({"y": np.arange(12.0) % 5, "Col": pd.Categorical(col),
                         "Row": pd.Categorical(row)})


def test_wrapped_and_direct_sum_templates_delegate() -> None:
    """A residual in another row order (Subset), weighted records (Weighted) and sections
    (DirectSum: dsum) offer their sar2's fold, the face wrapped in the same way."""
    from asr_py.vcov.composite import DirectSum, Subset
    from asr_py.vcov.weighted import Weighted

    t = _sar2("sar2v", 5)
    th = np.array([0.35, -0.4, 1.6])
    face_c = 1.6 * _dae_sar2(0.35, 0.35, 5)
    perm = np.array([3, 0, 4, 1, 2])
    (f,) = Subset(t, perm).fold_faces()
    assert (f.i, f.j) == (0, 1) and isinstance(f.template, Subset)
    np.testing.assert_allclose(to_dense(f.template.matrix(th)), face_c[np.ix_(perm, perm)],
                               atol=1e-12)
    w = np.array([1.0, 2.0, 0.5, 4.0, 1.0])
    (f,) = Weighted(t, w).fold_faces()
    np.testing.assert_allclose(to_dense(f.template.matrix(th)),
                               face_c / np.sqrt(np.outer(w, w)), atol=1e-12)
    ds = DirectSum([_sar2("sar2v", 3), t], [[0, 2, 4], [1, 3, 5, 6, 7]], 8)
    folds = ds.fold_faces()
    assert [(f.i, f.j) for f in folds] == [(0, 1), (3, 4)]
    np.testing.assert_allclose(folds[1].normal, [0, 0, 0, -2, 1, 0])
    th2 = np.array([0.1, 0.2, 0.9, *th])
    m = to_dense(folds[1].template.matrix(th2))
    np.testing.assert_allclose(m[np.ix_([1, 3, 5, 6, 7], [1, 3, 5, 6, 7])], face_c,
                               atol=1e-12)
    np.testing.assert_allclose(m[np.ix_([0, 2, 4], [0, 2, 4])],
                               0.9 * _dae_sar2(0.1, 0.2, 3), atol=1e-12)
