"""examples/multivariate_trees.py: the blog post's models m1-m5 on simulated tree data.

The design is balanced (every family in every block, 4 trees per plot), so REML estimates
inside the parameter space equal the ANOVA (MANOVA) estimators from mean squares and mean
cross-products: an independent closed form for every component of m4.
"""

import contextlib
import io

import numpy as np
import pytest


@pytest.fixture(scope="module")
def run(tmp_path_factory, load_example):
    mod = load_example("multivariate_trees")
    out = tmp_path_factory.mktemp("trees")
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        fits = mod.main(out)
    return mod, fits, out, buf.getvalue()


def _manova(df):
    """ANOVA estimators of the block, family and residual covariance matrices (h, d)."""
    y = df[["h", "d"]].to_numpy()
    nb, nf = df["Block"].nunique(), df["Family"].nunique()
    r = len(df) // (nb * nf)
    dev = y - y.mean(axis=0)
    bm = df.groupby("Block")[["h", "d"]].mean().to_numpy() - y.mean(axis=0)
    fm = df.groupby("Family")[["h", "d"]].mean().to_numpy() - y.mean(axis=0)
    ss_b, ss_f = nf * r * bm.T @ bm, nb * r * fm.T @ fm
    ss_e = dev.T @ dev - ss_b - ss_f
    ms_b, ms_f = ss_b / (nb - 1), ss_f / (nf - 1)
    ms_e = ss_e / (len(df) - nb - nf + 1)
    return (ms_b - ms_e) / (nf * r), (ms_f - ms_e) / (nb * r), ms_e


def _lower(m):
    return [m[0, 0], m[1, 0], m[1, 1]]


def test_all_models_converge_and_plot(run):
    _, fits, out, _ = run
    assert set(fits) == {"m1_h", "m1_d", "m2", "m3", "m4", "m5"}
    assert all(m.converged for m in fits.values())
    assert (out / "multivariate_trees.png").stat().st_size > 1000


def test_diag_models_split_into_univariate_fits(run):
    _, fits, _, _ = run
    total = fits["m1_h"].loglik + fits["m1_d"].loglik
    assert fits["m2"].loglik == pytest.approx(total, abs=1e-6)
    assert fits["m3"].loglik == pytest.approx(total, abs=1e-6)
    uni = np.array([fits[f"m1_{t}"].varcomp["component"].to_numpy() for t in "hd"])
    # m2/m3 order: Block h, d; Family h, d; residual h, d
    np.testing.assert_allclose(fits["m2"].varcomp["component"], uni.T.ravel(), rtol=1e-5)
    np.testing.assert_allclose(fits["m3"].varcomp["component"], uni.T.ravel(), rtol=1e-5)


def test_us_model_equals_manova_and_recovers_truth(run):
    mod, fits, _, _ = run
    df = mod.simulate()
    sb, sf, se = _manova(df)
    vc = fits["m4"].varcomp
    np.testing.assert_allclose(vc["component"], _lower(sb) + _lower(sf) + _lower(se),
                               rtol=1e-5, atol=1e-5)
    true = np.array(_lower(mod.TRUE["Sf"]) + _lower(mod.TRUE["Se"]))
    est, sd = vc["component"].to_numpy()[3:], vc["std.error"].to_numpy()[3:]
    assert np.all(np.abs(est - true) < 3.5 * sd)


def test_genetic_correlation_from_vpredict_and_corgh(run):
    mod, fits, _, text = run
    vc = fits["m4"].varcomp["component"].to_numpy()
    rg = vc[4] / np.sqrt(vc[3] * vc[5])
    m5 = fits["m5"]
    assert m5.loglik == pytest.approx(fits["m4"].loglik, abs=1e-6)
    cor = m5.varcomp.loc["trait:Family!trait_d:h!cor"]
    assert cor["component"] == pytest.approx(rg, rel=1e-5)
    assert "genetic correlation" in text
    line = next(s for s in text.splitlines() if s.startswith("r_g"))
    est, se = (float(v) for v in line.split()[1:3])
    assert est == pytest.approx(rg, abs=1e-4)
    # delta-method SE (m4) and the AI SE of the corgh parameter (m5) describe the same
    # information at the optimum
    assert se == pytest.approx(cor["std.error"], abs=2e-4)
    sf = mod.TRUE["Sf"]
    assert abs(est - sf[0, 1] / np.sqrt(sf[0, 0] * sf[1, 1])) < 3 * se
