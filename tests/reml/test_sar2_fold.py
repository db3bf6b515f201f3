"""sar2's fold γ_1 = γ_2 as a face the engine converges on (reml/fold_face.py).

On γ_1 = γ_2 every REML likelihood has ∂ℓ/∂u = 0 along n = (−2, 1) and the AI matrix a
zero eigenvalue there, so a fit whose optimum lies on the fold crawled (unconverged, SEs
NaN). Simulated fields whose dense-V REML optimum lies on the fold (sar2 errors with a
triple root): the fit converges there, equal to the dense REML maximised over the fold and
over the whole set (tests/_dense_reml.py; V built here from dae's sar2 formulas, no asr_py
code), with standard errors from the fold's own average information (½ y'PV̇_iPV̇_jPy,
dense, V̇_g by central differences along (1, 1)); invariant to y × 1000 and the row order.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _dense_reml import maximise, reml_loglik

import asr_py as asr
from asr_py.reml import loglik_at
from asr_py.reml.fold_face import near_folds, off_face

NB, NP = 3, 40          # one axis: three transects of 40 plots
NC, NR = 12, 10         # a field: sar2(Col):sar2(Row)


def _dae_sar2(g1: float, g2: float, n: int) -> np.ndarray:
    """dae's mat.sar2: φ from γ, mat.ar3's closed form for lags 1, 2, then the recursion."""
    p1, p2, p3 = g1 + 2 * g2, -g2 * (2 * g1 + g2), g1 * g2 * g2
    om = 1 - p2 - p3 * (p1 + p3)
    r = [1.0, (p1 + p2 * p3) / om, (p1 * (p1 + p3) + p2 * (1 - p2)) / om]
    while len(r) < n:
        r.append(p1 * r[-1] + p2 * r[-2] + p3 * r[-3])
    i = np.arange(n)
    return np.array(r)[np.abs(i[:, None] - i[None, :])]


def _transects(seed: int, gamma: tuple[float, float] = (0.5, 0.5)) -> pd.DataFrame:
    """Errors sar2(γ) (default (0.5, 0.5): a triple root) with variance 2 in each
    transect."""
    rng = np.random.default_rng(seed)
    c = _dae_sar2(*gamma, NP)
    e = np.concatenate([np.linalg.cholesky(2.0 * c) @ rng.normal(size=NP) for _ in range(NB)])
    blk = np.repeat(np.arange(NB), NP)
    y = 5 + rng.normal(0, 1.0, NB)[blk] + e
    return pd.DataFrame({"y": y, "Block": pd.Categorical([f"B{k}" for k in blk]),
                         "Pos": pd.Categorical([f"{k + 1:02d}" for k in np.tile(np.arange(NP),
                                                                                NB)])})


def _field(seed: int) -> pd.DataFrame:
    """Errors sar2(0.4, 0.4) ⊗ sar2(0.3, 0.3), variance 2, on a 12 x 10 field."""
    rng = np.random.default_rng(seed)
    c = np.kron(_dae_sar2(0.4, 0.4, NC), _dae_sar2(0.3, 0.3, NR))
    e = np.linalg.cholesky(2.0 * c) @ rng.normal(size=NC * NR)
    col, row = np.repeat(np.arange(NC), NR), np.tile(np.arange(NR), NC)
    return pd.DataFrame({"y": 10 + e, "Col": pd.Categorical([f"C{k:02d}" for k in col]),
                         "Row": pd.Categorical([f"R{k:02d}" for k in row])})


def _fit(d: pd.DataFrame, residual: str = "~ Block:sar2(Pos)") -> asr.AsremlFit:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml("y ~ 1", residual=residual, data=d)


def _ll_transects(d: pd.DataFrame):
    """ℓ(σ², g, u) with γ_1 = g − 2u, γ_2 = g + u (u = 0: the fold)."""
    X, y = np.ones((len(d), 1)), d["y"].to_numpy(float)

    def ll(x: np.ndarray) -> float:
        s2, g, u = x
        g1, g2 = g - 2 * u, g + u
        if not (s2 > 0 and abs(g1) < 1 and abs(g2) < 1):
            return -np.inf
        return reml_loglik(y, X, s2 * np.kron(np.eye(NB), _dae_sar2(g1, g2, NP)))
    return ll


def _ll_field(d: pd.DataFrame):
    """ℓ(σ², g_c, u_c, g_r, u_r) of σ² sar2(Col) ⊗ sar2(Row) (rows ordered Col, then Row)."""
    X, y = np.ones((len(d), 1)), d["y"].to_numpy(float)

    def ll(x: np.ndarray) -> float:
        s2, gc, uc, gr, ur = x
        a = (gc - 2 * uc, gc + uc, gr - 2 * ur, gr + ur)
        if not (s2 > 0 and max(map(abs, a)) < 1):
            return -np.inf
        return reml_loglik(y, X, s2 * np.kron(_dae_sar2(a[0], a[1], NC),
                                              _dae_sar2(a[2], a[3], NR)))
    return ll


def _est(fit: asr.AsremlFit, names: list[str]) -> np.ndarray:
    return fit.varcomp.loc[names, "component"].to_numpy(float)


TR = ["Block:Pos!R", "Block:Pos!Pos!cor1", "Block:Pos!Pos!cor2"]


@pytest.fixture(scope="module")
def on_fold() -> pd.DataFrame:
    return _transects(2)


def test_one_axis_optimum_on_the_fold(on_fold: pd.DataFrame) -> None:
    fit = _fit(on_fold)
    assert fit.converged
    ll = _ll_transects(on_fold)
    xf, lf = maximise(lambda z: ll(np.array([z[0], z[1], 0.0])),
                      [np.array([2.0, 0.4]), np.array([1.0, 0.0])])
    xa, la = maximise(ll, [np.array(s) for s in ([2.0, 0.4, 0.05], [2.0, 0.4, -0.05],
                                                  [1.0, 0.0, 0.1], [3.0, 0.7, -0.1])])
    assert la <= lf + 1e-7            # the whole set's optimum is on the fold
    assert fit.loglik == pytest.approx(lf, abs=1e-6)
    est = _est(fit, TR)
    np.testing.assert_allclose(est, [xf[0], xf[1], xf[1]], rtol=1e-4, atol=1e-5)
    assert est[1] == est[2]
    assert list(fit.varcomp.loc[TR, "bound"]) == ["P", "U", "B"]
    assert any("triple root" in d for d in fit.diagnostics)
    # standard errors: the fold's average information over (σ², g), dense
    s2, g = est[0], est[1]
    X, y = np.ones((len(on_fold), 1)), on_fold["y"].to_numpy(float)
    c = np.kron(np.eye(NB), _dae_sar2(g, g, NP))
    h = 1e-6
    dc = np.kron(np.eye(NB), (_dae_sar2(g + h, g + h, NP) - _dae_sar2(g - h, g - h, NP))
                 / (2 * h))
    vi = np.linalg.inv(s2 * c)
    vx = vi @ X
    P = vi - vx @ np.linalg.solve(X.T @ vx, vx.T)
    py = P @ y
    dv = [c, s2 * dc]
    ai = np.array([[0.5 * py @ a @ P @ b @ py for b in dv] for a in dv])
    se = np.sqrt(np.diag(np.linalg.inv(ai)))
    got = fit.varcomp.loc[TR, "std.error"].to_numpy(float)
    np.testing.assert_allclose(got, [se[0], se[1], se[1]], rtol=1e-4)


def test_one_axis_units_and_row_order(on_fold: pd.DataFrame) -> None:
    base = _fit(on_fold)
    big = _fit(on_fold.assign(y=on_fold["y"] * 1000))
    n_p = len(on_fold) - 1
    assert big.converged
    assert big.loglik == pytest.approx(base.loglik - n_p * np.log(1000), abs=1e-6)
    np.testing.assert_allclose(_est(big, TR), _est(base, TR) * [1e6, 1, 1], rtol=1e-6,
                               atol=1e-7)
    assert list(big.varcomp.loc[TR, "bound"]) == ["P", "U", "B"]
    shuffled = on_fold.iloc[np.random.default_rng(5).permutation(len(on_fold))]
    sh = _fit(shuffled.reset_index(drop=True))
    assert sh.converged
    assert sh.loglik == pytest.approx(base.loglik, abs=1e-7)
    np.testing.assert_allclose(_est(sh, TR), _est(base, TR), rtol=1e-6, atol=1e-7)


def test_field_with_both_axes_on_their_folds() -> None:
    """sar2(Col):sar2(Row): both folds at the optimum (as the wheat trial's residual)."""
    d = _field(1)
    names = ["Col:Row!R", "Col:Row!Col!cor1", "Col:Row!Col!cor2", "Col:Row!Row!cor1",
             "Col:Row!Row!cor2"]
    fit = _fit(d, "~ sar2(Col):sar2(Row)")
    assert fit.converged
    assert list(fit.varcomp.loc[names, "bound"]) == ["P", "U", "B", "U", "B"]
    ll = _ll_field(d)
    xf, lf = maximise(lambda z: ll(np.array([z[0], z[1], 0.0, z[2], 0.0])),
                      [np.array([2.0, 0.4, 0.3]), np.array([1.0, 0.1, 0.1])])
    assert fit.loglik == pytest.approx(lf, abs=1e-6)
    est = _est(fit, names)
    np.testing.assert_allclose(est, [xf[0], xf[1], xf[1], xf[2], xf[2]], rtol=1e-4,
                               atol=1e-5)
    # no higher point off the folds: a dense search from either side of each
    starts = [np.array([xf[0], xf[1], sc * 0.03, xf[2], sr * 0.03])
              for sc in (1, -1) for sr in (1, -1)]
    _, la = maximise(ll, starts, polish=False)
    assert la <= lf + 1e-7


@pytest.mark.parametrize("seed,rises", [(0, True), (2, False)])
def test_off_face_check_reads_the_likelihood_beside_the_fold(seed: int, rises: bool) -> None:
    """At the fold's optimum of a field whose optimum is off the fold (seed 0: dense u =
    0.086) ℓ rises along the normal; at a fold optimum (seed 2) it does not. The ℓ values are
    the dense REML's at the same θ."""
    d = _transects(seed)
    ll = _ll_transects(d)
    xf, lf = maximise(lambda z: ll(np.array([z[0], z[1], 0.0])),
                      [np.array([2.0, 0.4]), np.array([1.0, 0.0])])
    problem = asr.compile_model("y ~ 1", residual="~ Block:sar2(Pos)", data=d).problem()
    assert list(problem.names) == TR
    theta = np.array([xf[0], xf[1], xf[1]])
    assert loglik_at(problem, theta) == pytest.approx(lf, abs=1e-8)
    folds = tuple(near_folds(problem, _Res(theta)))
    assert len(folds) == 1
    got = off_face(problem, theta, folds, lambda th: loglik_at(problem, th))
    assert bool(got) is rises
    if rises:
        (_, th, value), = got
        u = (th[2] - th[1]) / 3
        assert value == pytest.approx(ll(np.array([th[0], th[1] + 2 * u, u])), abs=1e-8)
        assert value > lf


class _Res:
    """The one field :func:`near_folds` reads of a fit."""

    def __init__(self, theta: np.ndarray) -> None:
        self.theta = theta


def test_saddle_on_the_fold_the_higher_side_is_found() -> None:
    """Seed 0: ℓ rises off the fold on both sides (a saddle at the fold's optimum, ℓ
    −80.898038); from the default start (0.1, 0.1), on the fold, the fit went to the lower
    side (γ 0.672/0.466, ℓ −80.858318: a dense local maximum) and now also from the estimate
    reflected across the fold, reaching the dense REML's maximum over the whole set."""
    d = _transects(0)
    fit = _fit(d)
    assert fit.converged
    ll = _ll_transects(d)
    _, la = maximise(ll, [np.array(s) for s in ([2.0, 0.4, 0.05], [2.0, 0.4, -0.05],
                                                 [1.0, 0.0, 0.1], [3.0, 0.7, -0.1])])
    assert fit.loglik == pytest.approx(la, abs=1e-6)
    _, lower = maximise(ll, [np.array([2.69, 0.535, -0.068])])  # the other side's maximum
    assert lower < la - 0.01
    est = _est(fit, TR)
    assert list(fit.varcomp.loc[TR, "bound"]) == ["P", "U", "U"]
    assert any("reflected across their fold" in x for x in fit.diagnostics)
    u = (est[2] - est[1]) / 3
    assert ll(np.array([est[0], est[1] + 2 * u, u])) == pytest.approx(fit.loglik, abs=1e-8)
    big = _fit(d.assign(y=d["y"] * 1000))
    rev = _fit(d.iloc[::-1].reset_index(drop=True))
    assert big.loglik + (len(d) - 1) * np.log(1000) == pytest.approx(fit.loglik, abs=1e-6)
    assert rev.loglik == pytest.approx(fit.loglik, abs=1e-7)
    np.testing.assert_allclose(_est(big, TR) / [1e6, 1, 1], est, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(_est(rev, TR), est, rtol=1e-6, atol=1e-7)


def test_field_one_fold_held_the_other_reflected() -> None:
    """sar2(Col):sar2(Row), seed 6: Col's optimum on its fold, Row's on the far side of a
    saddle: the Row reflection is fitted with Col held on its fold; the fit reaches the dense
    REML's maximum over the whole set (before: −94.988611, the near side)."""
    d = _field(6)
    names = ["Col:Row!R", "Col:Row!Col!cor1", "Col:Row!Col!cor2", "Col:Row!Row!cor1",
             "Col:Row!Row!cor2"]
    fit = _fit(d, "~ sar2(Col):sar2(Row)")
    assert fit.converged
    assert list(fit.varcomp.loc[names, "bound"]) == ["P", "U", "B", "U", "U"]
    ll = _ll_field(d)
    starts = [np.array(s) for s in ([2.0, 0.4, 0.03, 0.3, 0.03], [2.0, 0.4, -0.03, 0.3, -0.03],
                                     [1.0, 0.1, 0.1, 0.1, -0.1], [2, 0.4, 0.1, 0.3, 0.1])]
    _, la = maximise(ll, starts, polish=False)
    assert fit.loglik == pytest.approx(la, abs=1e-5)
    assert fit.loglik > -94.98861111 + 0.05


def test_interior_optimum_is_unchanged() -> None:
    """sar2(0.6, −0.4) errors, an optimum inside the square. Started near it (init=), the
    fit ends there and keeps nothing else (the reflected start does not beat it); from the
    default start (0.1, 0.1), on the fold, the fit ended lower before this change (main
    890a814: −220.428 against −217.390; seeds 3-7 all 0.9-10.8 lower) and the start
    reflected across the fold now reaches the same optimum. Both the dense REML's maximum
    over the whole set."""
    d = _transects(3, (0.6, -0.4))
    ll = _ll_transects(d)
    _, la = maximise(ll, [np.array(s) for s in ([2.0, 0.0, 0.2], [2.0, 0.2, -0.2],
                                                 [1.0, 0.0, -0.1], [3.0, 0.3, 0.1])])
    near = _fit(d, "~ Block:sar2(Pos, init = c(0.7, -0.45))")
    default = _fit(d)
    for fit in (near, default):
        assert fit.converged
        assert list(fit.varcomp.loc[TR, "bound"]) == ["P", "U", "U"]
        assert fit.loglik == pytest.approx(la, abs=1e-6)
        est = _est(fit, TR)
        u = (est[2] - est[1]) / 3
        assert ll(np.array([est[0], est[1] + 2 * u, u])) == pytest.approx(fit.loglik,
                                                                           abs=1e-8)
    assert not any("fold" in x for x in near.diagnostics)
    assert any("reflected across their fold" in x for x in default.diagnostics)
