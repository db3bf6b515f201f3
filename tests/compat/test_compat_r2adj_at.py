"""asremlPlus's R2adj.asreml for a subset of the fixed terms of a model with at() terms
(asr_py.compat.r2adj; asremlPlus R/REMLRTIC.v4.r:419-560, its test42MET.r:107-166).

asremlPlus takes each fixed term's projector from the term's own columns in asreml's design,
Q_t = proj([1, X_t]) - J/n (getTermDesignMatrix: every level combination, ``at(E, 'e1'):r``
the indicators of r within E = e1), orthogonalises them in the fitted order and sums those
kept; terms are named as asreml names them (``at(E, 'e2'):x`` for ``at(E, c(2)):x``).

The independent reference: for a model with no random terms V = s2 I, so with f the fitted
values, P_X the projector on the fixed design and P = I - J/n,
ASSB = (f'Pf - s2 (rank X - 1))/(n - 1), ASV = s2 and the included terms' part is
(f'Qf - s2 rank Q)/(n - 1) (Q within the range of X); computed here with numpy from the data
alone, without asr_py's design or R2adj code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(25)
    rows = []
    for e, nrep in (("e1", 3), ("e2", 2), ("e3", 2)):
        for r in range(nrep):
            for g in range(5):
                if rng.random() < 0.15:          # unbalanced: some cells missing
                    continue
                rows.append((e, f"r{r}", f"g{g}", rng.normal()))
    d = pd.DataFrame(rows, columns=["E", "rep", "G", "x"])
    eff_e = {"e1": 0.0, "e2": 1.0, "e3": -0.5}
    eff_g = rng.normal(size=5)
    d["y"] = (d["E"].map(eff_e) + eff_g[d["G"].str[1].astype(int)]
              + 0.8 * d["x"] * (d["E"] == "e2") + 0.6 * (d["rep"] == "r1") * (d["E"] == "e1")
              + rng.normal(scale=0.7, size=len(d)))
    return d


def _ind(v: pd.Series) -> np.ndarray:
    return np.column_stack([(v == lv).to_numpy(float) for lv in pd.unique(v)])


def _proj(A: np.ndarray) -> np.ndarray:
    u, s, _ = np.linalg.svd(A, full_matrices=False)
    u = u[:, s > 1e-9 * s.max()]
    return u @ u.T


def _expected(d: pd.DataFrame, keep: list[str]) -> float:
    n = len(d)
    one = np.ones((n, 1))
    at_e = lambda e: (d["E"] == e).to_numpy(float)[:, None]       # noqa: E731
    own = {                                   # each term's own full design, fitted order
        "at(E, 'e1'):rep": at_e("e1") * _ind(d["rep"]),
        "at(E, 'e2'):x": at_e("e2") * d["x"].to_numpy()[:, None],
        "E": _ind(d["E"]),
        "G": _ind(d["G"]),
    }
    X = np.column_stack([one] + list(own.values()))
    PX = _proj(X)
    y = d["y"].to_numpy()
    f = PX @ y
    rank_x = round(np.trace(PX))
    s2 = float(y @ (y - f)) / (n - rank_x)
    J = np.full((n, n), 1.0 / n)
    P = np.eye(n) - J
    Q = np.zeros((n, n))
    done = J.copy()
    for term, Xt in own.items():
        Qt = _proj(np.column_stack([one, Xt])) - J
        Qt = _proj((np.eye(n) - done) @ Qt)   # orthogonal to the terms before it
        done = done + Qt
        if term in keep:
            Q += Qt
    assb = (f @ P @ f - s2 * (rank_x - 1)) / (n - 1)
    part = (f @ Q @ f - s2 * np.trace(Q)) / (n - 1)
    return 100 * part / (assb + s2)


@pytest.fixture(scope="module")
def fit() -> tuple[pd.DataFrame, asr.AsremlFit]:
    d = _data()
    m = asr.asreml("y ~ at(E, 'e1'):rep + at(E, c(2)):x + E + G", data=d, keep_order=True)
    return d, m


def test_subsets_of_at_terms_agree_with_the_projector_sums(fit) -> None:
    d, m = fit
    got = asr.plus.R2adj(m, include_which_fixed="~ . - at(E, 'e2'):x",
                         orthogonalize="eigen")
    assert got == pytest.approx(_expected(d, ["at(E, 'e1'):rep", "E", "G"]), abs=1e-7)
    got = asr.plus.R2adj(m, include_which_fixed="~ . - (at(E, 'e1'):rep + G)")
    assert got == pytest.approx(_expected(d, ["at(E, 'e2'):x", "E"]), abs=1e-7)
    got = asr.plus.R2adj(m, include_which_fixed="~ at(E, 'e1'):rep")
    assert got == pytest.approx(_expected(d, ["at(E, 'e1'):rep"]), abs=1e-7)


def test_all_terms_is_the_whole_fixed_part(fit) -> None:
    d, m = fit
    whole = _expected(d, ["at(E, 'e1'):rep", "at(E, 'e2'):x", "E", "G"])
    assert asr.plus.R2adj(m) == pytest.approx(whole, abs=1e-7)
