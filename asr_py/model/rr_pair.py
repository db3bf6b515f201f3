"""ASReml's MET idiom ``rr(f, k):g + diag(f):g``, fitted as one factor-analytic term.

Two independent random terms with the same design Z (one per level pair of f and g) and
covariances ΛΛ'⊗K and Ψ⊗K add up to one term with covariance (ΛΛ' + Ψ)⊗K: the model of
``fa(f, k):g``. ``rr(f, k)`` alone has a singular ΛΛ' (rank k) that REML cannot invert, so
the pair is fitted as that one fa term. A ``rr`` term with no matching ``diag`` term is left
alone (fitted through its latent factors, :mod:`asr_py.reml.rr_latent`).

The terms pair when the rr term's first argument is the diag term's only argument and their
other parts (``g``, ``vm(g, K)``, ...) are written identically, in either order of the two
terms and anywhere in the formula.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from asr_py.formula.ast import Arg, Call, Expr, Term, TermList


@dataclass(frozen=True)
class RRPair:
    """One merged pair: the written rr and diag terms and the fa term fitted for them."""

    rr: Term
    diag: Term
    fa: Term


def _split(t: Term, func: str) -> tuple[int, Call, tuple[Expr, ...]] | None:
    """The position and call of the single ``func(...)`` part of ``t`` and its other parts."""
    hits = [i for i, p in enumerate(t.parts) if isinstance(p, Call) and p.func == func]
    if len(hits) != 1:
        return None
    i = hits[0]
    call = t.parts[i]
    assert isinstance(call, Call)
    return i, call, t.parts[:i] + t.parts[i + 1:]


def _key(rest: tuple[Expr, ...]) -> tuple[str, ...]:
    return tuple(str(p) for p in rest)


def merge_rr_diag(terms: TermList) -> tuple[TermList, list[RRPair]]:
    """Replace each ``rr(f, k):g`` + ``diag(f):g`` pair by ``fa(f, k):g`` (at the rr term's
    place); other terms are returned unchanged and in order."""
    diags: dict[tuple[str, tuple[str, ...]], int] = {}
    for j, t in enumerate(terms.terms):
        s = _split(t, "diag")
        if s is None:
            continue
        _, call, rest = s
        pos = [a for a in call.args if a.name is None]
        if len(pos) != 1 or len(call.args) != 1:
            continue  # diag(f, init = ...) and the like: not a pair member
        diags.setdefault((str(pos[0].value), _key(rest)), j)
    pairs: list[RRPair] = []
    drop: set[int] = set()
    new: list[Term] = []
    for t in terms.terms:
        s = _split(t, "rr")
        if s is not None:
            at, call, rest = s
            pos = [a for a in call.args if a.name is None]
            j = diags.get((str(pos[0].value), _key(rest))) if pos else None
            if j is not None and j not in drop:
                drop.add(j)
                fa_call = Call("fa", tuple(Arg(a.value, a.name, span=a.span) for a in call.args),
                               span=call.span)
                fa = replace(t, parts=t.parts[:at] + (fa_call,) + t.parts[at + 1:])
                pairs.append(RRPair(t, terms.terms[j], fa))
                new.append(fa)
                continue
        new.append(t)
    if not pairs:
        return terms, []
    kept = tuple(t for k, t in enumerate(new) if k not in drop)  # one entry per written term
    return replace(terms, terms=kept), pairs


def split_pair_blups(fit: Any) -> list[tuple[str, pd.Series]]:
    """The BLUPs of each written term of every merged pair, as asreml reports them.

    With Gs = ΛΛ' + Ψ over the levels of f, G = Gs ⊗ K and the fa term's BLUP û = G Z'P y,
    the rr part is (ΛΛ'⊗K) G⁻¹ û = (ΛΛ' Gs⁻¹ ⊗ I) û and the diag part (Ψ Gs⁻¹ ⊗ I) û: K
    cancels, so only the n x n site matrices are solved. Returns (written term, BLUPs indexed
    by the fa term's levels) for the rr then the diag term of each pair; they sum to û.
    """
    model, res = fit.model, fit.result
    out: list[tuple[str, pd.Series]] = []
    start = 0
    theta = np.asarray(res.theta, dtype=float)
    for t, u in zip(model.random, res.u):
        n_par = len(t.param_names)
        pair = next((p for p in getattr(model, "rr_pairs", []) if _is_fa_of(t, p)), None)
        if pair is not None:
            th = dict(zip(t.param_names, theta[start:start + n_par]))
            psi = np.array([v for k, v in th.items() if k.endswith("!var")])
            n = psi.size
            k = sum(1 for j in range(1, len(th) + 1) if any(x.endswith(f"!fa{j}") for x in th))
            lam = np.array([[v for x, v in th.items() if x.endswith(f"!fa{j + 1}")]
                            for j in range(k)]).T.reshape(n, k)
            lam_lam = lam @ lam.T
            gs = lam_lam + np.diag(psi)
            uu = np.asarray(u, dtype=float)
            if uu.size % n:
                raise ValueError(f"{t.label}: {uu.size} effects are not {n} site blocks")
            um = uu.reshape(n, -1)  # the fa factor's levels vary slowest (see the docstring)
            w = np.linalg.solve(gs, um)
            idx = pd.Index(t.levels if len(t.levels) == uu.size else range(uu.size))
            out.append((str(pair.rr), pd.Series((lam_lam @ w).ravel(), index=idx)))
            out.append((str(pair.diag), pd.Series((psi[:, None] * w).ravel(), index=idx)))
        start += n_par
    pairs = list(getattr(model, "rr_pairs", []))
    if len(out) != 2 * len(pairs):
        found = {label for label, _ in out}
        missing = [str(p.rr) for p in pairs if str(p.rr) not in found]
        raise ValueError(f"cannot split the BLUPs of {', '.join(missing)}: the rr factor is not "
                         "the term's first part; write rr(f, k):g + diag(f):g with f first")
    return out


def _is_fa_of(t: Any, pair: RRPair) -> bool:
    blocks = getattr(t, "blocks", [])
    fa_part = next((p for p in pair.fa.parts if isinstance(p, Call) and p.func == "fa"), None)
    if fa_part is None or not blocks:
        return False
    first = blocks[0]
    return getattr(first, "label", None) is not None and str(pair.fa.parts[0]) == str(fa_part) \
        and len(blocks) == len(pair.fa.parts) and _same_factor(first, fa_part)


def _same_factor(block: Any, call: Call) -> bool:
    pos = [a for a in call.args if a.name is None]
    return bool(pos) and str(pos[0].value) == str(getattr(block, "label", ""))


def pair_varcomp(fit: Any) -> pd.DataFrame:
    """``fit.varcomp`` with each merged pair listed as asreml lists the two written terms
    (the fit's own ``varcomp`` already is: :mod:`asr_py.results.varcomp_pair`).

    The fa term's rows become the rr term's: its n ``'!var'`` rows held at 0 (bound 'F'),
    then its n*k loadings; the diag term's n variances (Ψ, the fa term's ``'!var'`` values)
    follow as ``<label>!<f>_<level>`` rows, as a diag(f):g term is named on its own. The diag
    rows come first when the diag term was written first.
    """
    return fit.varcomp


def _diag_first(fit: Any, pair: RRPair) -> bool:
    """Whether the diag term of ``pair`` was written before its rr term."""
    d, r = pair.diag.parts[0].span, pair.rr.parts[0].span
    return d is not None and r is not None and d.start < r.start
