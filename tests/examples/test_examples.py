"""Every example script runs, and its estimates recover the simulated (known) parameters."""

import importlib.util
from pathlib import Path

import numpy as np

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_multivariate_trees_recovers_simulated_parameters(tmp_path, capsys):
    mod = _load("multivariate_trees")
    fits = mod.main(tmp_path)
    assert all(m.converged for m in fits.values())
    assert (tmp_path / "multivariate_trees.png").exists()
    m4 = fits["m4"]
    vc = m4.varcomp
    true = np.concatenate([[mod.TRUE["Sf"][0, 0], mod.TRUE["Sf"][1, 0], mod.TRUE["Sf"][1, 1]],
                           [mod.TRUE["Se"][0, 0], mod.TRUE["Se"][1, 0], mod.TRUE["Se"][1, 1]]])
    est = vc["component"].to_numpy()[3:]
    se = vc["std.error"].to_numpy()[3:]
    assert np.all(np.abs(est - true) < 3.5 * se)
    # corgh and us parameterise the same family covariance: same fit of that term
    m5 = fits["m5"]
    r = m5.varcomp["component"].to_numpy()
    cov_corgh = r[0] * np.sqrt(r[1] * r[2])
    assert abs(cov_corgh - est[1]) < 0.05 * abs(est[1]) + 0.05
    out = capsys.readouterr().out
    assert "genetic correlation" in out
