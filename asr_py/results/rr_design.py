"""asreml's extended design of an ``fa``/``rr`` term: its factor scores as effects.

ASReml fits a factor-analytic term u = (Λ ⊗ I) f + δ (f ~ N(0, I_k ⊗ K), δ ~ N(0, Ψ ⊗ K)) in
its extended form (ASReml User Guide, XFA: "the design matrix for f augmented with k columns
of zeros for the k factors"): the term's effects are (u, f), the fa factor's levels followed
by k score levels, and their design [Z, 0]. asreml-R 4 lists these rows in ``coef random``
(``Comp1``..``Compk``), in ``fit$design`` (zero columns) and in C⁻¹ (``Csparse``): a
``str(~ mbf(Co):G, ~ rr(n, k):id(G))`` term is written with k zero placeholder covariates for
them (``x0 = 0, x00 = 0``: m-hrachov's C_inv script reads a (n + k) x 25 square block of
``Csparse`` for 25 genotypes, Piepho's extended Finlay-Wilkinson code builds ``C2`` with two).
Only then are the scores columns of ``fit$design`` and rows of ``Csparse`` here: asreml
4.1's design of a direct ``fa(Site, 2):Geno`` term has the Site x Geno columns alone
(asremlPlus's test41MET.r), and no asreml output shows a direct term's Csparse.

The block of C⁻¹ over (u, f) is the joint prediction error covariance

    Var([u − û; f − f̂]),  Cov(f − f̂, u − û) = A C⁻¹_uu,  Var(f − f̂) = (I − AΛ) ⊗ K + A C⁻¹_uu A',

with A = Λ'Σ⁺ ⊗ I (f̂ = A û, f − A u independent of y: :mod:`asr_py.results.fa_scores`).

Two routes compute it:

* the **design route**: an ``rr`` term is fitted through its latent factors
  (:mod:`asr_py.reml.rr_latent`: the mixed-model equations hold f with design Z(Λ ⊗ I) and
  u = (Λ ⊗ I) f), so the block is [M; I] C⁻¹_ff [M; I]' straight from the factor of those
  equations (M = Λ ⊗ I in the term's layout, read from the fit's map back);
* the **back-transform**: E C⁻¹_uu E' + blockdiag(0, (I − AΛ) ⊗ K), E = [I; A], for fa terms
  and any rr term not fitted so.

Both give the same block for rr (tests/results/test_rr_design.py checks them against each
other and against a dense BLUP of (u, f)).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

if TYPE_CHECKING:  # pragma: no cover
    from asr_py.results.fit import AsremlFit

__all__ = ["ExtendedTerm", "extended_cinv", "extended_design", "extended_levels", "extended_terms",
           "has_score_columns", "score_names"]


@dataclass(frozen=True)
class ExtendedTerm:
    """One fa/rr term's extended layout: ``term`` (its position in ``fit.model.random``),
    ``axis`` (the fa factor's position among its parts), ``shape`` (the parts' sizes), ``k``
    scores; ``is_score`` marks the score effects of the extended layout (the fa factor's
    levels followed by the k score levels along ``axis``, the other parts as in u)."""

    term: int
    axis: int
    shape: tuple[int, ...]
    k: int

    @property
    def ext_shape(self) -> tuple[int, ...]:
        s = list(self.shape)
        s[self.axis] += self.k
        return tuple(s)

    def positions(self) -> tuple[np.ndarray, np.ndarray]:
        """Where u's effects and f's scores (each flattened in its own C order) sit in the
        extended layout."""
        ext = np.arange(int(np.prod(self.ext_shape))).reshape(self.ext_shape)
        n = self.shape[self.axis]
        u = np.take(ext, np.arange(n), axis=self.axis).ravel()
        f = np.take(ext, np.arange(n, n + self.k), axis=self.axis).ravel()
        return u, f

    @property
    def is_score(self) -> np.ndarray:
        flag = np.zeros(int(np.prod(self.ext_shape)), dtype=bool)
        flag[self.positions()[1]] = True
        return flag


def extended_terms(fit: AsremlFit) -> dict[int, ExtendedTerm]:
    """The fa/rr terms of ``fit`` with their extended layout, by position in
    ``fit.model.random``."""
    from asr_py.results.fa_scores import fa_scores

    if not fit.model.param_map.structures:
        return {}
    return {i: ExtendedTerm(i, s.axis, tuple(int(x) for x in s.shape), int(s.k))
            for i, s in fa_scores(fit).items()}


def has_score_columns(fit: AsremlFit, i: int) -> bool:
    """Whether term ``i``'s scores are columns of asreml's design and rows of its
    ``Csparse``: a ``str()`` term written with placeholder covariates for them (asreml 4.1's
    design of ``fa(Site, 2):Geno`` has Site x Geno columns only: asremlPlus's test41MET.r
    forms V from ``grep(term, colnames(design))`` with G ⊗ I of that size)."""
    terms = fit.model.random
    return 0 <= i < len(terms) and bool(getattr(terms[i], "score_labels", ()))


def score_names(term: object, k: int) -> list[str]:
    """The names of a term's k score levels: its ``str()`` placeholders' labels (``x0``,
    ``x00``) when it was written with them, else asreml's ``Comp1``..``Compk``."""
    given = tuple(getattr(term, "score_labels", ()) or ())
    return list(given) if len(given) == k else [f"Comp{r + 1}" for r in range(k)]


def _offset(fit: AsremlFit, i: int) -> int:
    res = fit.result
    return int(res.beta.size + sum(np.asarray(u).size for u in res.u[:i]))


def _design_route(fit: AsremlFit, et: ExtendedTerm, lam: np.ndarray) -> np.ndarray | None:
    """[M; I] C⁻¹_ff [M; I]' from the latent (score) equations of an rr term, [u; f] order;
    None when the fit's factor does not hold them."""
    from asr_py.reml.psd import MappedFactor

    fac = fit.result.factor
    if not isinstance(fac, MappedFactor):
        return None
    nu = int(np.prod(et.shape))
    off = _offset(fit, et.term)
    block = sp.csr_matrix(fac.T[off:off + nu])
    cols = np.unique(block.indices)
    nf = nu // et.shape[et.axis] * et.k
    if cols.size != nf or cols[-1] - cols[0] != nf - 1:
        return None
    cols = np.arange(cols[0], cols[0] + nf)
    M = block[:, cols].toarray()
    # the latent map must be Λ ⊗ I in the scores' layout (else the f rows are not scores)
    expect = _kron_axis(lam, et)
    if not np.allclose(M, expect, rtol=1e-8, atol=1e-12 * max(1.0, np.abs(lam).max())):
        return None
    cff = fac.inner.inverse_block(cols)
    top = M @ cff
    return np.block([[top @ M.T, top], [top.T, cff]])


def _kron_axis(a: np.ndarray, et: ExtendedTerm) -> np.ndarray:
    """The matrix of x ↦ a applied along the fa axis (rows: u's layout, columns: f's)."""
    out = np.ones((1, 1))
    for j, n in enumerate(et.shape):
        out = np.kron(out, a if j == et.axis else np.eye(n))
    return out


def _back_transform(fit: AsremlFit, et: ExtendedTerm) -> np.ndarray:
    """E C⁻¹_uu E' + blockdiag(0, (I − AΛ) ⊗ K), [u; f] order (module docstring)."""
    from asr_py.results.fa_scores import _fa_term, _sigma_pinv

    ft = _fa_term(fit, et.term, 0)
    assert ft is not None
    off = _offset(fit, et.term)
    nu = int(np.prod(et.shape))
    cuu = fit.result.factor.inverse_block(np.arange(off, off + nu))
    A = ft.lam.T @ _sigma_pinv(ft)
    Ak = _kron_axis(A.T, et).T                       # (f x u)
    theta = np.asarray(fit.result.theta, dtype=float)
    parts = _parts(fit, et.term)
    prior = np.ones((1, 1))
    for j, p in enumerate(parts):
        if j == et.axis:
            m = np.eye(et.k) - A @ ft.lam
        else:
            m = _full_matrix(p, fit, theta)
        prior = np.kron(prior, m)
    cross = Ak @ cuu
    return np.block([[cuu, cross.T], [cross, cross @ Ak.T + prior]])


def _full_matrix(part: Any, fit: AsremlFit, theta: np.ndarray) -> np.ndarray:
    """A part's whole matrix at θ̂ (K of a known matrix, not only its diagonal)."""
    from asr_py.vcov.base import to_dense

    if part.n_params == 0:
        return np.asarray(to_dense(part.matrix(np.zeros(0))), dtype=float)
    for s in fit.model.param_map.structures:
        if s.template is part:
            return np.asarray(to_dense(part.matrix(theta[s.start:s.stop])), dtype=float)
    raise ValueError(f"no parameters of the part {part!r} in the fit")


def _parts(fit: AsremlFit, i: int) -> list[Any]:
    from asr_py.results.fa_scores import _kron_parts

    got = _kron_parts(fit.model.random[i].template)
    assert got is not None
    return got[0]


def extended_cinv(fit: AsremlFit, i: int, route: str = "auto") -> np.ndarray:
    """The block of C⁻¹ over term ``i``'s extended effects (u and its scores, in the extended
    layout: :class:`ExtendedTerm`), σ² included. ``route``: 'design' (the latent score
    equations of an rr fit; an error when the fit has none), 'back' (the back-transform) or
    'auto' (design when available)."""
    from asr_py.errors import AsrError
    from asr_py.results.fa_scores import _fa_term

    ets = extended_terms(fit)
    if i not in ets:
        raise AsrError(f"term {i} of the fit is not an fa/rr term",
                       hint="extended_cinv takes the position of an fa(f, k) or rr(f, k) term")
    if getattr(fit.result, "factor", None) is None:
        raise AsrError("this fit holds no factor of the coefficient matrix C",
                       hint="refit the model (a fit restored from a file has no C)")
    et = ets[i]
    joint = None
    if route in ("auto", "design"):
        ft = _fa_term(fit, i, 0)
        if ft is not None and not np.any(ft.psi):
            joint = _design_route(fit, et, ft.lam)
        if joint is None and route == "design":
            raise AsrError(f"term {i} was not fitted through its latent factors",
                           hint="route='back' or 'auto'")
    if joint is None:
        joint = _back_transform(fit, et)
    up, fp = et.positions()
    order = np.empty(up.size + fp.size, dtype=np.int64)
    order[np.concatenate([up, fp])] = np.arange(order.size)
    out = joint[np.ix_(order, order)]
    return 0.5 * (out + out.T)


def extended_levels(levels: list[str], et: ExtendedTerm, names: list[str]) -> list[str]:
    """The labels of a term's extended effects: u's ``a:b`` labels with the k score levels
    (``names``) inserted along the fa axis (:class:`ExtendedTerm`)."""
    nparts = len(et.shape)
    split = [str(lv).split(":", nparts - 1) for lv in levels]
    if len(split) != int(np.prod(et.shape)) or any(len(x) != nparts for x in split):
        split = [[str(v) for v in np.unravel_index(j, et.shape)]
                 for j in range(int(np.prod(et.shape)))]
    out = np.empty(int(np.prod(et.ext_shape)), dtype=object)
    up, fp = et.positions()
    out[up] = [":".join(x) for x in split]
    lab = np.array(split, dtype=object).reshape(*et.shape, nparts)
    base = np.take(lab, 0, axis=et.axis)            # the other parts' labels
    score = np.empty((et.k, *base.shape), dtype=object)
    for r in range(et.k):
        score[r] = base
        score[r][..., et.axis] = names[r]
    score = np.moveaxis(score, 0, et.axis)          # the scores' shape: axis of size k
    out[fp] = [":".join(x) for x in score.reshape(-1, nparts)]
    return [str(x) for x in out]


def extended_design(fit: AsremlFit, i: int, Z: np.ndarray, levels: list[str]
                    ) -> tuple[np.ndarray, list[str]] | None:
    """Term ``i``'s design in the extended layout (u's columns, zero columns for the scores)
    and its level labels; None for a term whose scores are not design columns (module
    docstring: only a ``str()`` term written with placeholders)."""
    if not has_score_columns(fit, i):
        return None
    et = extended_terms(fit).get(i)
    if et is None or Z.shape[1] != int(np.prod(et.shape)):
        return None
    up, _ = et.positions()
    out = np.zeros((Z.shape[0], int(np.prod(et.ext_shape))))
    out[:, up] = Z
    names = score_names(fit.model.random[i], et.k)
    return out, extended_levels(levels, et, names)
