"""examples/gblup_cv.py: cross-validated GBLUP on data simulated with h2 = 0.5."""

import numpy as np
import pytest


@pytest.fixture(scope="module")
def run(tmp_path_factory, load_example):
    out = tmp_path_factory.mktemp("gblup")
    return load_example("gblup_cv").main(out, n_lines=200, n_markers=400, k=4), out


def test_predictive_ability_is_clearly_positive(run):
    res, out = run
    folds = res["folds"]
    assert len(folds) == 4 and folds["converged"].all()
    assert (folds["n_test"] == 50).all()
    # every line is predicted exactly once, while masked
    assert sorted(res["predictions"]["id"]) == sorted(res["pheno"]["id"])
    assert (folds["r(gebv, y)"] > 0.1).all()
    assert folds["r(gebv, y)"].mean() > 0.3
    # the genetic values themselves are predicted better than the noisy phenotypes
    assert folds["r(gebv, g)"].mean() > folds["r(gebv, y)"].mean()
    assert (out / "gblup_cv.png").stat().st_size > 1000


def test_masked_predictions_equal_the_closed_form_blup(run):
    """ĝ_test = σ²_g G_te,tr V⁻¹ (y_tr − 1μ̂), V = σ²_g G_tr,tr + σ²_e I, μ̂ by GLS."""
    res, _ = run
    G = res["G"].to_frame()
    pheno = res["pheno"].set_index("id")
    preds = res["predictions"]
    for f in (1, 3):
        s2g, s2e = res["folds"].loc[f, ["sigma2_g", "sigma2_e"]]
        te = list(preds.loc[preds["fold"] == f, "id"])
        tr = [i for i in pheno.index if i not in set(te)]
        y = pheno.loc[tr, "y"].to_numpy()
        V = s2g * G.loc[tr, tr].to_numpy() + s2e * np.eye(len(tr))
        Vi1 = np.linalg.solve(V, np.ones(len(tr)))
        mu = Vi1 @ y / Vi1.sum()
        g_te = s2g * G.loc[te, tr].to_numpy() @ np.linalg.solve(V, y - mu)
        got = preds.loc[preds["fold"] == f, "gebv"].to_numpy()
        np.testing.assert_allclose(got, g_te, rtol=1e-7, atol=1e-9)
