"""mv_start='pairwise' (issue 11 item 6): start a multivariate fit from the bivariate fits of
every pair of traits.

Reference: the independent dense-V REML of _dense_reml_psd.py on a simulated 3-trait family
model (V = Σ_g ⊗ ZZ' + Σ_e ⊗ I, records stacked by trait); the assembly rule (variances
averaged over pairs, covariances from their pair, correlations shrunk by (1 − α) with
α = (m − λ)/(1 − λ)) is checked in closed form.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml_psd import fit as dense_fit
from _dense_reml_psd import sym_basis

import asr_py as asr
from asr_py.errors import AsrError
from asr_py.reml.staged import PAIRWISE_MIN_EIG, assemble_pairwise

FIXED = "cbind(y1, y2, y3) ~ trait"
RANDOM = "~ us(trait):id(fam)"
RESID = "~ units:us(trait)"
SG = np.array([[2.0, 1.2, 0.5], [1.2, 1.5, -0.3], [0.5, -0.3, 1.0]])
SE = np.array([[1.0, 0.3, 0.2], [0.3, 2.0, 0.4], [0.2, 0.4, 1.5]])


def _data(nf: int = 30, per: int = 4, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    u = rng.normal(size=(nf, 3)) @ np.linalg.cholesky(SG).T
    fam = np.repeat(np.arange(nf), per)
    e = rng.normal(size=(nf * per, 3)) @ np.linalg.cholesky(SE).T
    y = np.array([10.0, 0.0, -5.0]) + u[fam] + e
    return pd.DataFrame({"fam": [f"f{i:02d}" for i in fam], "y1": y[:, 0], "y2": y[:, 1],
                         "y3": y[:, 2]})


def _us(theta: np.ndarray, t: int = 3) -> np.ndarray:
    """The t x t matrix of us() parameters (lower triangle by rows)."""
    m = np.zeros((t, t))
    m[np.tril_indices(t)] = theta
    return m + np.tril(m, -1).T


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return _data()


@pytest.fixture(scope="module")
def fits(df):
    direct = asr.asreml(FIXED, RANDOM, RESID, data=df, mv_start="default")
    pairwise = asr.asreml(FIXED, RANDOM, RESID, data=df, mv_start="pairwise")
    return direct, pairwise


def test_pairwise_reaches_the_direct_and_dense_optimum(df, fits):
    direct, pairwise = fits
    n = len(df)
    z = pd.get_dummies(df["fam"]).to_numpy(float)
    y = np.concatenate([df[c].to_numpy() for c in ("y1", "y2", "y3")])
    x = np.kron(np.eye(3), np.ones((n, 1)))
    comps = ([np.kron(b, z @ z.T) for b in sym_basis(3)]
             + [np.kron(b, np.eye(n)) for b in sym_basis(3)])
    v = [float(np.var(df[c])) for c in ("y1", "y2", "y3")]
    start = _us(np.zeros(6))
    start[np.diag_indices(3)] = np.array(v) / 2
    s0 = start[np.tril_indices(3)]
    theta, ll = dense_fit(y, x, comps, np.concatenate([s0, s0]))
    assert pairwise.converged and direct.converged
    assert pairwise.loglik == pytest.approx(ll, abs=1e-4)
    assert pairwise.loglik == pytest.approx(direct.loglik, abs=1e-6)
    np.testing.assert_allclose(pairwise.result.theta, theta, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(pairwise.result.theta, direct.result.theta, rtol=1e-4,
                               atol=1e-5)


def test_assembled_start_follows_the_rule_is_pd_and_is_reported(df, fits):
    _, pairwise = fits
    start = np.asarray(pairwise.result.history[0]["theta"])
    pair = {}
    for a, b in ((0, 1), (0, 2), (1, 2)):
        m = asr.asreml(f"cbind(y{a + 1}, y{b + 1}) ~ trait", RANDOM, RESID, data=df)
        pair[(a, b)] = (_us(m.result.theta[:3], 2), _us(m.result.theta[3:], 2))
    for k, (lo, hi) in enumerate(((0, 6), (6, 12))):
        s = _us(start[lo:hi])
        assert np.linalg.eigvalsh(s)[0] > 0  # positive definite
        for i in range(3):
            var = [m[k][0, 0] if a == i else m[k][1, 1] for (a, b), m in pair.items()
                   if i in (a, b)]
            assert s[i, i] == pytest.approx(np.mean(var), rel=1e-8)
        for (a, b), m in pair.items():  # PD as assembled here: no shrinking
            assert s[a, b] == pytest.approx(m[k][0, 1], rel=1e-8, abs=1e-12)
    d = pairwise.diagnostics
    assert d[0].startswith("mv_start='pairwise': started from the 3 bivariate fits")
    assert sum("positive definite as assembled" in x for x in d) == 2
    assert any(x.startswith("trait:fam: 3 x 3 trait matrix") for x in d)


def test_assembly_of_an_indefinite_matrix_shrinks_correlations():
    """Correlations 0.9, 0.9, −0.9 within three pairs: the assembled S (variances the pairs'
    means, covariances the pairs' own) has a correlation matrix R = D^-½ S D^-½ with a
    negative eigenvalue; after assembly its smallest eigenvalue is PAIRWISE_MIN_EIG, the
    variances are kept and every correlation of R is scaled by the same 1 − α."""
    v = {0: [4.0, 4.4], 1: [1.0, 1.2], 2: [9.0, 8.0]}
    r = {(0, 1): 0.9, (0, 2): 0.9, (1, 2): -0.9}
    pairs = {}
    used = {0: 0, 1: 0, 2: 0}
    for (a, b), rab in r.items():
        va, vb = v[a][used[a]], v[b][used[b]]
        used[a] += 1
        used[b] += 1
        c = rab * np.sqrt(va * vb)
        pairs[(a, b)] = np.array([[va, c], [c, vb]])
    asm = assemble_pairwise(3, pairs)
    d = np.array([np.mean(v[i]) for i in range(3)])
    np.testing.assert_allclose(np.diag(asm.matrix), d, rtol=1e-12)
    target_r = np.eye(3)
    for (a, b), m in pairs.items():
        target_r[a, b] = target_r[b, a] = m[0, 1] / np.sqrt(d[a] * d[b])
    lam = np.linalg.eigvalsh(target_r)[0]
    assert lam < 0 and asm.min_eig == pytest.approx(lam, rel=1e-12)
    alpha = (PAIRWISE_MIN_EIG - lam) / (1 - lam)
    assert asm.shrink == pytest.approx(alpha, rel=1e-12)
    got_r = asm.matrix / np.sqrt(np.outer(d, d))
    off = ~np.eye(3, dtype=bool)
    np.testing.assert_allclose(got_r[off], (1 - alpha) * target_r[off], rtol=1e-12)
    assert np.linalg.eigvalsh(got_r)[0] == pytest.approx(PAIRWISE_MIN_EIG, rel=1e-9)


def test_assembly_raises_a_variance_at_zero():
    pairs = {(0, 1): np.array([[0.0, 0.0], [0.0, 2.0]]),
             (0, 2): np.array([[0.0, 0.0], [0.0, 3.0]]),
             (1, 2): np.array([[2.0, 0.5], [0.5, 3.0]])}
    asm = assemble_pairwise(3, pairs)
    assert asm.floored == [0] and asm.matrix[0, 0] > 0
    assert np.linalg.eigvalsh(asm.matrix)[0] > 0


def test_two_traits_pairwise_is_auto_and_bad_value_is_named(df):
    two = ("cbind(y1, y2) ~ trait", RANDOM, RESID)
    a = asr.asreml(*two, data=df, mv_start="pairwise")
    b = asr.asreml(*two, data=df, mv_start="auto")
    assert a.loglik == b.loglik
    with pytest.raises(AsrError, match="'pairwise'"):
        asr.asreml(*two, data=df, mv_start="pairs")


def test_fixed_parameters_keep_their_value(df):
    """A residual covariance the user fixes at 0 ('F') stays 0 in the pairwise start and the
    fit; the others start from the pairs."""
    sv = asr.asreml(FIXED, RANDOM, RESID, data=df, start_values=True)
    k = list(sv["Component"]).index("units:trait!trait_y3:y1")
    sv.loc[k, "Value"] = 0.0
    sv.loc[k, "Constraint"] = "F"
    m = asr.asreml(FIXED, RANDOM, RESID, data=df, params=sv, mv_start="pairwise")
    assert m.result.history[0]["theta"][k] == 0.0 and m.result.theta[k] == 0.0
    assert m.converged
    assert m.result.history[0]["theta"][0] != sv["Value"].iloc[0]  # from the pairs


def test_not_pd_assembly_is_repaired_warned_and_reaches_the_direct_optimum():
    """Genetic correlations 0.95, 0.95, 0.8 (a singular Σ_g): the pairs' estimates assemble
    into a matrix that is not positive definite; the start is made PD by shrinking the
    correlations (UserWarning + diagnostic), and the fit reaches the direct fit's optimum
    (on the PD boundary)."""
    r = np.array([[1, 0.95, 0.95], [0.95, 1, 0.8], [0.95, 0.8, 1]])
    w, v = np.linalg.eigh(r)
    sg = ((v * np.clip(w, 1e-6, None)) @ v.T) * np.outer([1.0, 1.5, 0.8], [1.0, 1.5, 0.8])
    rng = np.random.default_rng(0)
    nf, per = 40, 4
    u = rng.normal(size=(nf, 3)) @ np.linalg.cholesky(sg).T
    fam = np.repeat(np.arange(nf), per)
    y = u[fam] + rng.normal(size=(nf * per, 3))
    d = pd.DataFrame({"fam": [f"f{i}" for i in fam], "y1": y[:, 0], "y2": y[:, 1],
                      "y3": y[:, 2]})
    with pytest.warns(UserWarning, match=r"trait:fam: .*not positive definite .*shrunk"):
        pw = asr.asreml(FIXED, RANDOM, RESID, data=d, mv_start="pairwise")
    direct = asr.asreml(FIXED, RANDOM, RESID, data=d, mv_start="default")
    start = _us(np.asarray(pw.result.history[0]["theta"])[:6])
    assert np.linalg.eigvalsh(start)[0] > 0
    sd = np.sqrt(np.diag(start))
    assert np.linalg.eigvalsh(start / np.outer(sd, sd))[0] == pytest.approx(PAIRWISE_MIN_EIG,
                                                                           rel=1e-6)
    assert any("correlations shrunk by" in x for x in pw.diagnostics)
    assert pw.converged
    assert pw.loglik == pytest.approx(direct.loglik, abs=1e-5)


def test_trace_prints_one_line_per_pair(df, capsys):
    asr.asreml(FIXED, RANDOM, RESID, data=df, mv_start="pairwise", trace=True)
    err = capsys.readouterr().err
    for pair in ("y1/y2", "y1/y3", "y2/y3"):
        assert f"pair {pair}: loglik " in err
