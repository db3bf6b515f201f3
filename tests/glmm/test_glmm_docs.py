"""docs/glmm.md's example runs as written and fits what it says."""

import re
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]


def test_glmm_docs_example_runs(capsys) -> None:
    text = (ROOT / "docs" / "glmm.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks
    ns: dict = {}
    exec(compile(blocks[0], "docs/glmm.md", "exec"), ns)  # noqa: S102
    m = ns["m"]
    assert m.converged
    assert m.varcomp.loc["units!R", "component"] == 1.0
    np.testing.assert_allclose(m.fitted.to_numpy(),
                               1 / (1 + np.exp(-m.linear_predictor.to_numpy())))
    assert "approx.se" in capsys.readouterr().out


def test_glmm_docs_ml_and_h2_example_runs(capsys) -> None:
    text = (ROOT / "docs" / "glmm.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    ns: dict = {}
    exec(compile(blocks[1], "docs/glmm.md", "exec"), ns)  # noqa: S102
    m, ml = ns["m"], ns["ml"]
    assert m.converged and ml.converged and ml.method == "ML"
    tab = m.h2("vm(id, Ainv)")
    va = m.varcomp["component"].iloc[0]
    assert tab.loc["liability", "h2"] == np.float64(va / (va + 1.0))
    assert "liability" in capsys.readouterr().out


def test_glmm_docs_multi_trait_example_runs(capsys) -> None:
    text = (ROOT / "docs" / "glmm.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    ns: dict = {}
    exec(compile(blocks[2], "docs/glmm.md", "exec"), ns)  # noqa: S102
    mv = ns["mv"]
    assert mv.converged
    vc = mv.varcomp
    assert vc.loc["units:trait!trait_y2:y2", "bound"] == "F"
    assert vc.loc["units:trait!trait_y2:y2", "component"] == 1.0
    assert "transformed.value" in capsys.readouterr().out
