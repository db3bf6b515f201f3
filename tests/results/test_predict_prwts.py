"""asreml's present weights (``predict(..., present = list("site"), prwts = w)``, ASReml's
!PRWTS: the weights the !PRESENT machinery uses in place of equal ones). Checked by hand:
each genotype's prediction is the weighted average, over the present cells (the
combinations of the present factors seen in the data), of its cell predictions
mu + site + gen, with the weights normalised over those cells; the cell
predictions and their covariance come from ordinary least squares done here in numpy
(beta = (X'X)^-1 X'y, Var = s2 (X'X)^-1, s2 = RSS / (n - p))."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import AsrError

SITES, GENS = ["s1", "s2", "s3"], ["g1", "g2", "g3", "g4", "g5"]
ABSENT = {("s1", "g1"), ("s3", "g5"), ("s2", "g3")}


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    rows = [(s, g) for s in SITES for g in GENS if (s, g) not in ABSENT for _ in range(2)]
    d = pd.DataFrame(rows, columns=["site", "gen"])
    se = dict(zip(SITES, [0.0, 3.0, -2.0], strict=True))
    ge = dict(zip(GENS, [1.0, 0.0, 2.0, -1.0, 0.5], strict=True))
    d["y"] = 10 + d["site"].map(se) + d["gen"].map(ge) + rng.normal(0, 1, len(d))
    return d


def _ols_cells(d: pd.DataFrame) -> tuple[dict[tuple[str, str], np.ndarray], np.ndarray, float]:
    """Row vectors l (cell = l'beta) of every (site, gen), beta-hat and s2."""
    X = np.column_stack([np.ones(len(d))]
                        + [(d["site"] == s).to_numpy(float) for s in SITES[1:]]
                        + [(d["gen"] == g).to_numpy(float) for g in GENS[1:]])
    y = d["y"].to_numpy()
    beta = np.linalg.solve(X.T @ X, X.T @ y)
    s2 = float(((y - X @ beta) ** 2).sum() / (len(y) - X.shape[1]))
    cells = {}
    for i, s in enumerate(SITES):
        for j, g in enumerate(GENS):
            v = np.zeros(X.shape[1])
            v[0] = 1
            if i:
                v[i] = 1
            if j:
                v[len(SITES) - 1 + j] = 1
            cells[(s, g)] = v
    return cells, beta, s2 * np.linalg.inv(X.T @ X)


def _expected(beta: np.ndarray, V: np.ndarray, cells: dict, weight: dict
              ) -> tuple[list[str], list[float], list[float]]:
    """Per genotype: sum_s w(s, g) cell(s, g) / sum_s w(s, g) over its weighted sites."""
    kept, val, se = [], [], []
    for g in GENS:
        ws = {s: weight.get((s, g), 0.0) for s in SITES}
        tot = sum(ws.values())
        if tot <= 0:
            continue
        lvec = sum(ws[s] / tot * cells[(s, g)] for s in SITES)
        kept.append(g)
        val.append(float(lvec @ beta))
        se.append(float(np.sqrt(lvec @ V @ lvec)))
    return kept, val, se


@pytest.mark.parametrize("w", [[1.0, 0.0, 2.0], [0.25, 0.5, 0.25], [0.0, 1.0, 0.0]])
def test_prwts_weight_the_present_sites(w: list[float]) -> None:
    """present = site (every site was seen): prwts weight the sites, as the corpus scripts
    use them (present = list(c("studyName"), prwts = c(1, 0)))."""
    d = _data()
    m = asr.asreml("y ~ site + gen", data=d)
    p = m.predict("gen", present=["site"], prwts=w)
    cells, beta, V = _ols_cells(d)
    weight = {(s, g): ws for s, ws in zip(SITES, w, strict=True) for g in GENS}
    kept, val, se = _expected(beta, V, cells, weight)
    assert list(p["gen"]) == kept
    np.testing.assert_allclose(p["predicted.value"], val, rtol=1e-8)
    np.testing.assert_allclose(p["std.error"], se, rtol=1e-6)


def test_prwts_table_of_two_present_factors() -> None:
    """present = (site, gen): the weights are a site x gen table, gen nested within site
    (site varying slowest); a genotype averages only the sites it was seen in."""
    d = _data()
    m = asr.asreml("y ~ site + gen", data=d)
    rng = np.random.default_rng(2)
    table = rng.uniform(0.5, 2.0, len(SITES) * len(GENS))
    p = m.predict("gen", present=["site", "gen"], prwts=table)
    cells, beta, V = _ols_cells(d)
    weight = {(s, g): float(table[i * len(GENS) + j]) for i, s in enumerate(SITES)
              for j, g in enumerate(GENS) if (s, g) not in ABSENT}
    kept, val, se = _expected(beta, V, cells, weight)
    assert list(p["gen"]) == kept
    np.testing.assert_allclose(p["predicted.value"], val, rtol=1e-8)
    np.testing.assert_allclose(p["std.error"], se, rtol=1e-6)


def test_prwts_equal_is_present() -> None:
    """Equal weights give asreml's present= averaging (equal weights over present cells)."""
    m = asr.asreml("y ~ site + gen", data=_data())
    a = m.predict("gen", present=["site"], prwts=[2, 2, 2])
    b = m.predict("gen", present=["site"])
    np.testing.assert_allclose(a["predicted.value"], b["predicted.value"], rtol=1e-12)
    c = m.predict("gen", present=["site"], prwts={"s1": 1, "s3": 3})      # s2 weighs 0
    e = m.predict("gen", present=["site"], prwts=[1, 0, 3])
    np.testing.assert_allclose(c["predicted.value"], e["predicted.value"], rtol=1e-12)


def test_prwts_bad_input_says_what() -> None:
    m = asr.asreml("y ~ site + gen", data=_data())
    with pytest.raises(AsrError, match="give present= too"):
        m.predict("gen", prwts=[1, 1, 1])
    with pytest.raises(AsrError, match="2 prwts for the 3 combinations"):
        m.predict("gen", present=["site"], prwts=[1, 1])
    with pytest.raises(AsrError, match=">= 0"):
        m.predict("gen", present=["site"], prwts=[1, -1, 1])
    with pytest.raises(AsrError, match="not a combination"):
        m.predict("gen", present=["site"], prwts={"s9": 1})
