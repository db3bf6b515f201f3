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
    assert "response.se" in capsys.readouterr().out
