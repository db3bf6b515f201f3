"""Is the REML log-likelihood bounded along a singular covariance matrix? (s32unb)

A fit can end with a covariance matrix M held singular (on a face of the positive-definite
cone, :mod:`asr_py.reml.pd_face`, or held at the correlation-scale floor PD_EPS). That is a
boundary estimate when ℓ has a finite limit there; but when the records hold d > 0
contrasts w (w'X = 0) that no random term reaches and that M's null combination makes
exactly 0 (w'y = 0: e.g. a residual ``units:us(trait)`` whose only pure-replicate contrasts
-- repeated records of an id, ids with identical rows in a genomic K -- are fewer than its
traits: the trait combination v with v'(y_a − y_b) = 0 has no residual left), V becomes
singular along w with y in its range and

    ℓ(λ) = −½ d ln λ + O(1) → +∞  as λ (M's small correlation-scale eigenvalues) → 0:

ℓ is unbounded and there is no REML estimate; the number the engine stops at is set by its
floor (FINAL_RIDGE, PD_EPS). On a bounded boundary ℓ changes by O(λ) instead (the gain of
moving along the normal cone, ≤ |∂ℓ/∂λ|·λ).

:func:`probe` tells them apart from ℓ itself: M's correlation-scale eigenvalues below
RANK_TOL are multiplied by κ = 0.1 and 0.01 (the rest of θ held), and ℓ is compared at the
three points. Unbounded: both decades gain at least UNB_RATE·ln 10 (d/2·ln 10 ≥ 1.15
expected, d ≥ 1); bounded: a few λ·|∂ℓ/∂λ| (< 1e-3 at the floors). d is estimated from
the mean gain per decade, d ≈ (Δ₁ + Δ₂)/ln 10 (away from the optimum in the other
parameters the first decade can still pay for them). ℓ is read from V formed directly when
there are at most V_MAX records (accurate at any λ; :mod:`asr_py.reml.v_loglik`), else from
the mixed model equations. Any block of the PDBlock interface (``matrix``, ``scaled_eig``,
``params_of``, ``corr``, ``idx``, ``name``) is probed; nothing here knows a template.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: eigenvalues of the correlation matrix below this are the ones shrunk (pd_face.RANK_TOL)
SMALL = 1e-3
#: the shrink factors of the probe (one and two decades)
KAPPAS = (0.1, 0.01)
#: least gain per e-fold of λ, over each decade, that counts as unbounded (d/2 ≥ 0.5 expected)
UNB_RATE = 0.25
#: ℓ from V formed directly for at most this many records
V_MAX = 2000
#: a change of ℓ (each decade) the mixed model equations' ℓ is trusted to call bounded
FLAT = 0.05

#: how the note starts (results/fit.py turns it into the fit's ConvergenceWarning)
UNB_HEAD = "the REML log-likelihood is unbounded"
#: why, and what to do (shared by both notes)
UNB_CAUSE = ("The {combo} a variance of 0: the records hold too "
             "few contrasts free of every fixed and random effect (replicates: repeated "
             "records of an id, ids with identical rows in a relationship matrix, ...) to "
             "estimate {name} in full, and that combination of them is exactly 0 in the "
             "data. Fit a simpler structure there (diag/idh instead of us), remove the "
             "duplicated records or ids, or fix the singular part")
UNB_NOTE = (UNB_HEAD + ": it rises by {g1:.3g} and {g2:.3g} over two successive decades of "
            "the small eigenvalues of the correlation matrix of {name} (smallest {lam:.2g}) "
            "(≈ {d}/2·ln 10 per decade: V is singular along {d} record contrast(s) that "
            "the data fit exactly), so the reported values are set by the engine's floor on "
            "that eigenvalue: they are no optimum and no REML estimates (coded 'S'). "
            + UNB_CAUSE)


@dataclass(frozen=True)
class Unbounded:
    """A block along whose singular directions ℓ rises without bound."""

    name: str
    idx: np.ndarray  # the block's θ indices
    gains: tuple[float, float]  # ℓ gained over the first and the second decade of λ
    d: int  # estimated null dimension of V (≈ 2 x mean gain per decade / ln 10)
    lam: float  # the smallest correlation-scale eigenvalue at the reported point
    combo: np.ndarray  # the null combinations of M's levels (columns), corr. scale, orthonormal


def shrink(block: Any, theta: np.ndarray, kappa: float, k: int | None = None
           ) -> np.ndarray | None:
    """θ with the block's ``k`` smallest correlation-scale eigenvalues (default: all below
    SMALL; only those below SMALL in any case) multiplied by ``kappa`` (None when there are
    none or a variance is not positive). A correlation block is rescaled to a unit diagonal
    afterwards."""
    m = block.matrix(theta)
    se = block.scaled_eig(m)
    if se is None:
        return None
    mu, w, d = se
    small = mu < SMALL
    if k is not None:
        small &= np.arange(mu.size) < k
    if not small.any():
        return None
    s = (w * np.where(small, kappa * np.maximum(mu, 0.0), mu)) @ w.T
    if block.corr:
        r = 1.0 / np.sqrt(np.diag(s))
        s = s * r[:, None] * r[None, :]
    else:
        sd = np.sqrt(d)
        s = s * sd[:, None] * sd[None, :]
    out = theta.copy()
    out[block.idx] = block.params_of(s)
    return out


def n_small(block: Any, theta: np.ndarray) -> int:
    """How many of the block's correlation-scale eigenvalues are below SMALL (0 when it has
    a non-positive variance)."""
    se = block.scaled_eig(block.matrix(theta))
    return 0 if se is None else int(np.sum(se[0] < SMALL))


def values(block: Any, theta: np.ndarray, loglik: Callable[[np.ndarray], float | None],
           k: int) -> list[float | None]:
    """ℓ at θ and with the ``k`` smallest eigenvalues (below SMALL) x each κ of KAPPAS."""
    pts = [shrink(block, theta, kappa, k) for kappa in KAPPAS]
    return [loglik(theta)] + [None if p is None else loglik(p) for p in pts]


def gains(vals: Sequence[float | None]) -> tuple[float, float] | None:
    """(ℓ gained over the first decade, over the second) of :func:`values`; None when one
    of them could not be evaluated."""
    if any(v is None or not np.isfinite(v) for v in vals):
        return None
    a, b, c = (float(v) for v in vals)  # type: ignore[arg-type]
    return b - a, c - b


def rises(g: tuple[float, float] | None) -> bool:
    """Both decades gain at least UNB_RATE·ln 10."""
    least = UNB_RATE * np.log(10.0)
    return g is not None and g[0] >= least and g[1] >= least


def flat(g: tuple[float, float] | None) -> bool:
    """Both decades change ℓ by at most FLAT: a bounded boundary, read to the digits the
    likelihood has (the mixed model equations' ℓ loses them as λ → 0; anything else is
    judged on V)."""
    return g is not None and abs(g[0]) <= FLAT and abs(g[1]) <= FLAT


def probe(block: Any, theta: np.ndarray, loglik: Callable[[np.ndarray], float | None],
          seen: list[tuple[int, tuple[float, float] | None]] | None = None
          ) -> Unbounded | None:
    """:class:`Unbounded` when ℓ (``loglik``: None where it cannot be evaluated) rises by
    at least UNB_RATE·ln 10 over each of two decades of the block's k smallest eigenvalues
    (k = 1, ..., the number below SMALL): a null of any dimension. Of the k that rise, the
    one gaining most (d, the record contrasts), the smallest of equal d: a direction that
    adds nothing, or a bounded one among the small ones, is left out. ``seen`` collects
    (k, gains) of every k tried."""
    ks = n_small(block, theta)
    best: tuple[int, int, tuple[float, float]] | None = None
    for k in range(1, ks + 1):
        g = gains(values(block, theta, loglik, k))
        if seen is not None:
            seen.append((k, g))
        if not rises(g):
            continue
        assert g is not None
        d = max(1, int(round((g[0] + g[1]) / np.log(10.0))))
        if best is None or d > best[0]:  # the most contrasts, on the fewest directions
            best = (d, k, g)
    if best is None:
        return None
    d, k, g = best
    mu, w, _ = block.scaled_eig(block.matrix(theta))
    return Unbounded(block.name, np.asarray(block.idx), g, d, float(mu[0]), w[:, :k])


def find(blocks: Sequence[Any], theta: np.ndarray,
         loglik: Callable[[np.ndarray], float | None]) -> list[Unbounded]:
    """The blocks of ``blocks`` (each once) along which ℓ is unbounded."""
    out, seen = [], set()
    for b in blocks:
        if id(b) in seen:
            continue
        seen.add(id(b))
        u = probe(b, theta, loglik)
        if u is not None:
            out.append(u)
    return out


def level_labels(names: Sequence[str], block: Any, n: int) -> list[str]:
    """Labels of the block's n levels from its diagonal parameters' names (``...!a:a`` or
    ``...!trait_y1:y1`` -> the part after the last ':'); 'level i' where they cannot be
    read."""
    out = [f"level {i + 1}" for i in range(n)]
    if block.corr:
        return out
    E = np.asarray(block.E)
    for k, j in enumerate(np.asarray(block.idx)):
        nz = np.argwhere(np.abs(E[k]) > 0)
        if len(nz) == 1 and nz[0][0] == nz[0][1]:
            out[int(nz[0][0])] = str(names[int(j)]).split("!")[-1].split(":")[-1]
    return out


def _one(w: np.ndarray, labels: Sequence[str]) -> str:
    w = w / np.abs(w).max()
    if w[np.argmax(np.abs(w))] < 0:
        w = -w
    parts = [(c, lb) for c, lb in zip(w, labels) if abs(c) >= 1e-3]
    s = " ".join(f"{'−' if c < 0 else '+'} {abs(c):.3g}·z({lb})" for c, lb in parts)
    return s.lstrip("+ ").strip()


def combination(w: np.ndarray, labels: Sequence[str]) -> str:
    """'combination 0.71·z(y1) − 0.71·z(y2) of its levels has' (z: a level scaled by its
    own standard deviation in the matrix; terms below 1e-3 of the largest left out); for
    the k columns of a k-dimensional null 'k combinations ... and ... (and every mix of
    them) of its levels have'."""
    w = np.asarray(w, dtype=float)
    w = w.reshape(w.shape[0], -1)
    z = " (z: a level over its standard deviation in the matrix)"
    if w.shape[1] == 1:
        return f"combination {_one(w[:, 0], labels)}{z} of its levels has"
    each = "; ".join(_one(w[:, j], labels) for j in range(w.shape[1]))
    return (f"{w.shape[1]} combinations {each}{z} of its levels (and every mix of them) "
            "have")


def note(u: Unbounded, labels: Sequence[str]) -> str:
    """The diagnostic of an unbounded ℓ along ``u`` (:data:`UNB_NOTE`)."""
    return UNB_NOTE.format(g1=u.gains[0], g2=u.gains[1], name=u.name, lam=u.lam, d=u.d,
                           combo=combination(u.combo, labels))


__all__ = ["FLAT", "Unbounded", "UNB_CAUSE", "UNB_HEAD", "UNB_NOTE", "combination", "find",
           "flat", "gains", "level_labels", "n_small", "note", "probe", "rises", "shrink",
           "values"]
