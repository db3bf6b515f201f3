"""Estimated covariance matrices of the structures of a fit, with delta-method standard errors.

Every random term (and every residual section) is a Kronecker product
G = [σ²] Σ_1(θ_1) ⊗ Σ_2(θ_2) ⊗ ... of the structures written on its factors
(``us(trait):vm(id, G)``: Σ_1 = the trait covariance, the known G carries no parameter).
:func:`covariance` returns the estimate Σ_i(θ̂_i) of each *structure with parameters*,
labelled by the levels of its factor: the 2 × 2 genetic covariance of ``us(trait):Name``,
ΛΛ' + Ψ of ``fa(Site, 2):Name``, the diagonal of ``diag(Env):Name``, the full matrix of
``corgh(Env):Name``. When no part of the term carries its own variance, the term's scale σ²
is multiplied into the first structured part (``cor(Env):Name`` gives σ² C, the covariance of
the Env effects); other parts of such a term stay correlation matrices.

Standard errors (delta method, as vpredict): with J the Jacobian of the elements with respect
to θ (J_k = ∂Σ/∂θ_k from the structure's own derivatives; for the scale, ∂(σ²C)/∂σ² = C) and
V = Var(θ̂) the inverse average information,

    Var(Σ̂_ij) = J_ij' V J_ij,
    r_ij = Σ_ij / sqrt(Σ_ii Σ_jj),
    ∂r_ij/∂θ_k = ∂Σ_ij/∂θ_k / sqrt(Σ_ii Σ_jj)
                 − r_ij/2 · (∂Σ_ii/∂θ_k / Σ_ii + ∂Σ_jj/∂θ_k / Σ_jj).

Parameters fixed by a constraint ('F') or held at their boundary ('B') count as known (no
variance; ASReml's rule, their Var(θ̂) rows are NaN); an element that depends on a NaN entry
of Var(θ̂) otherwise (a singular information matrix) gets a NaN standard error. (vpredict
returns NaN for any function of a 'B' parameter.)

Factor-analytic structures (:func:`fa_summary`): Σ = ΛΛ' + Ψ with Λ the n × k loadings
(ASReml's constraint λ_ij = 0 for i < j). Rotated to principal axes by the SVD Λ = U S V':
Λ* = Λ V = U S (orthogonal columns, by decreasing variance, each column's sign chosen so that
its sum is positive); Λ*Λ*' = Λ V V' Λ' = ΛΛ', so Σ does not change.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from asr_py.errors import AsrError
from asr_py.reml.params import StructureSpan
from asr_py.vcov.base import to_dense

if TYPE_CHECKING:  # pragma: no cover
    from asr_py.results.fit import AsremlFit


@dataclass(frozen=True)
class StructurePart(StructureSpan):
    """A structure span of the parameter map (:class:`asr_py.reml.params.StructureSpan`:
    ``key`` the name :func:`covariance` uses, ``start`` its first parameter in θ, ``scale``
    the term scale σ² multiplied into it) with its Σ(θ) and Jacobian."""

    def matrix(self, theta: np.ndarray) -> np.ndarray:
        """Σ at the full parameter vector θ (σ² Σ_i(θ_i) when scaled)."""
        th = np.asarray(theta, dtype=float)
        own = th[self.start:self.stop]
        m = to_dense(self.template.matrix(own))
        return m * th[self.scale] if self.scale is not None else m

    def jacobian(self, theta: np.ndarray) -> sp.csr_matrix:
        """J with J[i·n + j, k] = ∂Σ_ij/∂θ_k, k over :attr:`positions` (sparse, n² × k)."""
        th = np.asarray(theta, dtype=float)
        own = th[self.start:self.stop]
        ders = list(self.template.derivatives(own))
        if self.scale is not None:
            s = th[self.scale]
            ders = [self.template.matrix(own)] + [d * s for d in ders]
        nn = self.template.n ** 2
        cols = [sp.csr_matrix(d).reshape((nn, 1)) for d in ders]
        out = sp.hstack(cols, format="csr") if cols else sp.csr_matrix((nn, 0))
        out.eliminate_zeros()
        return out


def structure_parts(fit: AsremlFit) -> list[StructurePart]:
    """Every structure with parameters, random terms first then the residual sections (the
    spans of the model's parameter map, :mod:`asr_py.reml.params`)."""
    return [StructurePart(**{f.name: getattr(s, f.name) for f in fields(s)})
            for s in fit.model.param_map.structures]


def _find(fit: AsremlFit, term: str | None, part: str | None) -> list[StructurePart]:
    parts = structure_parts(fit)
    if not parts:
        raise AsrError("covariance: the model has no variance structure with parameters",
                       hint="structures are written on factors: us(trait):Name, "
                            "diag(Env):Name, fa(Site, 2):Name, units:us(trait)")
    if term is None:
        sel = parts
    elif term == "residual":
        sel = [p for p in parts if p.residual]
    else:
        sel = [p for p in parts if term in (p.key, p.term)]
        if not sel:     # the formula's spelling: 'us(trait):gen' names the term 'trait:gen'
            key = _term_key(term)
            sel = [p for p in parts if key in (p.key, p.term)]
    if not sel:
        known = sorted({p.key for p in parts} | {p.term for p in parts})
        close = difflib.get_close_matches(str(term), known, n=3, cutoff=0.5)
        raise AsrError(f"covariance: no structure with parameters in a term '{term}'",
                       hint=(f"did you mean {' or '.join(repr(c) for c in close)}? " if close
                             else "") + "terms with structures: " + ", ".join(map(repr, known)))
    if part is not None:
        chosen = [p for p in sel if p.factor == part]
        if not chosen:
            facs = sorted({p.factor for p in sel})
            close = difflib.get_close_matches(part, facs, n=1, cutoff=0.5)
            raise AsrError(f"covariance: '{term}' has no structured part on '{part}'",
                           hint=(f"did you mean {close[0]!r}? " if close else "")
                           + "parts: " + ", ".join(map(repr, facs)))
        sel = chosen
    return sel


def _term_key(term: str) -> str | None:
    """The name of a random term written as in the formula (``us(trait):gen``,
    ``diag(Env):vm(id, A)``): each variance-structure call replaced by its factor, as the
    parameter names have it (``trait:gen``); None when the text does not parse as one term."""
    from asr_py.formula.ast import Call
    from asr_py.formula.expand import expand
    from asr_py.formula.functions import is_variance_structure
    from asr_py.formula.parser import parse_formula

    try:
        terms = expand(parse_formula(f"~ {term}", "random"), "random").terms
    except AsrError:
        return None
    if len(terms) != 1:
        return None
    return ":".join(str(p.positional()[0]) if isinstance(p, Call) and p.positional()
                    and is_variance_structure(p.func) else str(p) for p in terms[0].parts)


def _vcov_block(fit: AsremlFit, pos: np.ndarray) -> np.ndarray:
    """Var(θ̂) over ``pos``; parameters fixed ('F') or at a boundary ('B') are known (zero)."""
    V = np.array(fit.result.vcov_theta, dtype=float)[np.ix_(pos, pos)]
    fixed = np.array([fit.result.constraints[i] in ("F", "B") for i in pos], dtype=bool)
    V[fixed, :] = 0.0
    V[:, fixed] = 0.0
    return V


def _delta_se(J: sp.csr_matrix, V: np.ndarray) -> np.ndarray:
    """sqrt(g_e' V g_e) for each row g_e of the sparse Jacobian J (n² × k), summing only over
    the parameters g_e depends on (vpredict's rule): 0 for a constant element, NaN where one
    of those entries of V is NaN. Vectorised over all pairs of non-zeros within a row."""
    J = sp.csr_matrix(J)
    J.eliminate_zeros()
    m = J.shape[0]
    counts = np.diff(J.indptr)
    row_of = np.repeat(np.arange(m), counts)
    reps = counts[row_of]  # partners of each non-zero: the non-zeros of its row
    t = np.repeat(np.arange(J.nnz), reps)
    first = np.repeat(np.cumsum(reps) - reps, reps)
    partner = J.indptr[row_of][t] + (np.arange(t.size) - first)
    contrib = J.data[t] * J.data[partner] * V[J.indices[t], J.indices[partner]]
    var = np.bincount(row_of[t], weights=contrib, minlength=m)
    n = int(round(np.sqrt(m)))
    return np.sqrt(np.clip(var, 0.0, None)).reshape(n, n)


def correlation_jacobian(S: np.ndarray, J: sp.csr_matrix) -> tuple[np.ndarray, sp.csr_matrix]:
    """R = D^{-1/2} S D^{-1/2} and its Jacobian from that of S (module docstring):
    ∂r_ij = ∂Σ_ij / s_ij − r_ij/2 (∂Σ_ii/Σ_ii + ∂Σ_jj/Σ_jj), zero on the diagonal, diag R = 1."""
    n = S.shape[0]
    d = np.diag(S).astype(float)
    with np.errstate(all="ignore"):
        s = np.sqrt(np.outer(d, d))
        R = S / s
        first = sp.csr_matrix(J.multiply((1.0 / s).reshape(-1, 1)))
        diag_rows = np.arange(n) * (n + 1)
        dd = sp.csr_matrix(sp.diags(1.0 / d) @ J[diag_rows, :])  # ∂Σ_ii/∂θ_k / Σ_ii
        i, j = np.nonzero((R != 0) & ~np.eye(n, dtype=bool))
        e = i * n + j
        r = -0.5 * R[i, j]
        P = (sp.csr_matrix((r, (e, i)), shape=(n * n, n))
             + sp.csr_matrix((r, (e, j)), shape=(n * n, n)))
        JR = sp.csr_matrix(first + P @ dd)
    off = np.ones(n * n)
    off[np.arange(n) * (n + 1)] = 0.0
    JR = sp.csr_matrix(sp.diags(off) @ JR)
    JR.eliminate_zeros()
    np.fill_diagonal(R, np.where(d > 0, 1.0, np.nan))
    return R, JR


def _frame(m: np.ndarray, p: StructurePart) -> pd.DataFrame:
    idx = pd.Index(list(p.levels), name=p.factor)
    return pd.DataFrame(m, index=idx, columns=pd.Index(list(p.levels), name=p.factor))


def part_matrix(fit: AsremlFit, p: StructurePart, correlation: bool = False) -> pd.DataFrame:
    """Σ̂ (or its correlation matrix) of one part, SEs in ``attrs['se']``."""
    theta = np.asarray(fit.result.theta, dtype=float)
    S = p.matrix(theta)
    J = p.jacobian(theta)
    if correlation:
        S, J = correlation_jacobian(S, J)
    se = _delta_se(J, _vcov_block(fit, p.positions))
    df = _frame(S, p)
    df.attrs["se"] = _frame(se, p)
    df.attrs["term"] = p.key
    return df


def covariance(fit: AsremlFit, term: str | None = None, part: str | None = None,
               correlation: bool = False) -> pd.DataFrame | dict[str, pd.DataFrame]:
    """The estimated Σ of the structures of ``term`` (see the module docstring).

    One structure selected: a DataFrame labelled by the factor's levels, its delta-method
    standard errors in ``df.attrs['se']`` (same shape). Otherwise a dict over the structure
    keys (every term with structures when ``term`` is None)."""
    sel = _find(fit, term, part)
    if term is not None and len(sel) == 1:
        return part_matrix(fit, sel[0], correlation)
    return {p.key: part_matrix(fit, p, correlation) for p in sel}


@dataclass
class FASummary:
    """A fitted factor-analytic (or reduced-rank) structure Σ = ΛΛ' + Ψ.

    ``loadings`` (levels × fa1..fak; rotated to principal axes if asked), ``specific`` (the
    ψ_i; zeros for rr), ``covariance`` ΛΛ' + Ψ, ``correlation``, ``variance_explained``
    (100 · ||λ_j||² / tr Σ per factor, the share of the total variance) and ``rotation``
    (the k × k orthogonal V with loadings = Λ_estimated · V; the identity when not rotated).
    """

    term: str
    loadings: pd.DataFrame
    specific: pd.Series
    covariance: pd.DataFrame
    correlation: pd.DataFrame
    variance_explained: pd.Series
    rotation: np.ndarray


def rotate_loadings(lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Λ V, V) with Λ = U S V' the SVD: principal axes, columns by decreasing singular value,
    each column's sign flipped so that it sums to a non-negative number."""
    _, _, vt = np.linalg.svd(lam, full_matrices=False)
    V = vt.T
    rot = lam @ V
    flip = np.where(rot.sum(axis=0) < 0, -1.0, 1.0)
    return rot * flip, V * flip


def fa_summary(fit: AsremlFit, term: str | None = None, rotate: bool = False) -> FASummary:
    """Loadings, specific variances and ΛΛ' + Ψ of a fitted ``fa``/``rr`` structure."""
    from asr_py.vcov.factor_analytic import FactorAnalytic, _Loadings

    parts = [p for p in structure_parts(fit) if isinstance(p.template, _Loadings)]
    if not parts:
        raise AsrError("fa: the model has no factor-analytic (fa/rr) structure",
                       hint="write one as fa(Site, 2):Name")
    if term is not None:
        sel = [p for p in parts if term in (p.key, p.term)]
        if not sel:
            keys = [p.key for p in parts]
            close = difflib.get_close_matches(term, keys, n=1, cutoff=0.5)
            raise AsrError(f"fa: no fa/rr structure in a term '{term}'",
                           hint=(f"did you mean {close[0]!r}? " if close else "")
                           + "fa terms: " + ", ".join(map(repr, keys)))
        parts = sel
    if len(parts) > 1:
        raise AsrError("fa: the model has several fa/rr structures",
                       hint="name one: " + ", ".join(repr(p.key) for p in parts))
    p = parts[0]
    t = p.template
    assert isinstance(t, _Loadings)
    theta = np.asarray(fit.result.theta, dtype=float)
    own = theta[p.start:p.start + t.n_params]
    n = t.n
    is_fa = isinstance(t, FactorAnalytic)
    psi = own[:n] if is_fa else np.zeros(n)
    lam = t.loadings(own[n:] if is_fa else own)
    V = np.eye(t.order)
    if rotate:
        lam, V = rotate_loadings(lam)
    S = p.matrix(theta)
    R, _ = correlation_jacobian(S, sp.csr_matrix((n * n, 0)))
    cols = [f"fa{j + 1}" for j in range(t.order)]
    idx = pd.Index(list(p.levels), name=p.factor)
    expl = 100.0 * (lam ** 2).sum(axis=0) / np.trace(S)
    return FASummary(p.key, pd.DataFrame(lam, index=idx, columns=cols),
                     pd.Series(psi, index=idx, name="specific"), _frame(S, p), _frame(R, p),
                     pd.Series(expl, index=cols, name="% variance"), V)
