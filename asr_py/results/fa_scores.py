"""Factor scores of ``fa``/``rr`` terms: asreml's ``Comp`` rows of the random coefficients.

A factor-analytic term ``fa(Site, k):Genotype`` has G = Σ ⊗ K with Σ = ΛΛ' + Ψ (Λ: n x k
loadings, Ψ diagonal; ``rr``: Ψ = 0) and K the covariance of the other factors (I, a
relationship matrix, ...). Its factor representation is

    u = (Λ ⊗ I) f + δ,   f ~ N(0, I_k ⊗ K),   δ ~ N(0, Ψ ⊗ K),  f ⟂ δ.

asreml 4 fits it in this extended form (Thompson et al. 2003, ASReml's ``xfa``: the fa
factor gets k extra levels ``Comp1``..``Compk``, columns of zeros in Z) and lists, after the
effects u of the Site levels, the BLUPs of f: ``fa(Site, 2)_Comp1:Genotype_G01`` (rows
grep'd as ``"Comp1:Genotype"`` by agriutilities' R/fa.R, ``"fa(env, 4)_Comp1:gen_"`` by
saulo-chaves/Cod_Pinus FAMM.R, ``"_Comp1$"`` of ``gen:fa(county, 2)`` in agridat's
besag.met.Rd, ``"Comp"`` by May_b_useful's fa.outs()). The Site factor's levels are
extended to (Site levels, Comp1..Compk) (``fit$G.param`` lists them so, scripts drop them
with ``levels[-grep("Comp", levels)]``), so the term's coefficients are the Kronecker layout
over the extended levels: for ``fa(Site, k):Genotype`` all Site:Genotype effects, then
Comp1 for every genotype, ..., Compk; for ``Genotype:fa(Site, k)`` per genotype its Site
effects then its k scores. The scores are on asreml's unrotated Λ (λ_ij = 0 for i < j); the
readers rotate them themselves (f* = S V'f or V'f from the SVD Λ = U S V').

Scores and their prediction error variances. Since y depends on f only through u,

    f̂ = E[f | y] = Cov(f, u) Var(u)⁺ û = (Λ'Σ⁺ ⊗ I) û =: A û

(exact for any K, as Cov(f, u) = Λ' ⊗ K and Var(u) = Σ ⊗ K), and f − A u is independent of
u and y, so

    Var(f − f̂) = (I_k − Λ'Σ⁺Λ) ⊗ K + A Var(u − û) A',

whose diagonal takes diag K from the term's other parts and diag(A C⁻¹_uu A') from the
fit's factor of C (:func:`asr_py.results.cinv_diag.cinv_diag`). Σ⁺ is the pseudo-inverse
(rr: Σ = ΛΛ', f̂ = Λ⁺û). f is unit-free (Var f = I): scaling y by c scales Λ and û by c and
leaves f̂ and its standard errors unchanged.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from asr_py.errors import MatrixError
from asr_py.warning_classes import AsrWarning

if TYPE_CHECKING:  # pragma: no cover
    from asr_py.results.fit import AsremlFit

__all__ = ["FAScores", "extended_layout", "fa_scores", "pair_parts", "random_rows"]

#: relative cut-off of Σ's eigenvalues in its pseudo-inverse (rr's null directions)
PINV_RCOND = 1e-10


@dataclass(frozen=True)
class FAScores:
    """The scores of one fa/rr term: ``axis`` (the position of the fa factor among the
    term's parts), ``shape`` (the parts' sizes), ``k`` factors, ``scores`` and ``se`` (the
    term's shape with the fa axis of size k, in the Kronecker order of the parts)."""

    term: int
    axis: int
    shape: tuple[int, ...]
    k: int
    scores: np.ndarray
    se: np.ndarray


def _kron_parts(template: Any) -> tuple[list[Any], bool] | None:
    """The parts of a term's template (first outermost) and whether a term scale multiplies
    them; None for a template that is not a plain product of parts."""
    from asr_py.vcov.kronecker import Kronecker

    if isinstance(template, Kronecker):
        return list(template.parts), bool(template.scale)
    return [template], False


def _known_diagonal(part: Any) -> np.ndarray:
    """diag K of a part without parameters (a known matrix, the identity). K⁻¹ given sparse
    (``ped()``, ``giv()``, a G-inverse): diag K = diag((K⁻¹)⁻¹) from a selected inverse of
    K⁻¹'s sparse factor (Takahashi; the cost of the factorization), never K itself, which a
    known matrix refuses to form densely above its size limit."""
    if getattr(part, "given_inverse", False) and getattr(part, "is_sparse", False):
        from asr_py.reml.solver import choose_backend, factorize

        kinv = sp.csc_matrix(part.inverse())
        idx = np.arange(kinv.shape[0])
        return np.asarray(factorize(kinv, choose_backend(kinv)).inverse_entries(idx, idx),
                          dtype=float)
    m = part.matrix(np.zeros(0))
    return np.asarray(m.diagonal() if sp.issparse(m) else np.diag(m), dtype=float)


def _part_matrix(part: Any, fit: AsremlFit, theta: np.ndarray) -> np.ndarray | None:
    """A part's Σ at θ̂ (its diagonal for a part without parameters: :func:`_known_diagonal`)."""
    from asr_py.vcov.base import to_dense

    if part.n_params == 0:
        return _known_diagonal(part)
    for s in fit.model.param_map.structures:
        if s.template is part:
            return np.asarray(to_dense(part.matrix(theta[s.start:s.stop])), dtype=float)
    return None


def _scale(fit: AsremlFit, fa_part: Any, theta: np.ndarray) -> float:
    """The term scale σ² multiplied into the fa part (1 when none)."""
    for s in fit.model.param_map.structures:
        if s.template is fa_part and s.scale is not None:
            return float(theta[s.scale])
    return 1.0


def _warn_no_se(label: str, err: Exception) -> None:
    warnings.warn(f"fa scores of {label!r}: their standard errors are NaN, as the diagonal "
                  f"of the term's known matrix is not available ({err})", AsrWarning, stacklevel=4)


@dataclass(frozen=True)
class _FATerm:
    """One fa/rr term at θ̂: its parts' sizes, the fa axis q, Λ (σ²-scaled), Σ, Ψ and the
    diagonal of every other part (K), and where its effects sit in C."""

    term: int
    axis: int
    shape: tuple[int, ...]
    lam: np.ndarray
    sigma: np.ndarray
    psi: np.ndarray
    diags: list[np.ndarray | None]
    offset: int


def _fa_term(fit: AsremlFit, i: int, offset: int) -> _FATerm | None:
    from asr_py.vcov.factor_analytic import FactorAnalytic

    t = fit.model.random[i]
    u = np.asarray(fit.result.u[i])
    got = _kron_parts(t.template)
    if got is None:
        return None
    parts, scaled = got
    hits = [q for q, p in enumerate(parts) if isinstance(p, FactorAnalytic)]
    shape = tuple(int(p.n) for p in parts)
    if len(hits) != 1 or int(np.prod(shape)) != u.size:
        return None
    q = hits[0]
    fa = parts[q]
    theta = np.asarray(fit.result.theta, dtype=float)
    diags: list[np.ndarray | None] = []
    for j, p in enumerate(parts):
        if j == q:
            diags.append(None)
            continue
        try:
            m = _part_matrix(p, fit, theta)
        except MatrixError as e:          # diag K out of reach: the scores without SEs
            _warn_no_se(t.label, e)
            diags.append(None)
            continue
        if m is None:
            return None
        diags.append(m if m.ndim == 1 else np.diag(m))
    own = next((theta[s.start:s.stop] for s in fit.model.param_map.structures
                if s.template is fa), None)
    if own is None:
        return None
    s2 = _scale(fit, fa, theta) if scaled else 1.0
    lam = fa.loadings(own[fa.n:]) * np.sqrt(s2)
    psi = np.asarray(own[:fa.n], dtype=float) * s2
    return _FATerm(i, q, shape, lam, lam @ lam.T + np.diag(psi), psi, diags, offset)


def _latent(fit: AsremlFit, ft: _FATerm, A: np.ndarray, prior: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """x̂ = (A ⊗ I) û of a latent part x of u with Cov(x, u) = A(Σ ⊗ K), and sqrt of its
    prediction error variance diag(prior ⊗ K) + diag((A ⊗ I) C⁻¹_uu (A ⊗ I)'), ``prior`` =
    diag(Cov x) − diag(AΣA') over the fa factor (term shape, the fa axis of size rows(A))."""
    from asr_py.results.cinv_diag import cinv_diag

    q, shape = ft.axis, ft.shape
    U = np.asarray(fit.result.u[ft.term], dtype=float).reshape(shape)
    X = np.moveaxis(np.tensordot(A, U, axes=([1], [q])), 0, q)
    pv = np.ones(())
    for j in range(len(shape)):
        d = ft.diags[j]
        if j != q and d is None:          # diag K not known (_fa_term warned)
            d = np.full(shape[j], np.nan)
        pv = np.multiply.outer(pv, np.clip(prior, 0.0, None) if j == q else d)
    p = int(fit.result.beta.size)
    N = int(p + sum(np.asarray(v).size for v in fit.result.u))
    idx = np.arange(int(np.prod(shape))).reshape(shape)
    out_idx = np.arange(X.size).reshape(X.shape)
    rows, cols, vals = [], [], []
    for r in range(A.shape[0]):
        sel_out = np.take(out_idx, r, axis=q).ravel()
        for jn in np.flatnonzero(A[r]):
            rows.append(sel_out)
            cols.append(np.take(idx, jn, axis=q).ravel() + ft.offset + p)
            vals.append(np.full(sel_out.size, A[r, jn]))
    try:
        L = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                          shape=(X.size, N)) if vals else sp.csr_matrix((X.size, N))
        pe = cinv_diag(fit.result, L, p).reshape(X.shape)
        se = np.sqrt(np.clip(pe + pv.reshape(X.shape), 0.0, None))
    except ValueError:           # no factor of C kept (a fit without C⁻¹ access)
        se = np.full(X.shape, np.nan)
    return X, se


def _sigma_pinv(ft: _FATerm) -> np.ndarray:
    return np.linalg.pinv(ft.sigma, rcond=PINV_RCOND, hermitian=True)


def _term_scores(fit: AsremlFit, i: int, offset: int) -> FAScores | None:
    ft = _fa_term(fit, i, offset)
    if ft is None:
        return None
    A = ft.lam.T @ _sigma_pinv(ft)                                     # Λ'Σ⁺ (k x n)
    F, se = _latent(fit, ft, A, 1.0 - np.einsum("rj,jr->r", A, ft.lam))   # I − Λ'Σ⁺Λ
    return FAScores(i, ft.axis, ft.shape, ft.lam.shape[1], F, se)


def pair_parts(fit: AsremlFit, i: int, offset: int
               ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None:
    """The common part (Λ ⊗ I)f and the specific part δ of an fa term's effects (the
    ``rr(f, k):g`` and ``diag(f):g`` terms of an asreml pair fitted as one fa term,
    :mod:`asr_py.model.rr_pair`): (values, std.error) of each, the term's effects' layout.
    (Λ ⊗ I)f̂ = (ΛΛ'Σ⁺ ⊗ I)û, δ̂ = (ΨΣ⁺ ⊗ I)û; prior parts ΛΛ' − ΛΛ'Σ⁺ΛΛ' and Ψ − ΨΣ⁺Ψ."""
    ft = _fa_term(fit, i, offset)
    if ft is None:
        return None
    Si = _sigma_pinv(ft)
    ll = ft.lam @ ft.lam.T
    P = np.diag(ft.psi)
    out = []
    for C in (ll, P):
        A = C @ Si
        out.append(_latent(fit, ft, A, np.diag(C - A @ C)))
    return (out[0][0].ravel(), out[0][1].ravel()), (out[1][0].ravel(), out[1][1].ravel())


def fa_scores(fit: AsremlFit) -> dict[int, FAScores]:
    """The factor scores of every fa/rr term of ``fit``, by the term's position in
    ``fit.model.random`` (module docstring)."""
    out: dict[int, FAScores] = {}
    offset = 0
    for i, u in enumerate(fit.result.u):
        if i < len(fit.model.random):
            s = _term_scores(fit, i, offset)
            if s is not None:
                out[i] = s
        offset += np.asarray(u).size
    return out


def extended_layout(levels: list[str], s: FAScores, solution: np.ndarray, se: np.ndarray
                    ) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """asreml's layout of one fa term's coefficients: the fa factor's levels extended by
    ``Comp1``..``Compk`` (module docstring). Returns (labels, solution, std.error, is_score),
    with ``levels`` the term's ``a:b`` labels of u (split into one label per part)."""
    shape = s.shape
    q = s.axis
    split = [str(lv).split(":", len(shape) - 1) for lv in levels]
    if any(len(x) != len(shape) for x in split):
        split = [[str(v) for v in np.unravel_index(j, shape)] for j in range(len(levels))]
    lab = np.array(split, dtype=object).reshape(*shape, len(shape))
    comp = np.empty(s.scores.shape + (len(shape),), dtype=object)
    base = np.take(lab, 0, axis=q)                       # the other parts' labels
    for r in range(s.k):
        sl = [slice(None)] * len(shape)
        sl[q] = r
        comp[tuple(sl)] = base
        comp[tuple(sl) + (q,)] = f"Comp{r + 1}"
    labels = np.concatenate([lab, comp], axis=q)
    sol = np.concatenate([solution.reshape(shape), s.scores], axis=q)
    err = np.concatenate([se.reshape(shape), s.se], axis=q)
    flag = np.concatenate([np.zeros(shape, bool), np.ones(s.scores.shape, bool)], axis=q)
    names = [":".join(x) for x in labels.reshape(-1, len(shape))]
    return names, sol.ravel(), err.ravel(), flag.ravel()


def random_rows(fit: AsremlFit
                ) -> list[tuple[Any, list[str], np.ndarray, np.ndarray, np.ndarray]]:
    """Per random term: (term, level labels, solution, std.error, is_score) of its rows in
    ``coef_random``: û and sqrt(PEV), an fa/rr term's factor scores inserted in asreml's
    layout (:func:`extended_layout`). Kept on the fit (its result does not change): the
    scores' PEVs cost C⁻¹ solves, and scripts ask for ``coef(m)$random`` repeatedly."""
    cached = getattr(fit, "_random_rows", None)
    if cached is not None and cached[0] is fit.result:
        return cached[1]
    scores = fa_scores(fit) if fit.model.param_map.structures else {}
    out = []
    for i, (t, u, pev) in enumerate(zip(fit.model.random, fit.result.u, fit.result.pev)):
        u = np.asarray(u, dtype=float)
        se = np.sqrt(np.clip(np.asarray(pev, dtype=float), 0, None))
        levels = [str(lv) for lv in t.levels] if len(t.levels) == u.size else [
            str(j + 1) for j in range(u.size)]
        flag = np.zeros(u.size, dtype=bool)
        if i in scores:
            levels, u, se, flag = extended_layout(levels, scores[i], u, se)
        out.append((t, levels, u, se, flag))
    fit._random_rows = (fit.result, out)
    return out
