"""asreml's ``Margin`` column of ``wald(ssType = "conditional")``: the marginality code of each
conditional test (asr_py.results.wald_margin.margin_codes).

Sources of the expected letters:

* ASReml User Guide (release 2.0, §2 "Some theory", conditional Wald statistics; the M code
  column of its three-way factorial table): 1 ".", A B C "A", A.B A.C B.C "B", A.B.C "C",
  with the sums of squares R(A | 1,B,C,B.C), R(A.B | 1,A,B,C,A.C,B.C), ... of each test.
* Printed asreml-R tables (asreml-R prints the "." of the intercept blank):
  - a public script of Sokal & Rohlf's pea data (the data as in kwstat/agridat
    data-unused/sokal.pea.r, MIT; the printed tables in a stored public copy of the same
    script, code-corpus file id 31804954383)::

        wald(m0, denDF = "default", ssType = "conditional")      # length ~ trt
                    Df denDF    F.inc    F.con Margin           Pr
        (Intercept)  1    45 35160.00 35160.00        9.360931e-67
        trt          4    45    49.37    49.37      A 6.737436e-16
        wald(m1, ...)                           # rcov = ~ at(trt):units
        (Intercept)  1  37.0 55340.00 55340.00        2.439746e-60
        trt          4  19.9    33.61    33.61      A 1.354244e-08

  - a multivariate asreml 4 script (code-corpus file id 15336315381; its data are not
    public, so only the letters, which depend on the model's terms alone, are checked)::

        cbind(trait.1, ..., trait.4) ~ trait + at(trait):SEX + at(trait):DAY
                               Df denDF   F.inc   F.con Margin      Pr
        trait                   4  27.8  0.9375  0.9375        0.45676
        at(trait, trait.1):SEX  1  53.1 13.6100 10.3000      B 0.00226
        ...                                                   B (all eight)

The statistics of each letter are checked against closed forms: in a balanced three-way
factorial the classical ANOVA sums of squares from cell means; in an unbalanced one the
User Guide's R(term | its conditioning terms) from two least-squares fits in numpy.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.results.wald_margin import margin_codes
from asr_py.translate.runtime import r_wald

#: Sokal & Rohlf (1994) p. 218, pea section lengths under five sugar treatments
PEA = [75, 67, 70, 75, 65, 71, 67, 67, 76, 68, 57, 58, 60, 59, 62, 60, 60, 57, 59, 61,
       58, 61, 56, 58, 57, 56, 61, 60, 57, 58, 58, 59, 58, 61, 57, 56, 58, 57, 57, 59,
       62, 66, 65, 63, 64, 62, 65, 65, 62, 67]

TERMS3 = ["(Intercept)", "A", "B", "C", "A:B", "A:C", "B:C", "A:B:C"]
#: the User Guide's M codes of y ~ 1 + A + B + C + A.B + A.C + B.C + A.B.C ("." blank)
UG_CODES = ["", "A", "A", "A", "B", "B", "B", "C"]


def _pea() -> pd.DataFrame:
    return pd.DataFrame({"trt": np.repeat(list("12345"), 10), "length": PEA})


@pytest.mark.parametrize("residual, printed", [
    (None, {"(Intercept)": (45.0, 35160.0, 9.360931e-67), "trt": (45.0, 49.37, 6.737436e-16)}),
    ("~ at(trt):units", {"(Intercept)": (37.0, 55340.0, 2.439746e-60),
                         "trt": (19.9, 33.61, 1.354244e-08)}),
])
def test_pea_printed_tables(residual: str | None, printed: dict) -> None:
    kw = {} if residual is None else {"residual": residual}
    m = asr.asreml("length ~ trt", data=_pea(), **kw)
    w = r_wald(m, denDF="default", ssType="conditional")
    assert list(w.columns) == ["Df", "denDF", "F.inc", "F.con", "Margin", "Pr"]
    assert list(w["Margin"]) == ["", "A"]
    for term, (ddf, fcon, pr) in printed.items():
        assert w.loc[term, "denDF"] == pytest.approx(ddf, abs=1e-9)
        assert w.loc[term, "F.con"] == pytest.approx(fcon, rel=5e-4)   # 4 digits printed
        assert w.loc[term, "Pr"] == pytest.approx(pr, rel=1e-6)        # 7 digits printed


def test_multivariate_at_trait_letters() -> None:
    """The printed multivariate table's form: trait blank (every other term contains it,
    its test adjusts for nothing), each at(trait, t):X 'B' (it contains trait, level A)."""
    rng = np.random.default_rng(1)
    d = pd.DataFrame({"SEX": np.repeat(rng.choice(["F", "M"], 20), 3),
                      "DAY": np.tile(["1", "2", "3"], 20)})
    d["t1"] = rng.normal(size=60)
    d["t2"] = rng.normal(size=60) + (d["SEX"] == "M")
    m = asr.asreml("cbind(t1, t2) ~ trait + at(trait):SEX + at(trait):DAY",
                   residual="~ units:us(trait)", data=d)
    w = r_wald(m, denDF="numeric", ssType="conditional")
    assert list(w["Margin"]) == ["", "B", "B", "B", "B"]
    # trait adjusts for nothing: its conditional F is its incremental F, as printed
    assert w.iloc[0]["F.con"] == pytest.approx(w.iloc[0]["F.inc"], rel=1e-10)


def _factorial(reps: np.ndarray, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cells = list(itertools.product(["a1", "a2"], ["b1", "b2", "b3"], ["c1", "c2"]))
    rows = [c for c, r in zip(cells, reps, strict=True) for _ in range(r)]
    d = pd.DataFrame(rows, columns=["A", "B", "C"])
    eff = {"a2": 1.0, "b2": -0.5, "b3": 0.7, "c2": 0.4}
    d["y"] = (10 + d["A"].map(eff).fillna(0) + d["B"].map(eff).fillna(0)
              + d["C"].map(eff).fillna(0) + 0.6 * ((d["A"] == "a2") & (d["B"] == "b3"))
              + rng.normal(size=len(d)))
    return d


def test_balanced_factorial_closed_form_per_letter() -> None:
    """Balanced 2x3x2, 3 replicates: each letter's F.con is the classical ANOVA F from cell
    means (blank: N ȳ²; A: main effects; B: two-factor; C: three-factor interaction)."""
    d = _factorial(np.full(12, 3), seed=5)
    w = asr.asreml("y ~ A*B*C", data=d).wald(ssType="conditional")
    assert list(w.index) == TERMS3
    assert list(w["Margin"]) == UG_CODES
    y, N = d["y"].to_numpy(), len(d)
    g = y.mean()

    def means(*f: str) -> pd.Series:
        return d.groupby(list(f))["y"].transform("mean")

    ma, mb, mc = means("A"), means("B"), means("C")
    mab, mac, mbc, mabc = means("A", "B"), means("A", "C"), means("B", "C"), means("A", "B", "C")
    ss = {"(Intercept)": N * g ** 2, "A": ((ma - g) ** 2).sum(), "B": ((mb - g) ** 2).sum(),
          "C": ((mc - g) ** 2).sum(), "A:B": ((mab - ma - mb + g) ** 2).sum(),
          "A:C": ((mac - ma - mc + g) ** 2).sum(), "B:C": ((mbc - mb - mc + g) ** 2).sum(),
          "A:B:C": ((mabc - mab - mac - mbc + ma + mb + mc - g) ** 2).sum()}
    df = {"(Intercept)": 1, "A": 1, "B": 2, "C": 1, "A:B": 2, "A:C": 1, "B:C": 2, "A:B:C": 2}
    mse = float(((y - mabc) ** 2).sum()) / (N - 12)
    for t in TERMS3:
        assert w.loc[t, "Df.con"] == df[t]
        assert w.loc[t, "F.con"] == pytest.approx(ss[t] / df[t] / mse, rel=1e-8)


def _dummies(d: pd.DataFrame, term: str) -> np.ndarray:
    if term == "(Intercept)":
        return np.ones((len(d), 1))
    key = d[term.split(":")].astype(str).agg(":".join, axis=1)
    return pd.get_dummies(key).to_numpy(dtype=float)


def _rss(d: pd.DataFrame, terms: list[str]) -> tuple[float, int]:
    if not terms:                       # the empty model (the intercept's conditioning set)
        return float(np.sum(d["y"].to_numpy() ** 2)), 0
    X = np.hstack([_dummies(d, t) for t in terms])
    beta, *_ = np.linalg.lstsq(X, d["y"].to_numpy(), rcond=None)
    return float(np.sum((d["y"].to_numpy() - X @ beta) ** 2)), int(np.linalg.matrix_rank(X))


def test_unbalanced_letters_are_the_user_guides_sums_of_squares() -> None:
    """Unbalanced (1-4 replicates per cell): each term's F.con is the User Guide's
    R(term | terms not containing it) / df / σ̂², from two least-squares fits in numpy."""
    d = _factorial(np.array([1, 2, 3, 4, 2, 1, 3, 2, 4, 1, 2, 3]), seed=11)
    w = asr.asreml("y ~ A*B*C", data=d).wald(ssType="conditional")
    assert list(w["Margin"]) == UG_CODES
    rss_full, p = _rss(d, TERMS3)
    s2 = rss_full / (len(d) - p)
    fac = {t: set() if t == "(Intercept)" else set(t.split(":")) for t in TERMS3}
    for t in TERMS3:
        given = [s for s in TERMS3 if s != t and not fac[t] < fac[s]]   # UG's conditioning set
        r0, p0 = _rss(d, given)
        r1, p1 = _rss(d, given + [t])
        assert w.loc[t, "Df.con"] == p1 - p0
        assert w.loc[t, "F.con"] == pytest.approx((r0 - r1) / (p1 - p0) / s2, rel=1e-7)


def test_letters_invariant_to_units_row_order_and_labels() -> None:
    d = _factorial(np.array([1, 2, 3, 4, 2, 1, 3, 2, 4, 1, 2, 3]), seed=11)
    w = asr.asreml("y ~ A*B*C", data=d).wald(ssType="conditional")
    e = d.sample(frac=1.0, random_state=3).reset_index(drop=True)
    e["y"] = e["y"] * 1000.0
    e["B"] = e["B"].map({"b1": "z", "b2": "m", "b3": "a"})
    w2 = asr.asreml("y ~ A*B*C", data=e).wald(ssType="conditional")
    assert list(w2["Margin"]) == list(w["Margin"]) == UG_CODES
    np.testing.assert_allclose(w2["F.con"], w["F.con"], rtol=1e-7)


def test_nested_form_and_codes_from_containment() -> None:
    """SEX/DAY = SEX + SEX:DAY: blank, A, B; margin_codes on a containment list alone."""
    d = _factorial(np.full(12, 2), seed=2)
    w = r_wald(asr.asreml("y ~ A/B", data=d), denDF="numeric", ssType="conditional")
    assert list(w["Margin"]) == ["", "A", "B"]
    # without factors: the intercept is the term every other one contains
    assert margin_codes([{1, 2}, {2}, set()]) == ["", "A", "B"]
    # a chain A < A:B < A:B:C beside an unrelated D: D is level A
    contains = [{1, 2, 3, 4}, {2, 3}, {3}, set(), set()]
    facs = [(), ("A",), ("A", "B"), ("A", "B", "C"), ("D",)]
    assert margin_codes(contains, facs) == ["", "A", "B", "C", "A"]
