"""An R factor's unused levels where a level's position enters the model (asreml's rule:
``levels(f)``, :mod:`asr_py.model.factor_levels`).

Independent checks: dense-V REML (tests/_dense_reml.py) with the effects placed at the
positions of every category, and asreml 3's printed LogLik of AaronRendahl/Jane-asreml-
modeling's TBFM fit (asreml_msi_modeling2.Rout at f56afc4: −1829.5071, DF 615; its data are
read from the fetched mirror, the test skips without it). On main (e1e10dd) the levels were
the records' (69 of 82 horses): −1846.4141, another model.
"""

from __future__ import annotations

import os
import subprocess
import warnings
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _dense_reml import ar1, reml_loglik

import asr_py as asr

MIRROR = Path(os.environ.get("ASR_MIRROR", "/work/.mirror"))


def _regressions(seed: int = 5) -> pd.DataFrame:
    """Random quadratic regressions, 14 ids with records among 19 categories (unused ones
    first, in the middle and last)."""
    rng = np.random.default_rng(seed)
    used = [f"h{j:02d}" for j in (1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 17)]
    cats = [f"h{j:02d}" for j in range(19)]
    t = np.tile(np.array([0.0, 1, 2, 3, 4, 6]), len(used))
    idn = np.repeat(np.arange(len(used)), 6)
    b = rng.normal(size=(len(used), 3)) * [3.0, 1.0, 0.15]
    y = (10 + b[idn, 0] + (2 + b[idn, 1]) * t + (-0.1 + b[idn, 2]) * t**2
         + rng.normal(size=t.size))
    return pd.DataFrame({"id": pd.Categorical(np.array(used)[idn], categories=cats),
                         "time": t, "y": y})


def _fit(d: pd.DataFrame, random: str, **kw):  # noqa: ANN003, ANN202
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml("y ~ pol(time, -2)", random=random, data=d, maxit=100, **kw)


def _positional_dense(m, d: pd.DataFrame, order: list[str]) -> float:  # noqa: ANN001
    """ℓ at the fit's θ of str(~ id:pol(time, 2), ~ us(3):id(id)) built here: effect
    3i + j (id i of ``order``, the fit's own pol column j) sits at position 3i + j of the
    3 × q grid of us(3) ⊗ I_q."""
    prob = m.model.problem()
    X = np.asarray(prob.X.toarray() if hasattr(prob.X, "toarray") else prob.X)
    P = X                                   # pol(time, -2): the same three columns
    q = len(order)
    hid = np.array([order.index(str(v)) for v in d["id"]])
    Z = np.zeros((len(d), 3 * q))
    for j in range(3):
        Z[np.arange(len(d)), 3 * hid + j] = P[:, j]
    th = m.result.theta
    S = np.zeros((3, 3))
    S[np.tril_indices(3)] = th[:6]
    S = S + np.tril(S, -1).T
    V = Z @ np.kron(S, np.eye(q)) @ Z.T + th[6] * np.eye(len(d))
    return reml_loglik(prob.y, X, V)


def test_positional_str_couples_the_positions_of_every_level() -> None:
    d = _regressions()
    m = _fit(d, "~ str(~ id:pol(time, 2), ~ us(3):id(id))")
    assert m.converged
    cats = list(d["id"].cat.categories)
    used = [c for c in cats if c in set(d["id"].astype(str))]
    full = _positional_dense(m, d, cats)
    assert m.loglik == pytest.approx(full, abs=1e-6)
    assert abs(_positional_dense(m, d, used) - full) > 1e-2     # a different model
    # the same data with the unused levels dropped is the records' model
    m2 = _fit(d.assign(id=d["id"].cat.remove_unused_categories()),
              "~ str(~ id:pol(time, 2), ~ us(3):id(id))")
    assert m2.loglik == pytest.approx(_positional_dense(m2, d, used), abs=1e-6)
    assert abs(m2.loglik - m.loglik) > 1e-2


def test_unused_levels_change_nothing_where_the_structure_follows_the_nesting() -> None:
    d = _regressions()
    text = d.assign(id=d["id"].astype(str))
    for random in ("~ str(~ pol(time, 2):id, ~ us(3):id(id))", "~ us(pol(time, 2)):id",
                   "~ id"):
        a, b = _fit(d, random), _fit(text, random)
        assert a.loglik == pytest.approx(b.loglik, abs=1e-6)


def test_an_unused_row_between_two_used_ones_is_a_lag() -> None:
    """ar1(Row) over a factor with an unused level 5: rows 4 and 6 are ρ² apart."""
    rng = np.random.default_rng(3)
    rows = [1, 2, 3, 4, 6, 7, 8, 9]
    d = pd.DataFrame({"Row": pd.Categorical([str(r) for r in np.repeat(rows, 4)],
                                            categories=[str(r) for r in range(1, 10)]),
                      "Col": np.tile(["a", "b", "c", "d"], len(rows))})
    u = np.cumsum(rng.normal(size=9))
    d["y"] = u[np.repeat(rows, 4) - 1] + rng.normal(size=len(d))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = asr.asreml("y ~ 1", random="~ ar1v(Row)", data=d)
    assert m.converged
    v = m.varcomp["component"]
    rho = float(v[[i for i in v.index if "cor" in i][0]])
    sg = float(v[[i for i in v.index if "var" in i][0]])
    s2 = float(v["units!R"])
    pos = np.repeat(rows, 4) - 1
    X = np.ones((len(d), 1))
    y = d["y"].to_numpy()
    full = reml_loglik(y, X, sg * ar1(9, rho)[np.ix_(pos, pos)] + s2 * np.eye(len(d)))
    assert m.loglik == pytest.approx(full, abs=1e-6)
    shut = np.repeat(np.arange(8), 4)          # row 6 next to row 4: another model
    assert abs(reml_loglik(y, X, sg * ar1(8, rho)[np.ix_(shut, shut)]
                           + s2 * np.eye(len(d))) - full) > 1e-3


# ----- asreml 3's printed LogLik of the Jane TBFM fit -----------------------------------------

def _jane() -> pd.DataFrame:
    gd = MIRROR / "AaronRendahl+Jane-asreml-modeling" / "repo"
    if not gd.is_dir():
        pytest.skip(f"AaronRendahl/Jane-asreml-modeling is not fetched into {MIRROR}")
    raw = subprocess.run(["git", f"--git-dir={gd}", "show",
                          "f56afc4:OST_R_asreml_NS_hr.csv"], capture_output=True,
                         check=True).stdout.decode()
    d = pd.read_csv(StringIO(raw))
    # the script: factor(Number_ID), time * 60, as.numeric(as.character(TBFM))
    ids = sorted(d["Number_ID"].astype(int).unique())
    d["Number_ID"] = pd.Categorical(d["Number_ID"].astype(int).astype(str),
                                    categories=[str(i) for i in ids])
    d["time"] = d["time"] * 60
    d["TBFM"] = pd.to_numeric(d[[c for c in d.columns if c.strip() == "TBFM"][0]]
                              .astype(str), errors="coerce")
    return d


def test_jane_tbfm_gives_asremls_printed_loglik() -> None:
    """update(glu, ~ . + TBFM * pol(time, 2), data = d[!is.na(d$TBFM), ]): R's subset keeps
    the factor's 82 levels, 69 with records; asreml prints LogLik −1829.5071 (DF 615)."""
    d = _jane()
    d = d[d["TBFM"].notna()]
    assert d["Number_ID"].nunique() == 69 and len(d["Number_ID"].cat.categories) == 82
    fixed = "glucose ~ pol(time, -2) + TBFM + pol(time, 2) + TBFM:pol(time, 2)"
    printed, df = -1829.5071, 615
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = asr.asreml(fixed, random="~ str(~ Number_ID:pol(time, 2), ~ us(3):id(Number_ID))",
                       residual="~ units", data=d, maxit=100)
    assert m.converged and m.result.n_minus_p == df
    assert m.loglik + 0.5 * df * np.log(2 * np.pi) == pytest.approx(printed, abs=6e-5)
