"""Which fixed terms a conditional Wald test may not adjust for, and the full columns of X.

asreml's rule for the conditional (F.con) tests (ASReml User Guide, "Conditional F
statistics"): a term is not adjusted for another term that encompasses it explicitly (A:C
is not adjusted for A:B:C: the factors of A:C are a strict subset of those of A:B:C) or
implicitly (REGION is not adjusted for LOCATION when locations are nested in regions
although coded independently). Implicit here: on the records of the fit, the level
combination of the inner term's factors is a function of the outer term's, with strictly
fewer combinations, and the inner term's covariates (and ``trait``) are among the outer's.

:func:`margin_codes` gives asreml's marginality code of each conditional test (its
``Margin`` column, the M code of ASReml's F-con table): the term's level in that containment
order, A for a term containing nothing but the intercept, B for one containing an A term,
..., level(k) = 1 + max level of the terms k contains (the intercept at level 0); blank
(ASReml's ".") where the test adjusts for nothing, every other term containing it (the
intercept; ``trait`` in a multivariate model without one). The ASReml User Guide's
three-way factorial: 1 ".", A B C "A", A.B A.C B.C "B", A.B.C "C". Printed asreml-R tables
agree (intercept blank, main effects A; ``trait`` blank and ``at(trait, t):X`` B in a
multivariate fit). Reading the letter as the term's number of factors gives the same letters
on all of them; the two differ for an interaction fitted without its main effects (A:B alone:
A here) and for implicit nesting (Location within Region: B here), which no printed table
seen decides.

:func:`full_columns` gives, for the aliased parameterisation (asreml and asr_py drop the
columns that are linear combinations of earlier ones), T with X_full = X_kept·T and each
term's columns in X_full: a term tested after terms whose columns were dropped (because a
later term made them aliased) must be tested against the span of all their columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from asr_py.model.trait_factor import TRAIT, is_response_trait

if TYPE_CHECKING:  # pragma: no cover
    from asr_py.model.spec import Model


def _explicit(outer: tuple[str, ...], inner: tuple[str, ...]) -> bool:
    return set(inner) < set(outer)


def containment(model: Model) -> list[set[int]]:
    """For each fixed term, the positions of the terms that contain it (explicitly or
    implicitly, module docstring)."""
    terms = model.fixed.terms
    frame = model.records.frame
    rows = np.unique(np.asarray(model.records.row))
    sub = frame.iloc[rows] if len(rows) else frame
    n = len(terms)
    out: list[set[int]] = [set() for _ in range(n)]
    # the response-dimension factor (multivariate trait): not a data column
    resp = {TRAIT} if is_response_trait(TRAIT, model.records) else set()
    codes: dict[tuple[str, ...], tuple[np.ndarray, int] | None] = {}

    def combo(facs: tuple[str, ...]) -> tuple[np.ndarray, int] | None:
        """Codes of the level combinations of ``facs`` over the records (None: a factor
        is not a data column)."""
        if facs not in codes:
            if not all(f in sub.columns for f in facs):
                codes[facs] = None
            else:
                key = pd.MultiIndex.from_frame(sub[list(facs)].astype(str))
                c, u = pd.factorize(key)
                codes[facs] = (c, len(u))
        return codes[facs]

    for k, tk in enumerate(terms):
        for s, ts in enumerate(terms):
            if s == k:
                continue
            if _explicit(tuple(ts.factors), tuple(tk.factors)):
                out[k].add(s)
                continue
            fk = tuple(f for f in tk.factor_parts if f not in resp)
            fs = tuple(f for f in ts.factor_parts if f not in resp)
            ck = set(tk.factors) - set(tk.factor_parts) - resp
            cs = set(ts.factors) - set(ts.factor_parts) - resp
            if (not fk or not fs or not ck <= cs or set(fk) <= set(fs)
                    or (resp & set(tk.factors) and not resp & set(ts.factors))):
                continue
            a, b = combo(fk), combo(fs)
            if a is None or b is None or a[1] >= b[1]:
                continue
            pairs = pd.DataFrame({"s": b[0], "k": a[0]}).drop_duplicates()
            if not pairs["s"].duplicated().any():      # each s combination: one k one
                out[k].add(s)
    return out


def margin_codes(contains: Sequence[set[int]],
                 factors: Sequence[tuple[str, ...]] | None = None) -> list[str]:
    """asreml's ``Margin`` letter of each term's conditional test (module docstring), from
    ``contains`` (for each term, the terms that contain it: :func:`containment`) and each
    term's factors (the intercept has none; without ``factors`` a term no other term
    contains is not the intercept and a term every other one contains is)."""
    n = len(contains)
    inner = [[s for s in range(n) if s != k and k in contains[s]] for k in range(n)]
    level: dict[int, int] = {}

    def lev(k: int, seen: frozenset[int]) -> int:
        if k not in level:
            if (factors[k] == () if factors is not None else
                    len(contains[k]) == n - 1 and n > 1):
                level[k] = 0
            else:               # a containment cycle cannot occur (strict order); guarded
                level[k] = 1 + max((lev(s, seen | {k}) for s in inner[k] if s not in seen),
                                   default=0)
        return level[k]

    codes = []
    for k in range(n):
        if n == 1 or len(contains[k] - {k}) == n - 1:   # adjusted for nothing
            codes.append("")
        else:
            lk = lev(k, frozenset())
            codes.append(chr(ord("A") + lk - 1) if 1 <= lk <= 26 else "")
    return codes


def full_columns(model: Model) -> tuple[np.ndarray, list[list[int]]] | None:
    """(T, the columns of each term in X_full) with X_full = X_kept·T; None when no column
    is aliased (T = I)."""
    fx = model.fixed
    if not fx.aliased or not fx.all_names:
        return None
    N = np.asarray(fx.null_basis, dtype=float)
    pos = {nm: j for j, nm in enumerate(fx.all_names)}
    kept = [pos[nm] for nm in fx.names]
    dropped = [pos[nm] for nm in fx.aliased if nm in pos]
    if N.shape[1] != len(dropped):
        return None
    Nd = N[dropped, :]
    if np.linalg.matrix_rank(Nd) < len(dropped):
        return None
    Ne = N @ np.linalg.inv(Nd)          # null vectors with the identity on the dropped rows
    T = np.zeros((len(kept), len(fx.all_names)))
    T[np.arange(len(kept)), kept] = 1.0
    T[:, dropped] = -Ne[kept, :]
    # the intercept lists no all_columns: its kept column then
    cols = [[pos[nm] for nm in t.all_columns if nm in pos]
            or [pos[fx.names[c]] for c in t.columns] for t in fx.terms]
    return T, cols
