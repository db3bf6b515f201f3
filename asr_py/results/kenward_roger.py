"""Kenward-Roger (1997) small-sample inference for fixed effects (asreml's ``denDF='numeric'``).

Marginal model y ~ N(Xβ, Σ(θ)), Σ = Σ_j Z_j G_j Z_j' + R, Φ = (X'Σ⁻¹X)⁻¹ = Var(β̂) (the β
block of C⁻¹). With Σ̇_i = ∂Σ/∂θ_i over the estimated variance parameters (constraint not
'F', not held at a boundary 'B'):

    P_i = −X'Σ⁻¹Σ̇_iΣ⁻¹X,   Q_ij = X'Σ⁻¹Σ̇_iΣ⁻¹Σ̇_jΣ⁻¹X,
    W = Var(θ̂) = I_E⁻¹,    I_E[i, j] = ½ tr(PΣ̇_iPΣ̇_j)   (expected information, P the REML
                                                          projection Σ⁻¹ − Σ⁻¹XΦX'Σ⁻¹),
    Φ_A = Φ + 2Φ[Σ_ij W_ij (Q_ij − P_iΦP_j)]Φ            (adjusted Var(β̂)).

The second-derivative term R_ij = X'Σ⁻¹Σ̈_ijΣ⁻¹X is omitted (zero for covariance structures
linear in θ: variances, covariances, known matrices; as pbkrtest). For H₀: L'β = 0 (L p x ℓ,
rank ℓ), F = β̂'L(L'Φ_A L)⁻¹L'β̂/ℓ, Θ = L(L'ΦL)⁻¹L' and

    A₁ = Σ_ij W_ij tr(ΘΦP_iΦ) tr(ΘΦP_jΦ),   A₂ = Σ_ij W_ij tr(ΘΦP_iΦΘΦP_jΦ),
    B = (A₁ + 6A₂)/(2ℓ),  g = ((ℓ+1)A₁ − (ℓ+4)A₂)/((ℓ+2)A₂),  d = 3ℓ + 2(1 − g),
    c₁ = g/d,  c₂ = (ℓ − g)/d,  c₃ = (ℓ + 2 − g)/d,
    E* = 1/(1 − A₂/ℓ),  V* = (2/ℓ)(1 + c₁B)/((1 − c₂B)²(1 − c₃B)),  ρ = V*/(2E*²),
    m = 4 + (ℓ + 2)/(ℓρ − 1) (denominator df),  λ = m/(E*(m − 2)),  F* = λF ~ F(ℓ, m).

Σ̇_i is kept factored, Σ̇_i = F_i D_i F_i' (F = Z_j, D = Ġ_k for a G parameter; F = I, D = Ṙ_k
for a residual one), so the traces need only F_a'PF_b; the cost is one dense Cholesky of the
n x n Σ (n ≤ :data:`MAX_RECORDS`).

**asreml's rule** (:func:`asreml_test`, ``wald(denDF='numeric'|'default'|'algebraic')``):
the same m and λ with W = AI⁻¹, the inverse of the average information
AI[i, j] = ½ (Py)'Σ̇_i P Σ̇_j (Py) (asreml's Var(θ̂)) in place of I_E⁻¹, and the statistic
λF with F = β̂'L(L'ΦL)⁻¹L'β̂/ℓ from the unadjusted Φ (asreml's ``kenadj = "none"``, its
default), for the incremental F.inc and the conditional F.con alike. Evidence (asreml
4.2's printed tables, reproduced in tests/results/test_wald_asreml_printed.py):
biometryassist's ``wald(denDF = "default")`` tables of six fits (ar1 residuals, a split
plot, random regressions): every denDF to the printed decimal (I_E⁻¹ misses 14 of 19),
every F.inc to its printed digits and Pr to 4-6 digits, e.g. 2.963 = λF with F 2.960,
λ 1.00093;
agriutilities' ``wald(denDF = "numeric", ssType = "conditional")`` F.con of grassUV
(40.47 = λF for us(Time), F 53.97, λ 0.75).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
from scipy import stats

from asr_py.errors import AsrError
from asr_py.reml.x_origin import centring_map

if TYPE_CHECKING:  # pragma: no cover
    from asr_py.model.spec import Model
    from asr_py.reml.result import RemlResult

#: Σ is formed densely: larger data sets are refused with a clear message
MAX_RECORDS = 6000


def _dense(m: object) -> np.ndarray:
    return m.toarray() if sp.issparse(m) else np.asarray(m, dtype=float)


@dataclass
class KRInfo:
    """The Kenward-Roger ingredients at θ̂ (see the module docstring).

    ``phi`` = Φ, ``phi_a`` = Φ_A, ``P`` = [P_i], ``W`` = Var(θ̂) = I_E⁻¹, ``info`` = I_E,
    ``params`` = the indices (in θ) of the parameters used, ``W_obs`` = the inverse of the
    observed information 2·AI − I_E (for Satterthwaite, as lmerTest), ``W_ai`` = AI⁻¹, the
    average information at θ̂ inverted (asreml's Var(θ̂), for :func:`asreml_test`)."""

    phi: np.ndarray
    phi_a: np.ndarray
    P: list[np.ndarray]
    W: np.ndarray
    info: np.ndarray
    params: list[int]
    W_obs: np.ndarray
    W_ai: np.ndarray
    #: with covariates far from 0 (:mod:`asr_py.model.alias_origin`): the same ingredients
    #: for the centred X M, and M; the tests run there (β_w = M⁻¹β, L_w = M'L)
    work: KRInfo | None = None
    M: np.ndarray | None = None

    def working(self, beta: np.ndarray, L: np.ndarray) -> tuple[KRInfo, np.ndarray,
                                                                np.ndarray]:
        """(info, β, L) in the coordinates the tests are computed in (L: p x ℓ)."""
        if self.work is None or self.M is None:
            return self, beta, L
        return (self.work, np.linalg.solve(self.M, np.asarray(beta, dtype=float)),
                self.M.T @ L)


def kr_info(model: Model, result: RemlResult, boundary: bool = False) -> KRInfo:
    """Compute Φ, Φ_A, P_i and W = I_E⁻¹ for a fit (module docstring). ``boundary=True``
    counts the variance parameters held at a boundary ('B') among the estimated ones, as
    pbkrtest does for lme4's zero variances (emmeans' df of a singular lmer fit).

    A fit's estimates do not change, so the result is kept on the ``RemlResult`` (keyed by
    the model too): repeated ``wald(denDF=...)`` calls on one fit cost one computation."""
    cached = getattr(result, "_kr_cache", None)
    if cached is not None and cached[0] is model and cached[2] == boundary:
        return cached[1]
    info = _kr_info(model, result, boundary)
    try:
        object.__setattr__(result, "_kr_cache", (model, info, boundary))
    except (AttributeError, TypeError):  # pragma: no cover - a result that takes no attribute
        pass
    return info


def _sigma_inverse(cf: tuple[np.ndarray, bool]) -> np.ndarray:
    """Σ⁻¹ from Σ's Cholesky factor L (LAPACK ``potri``: n³/3 flops, against n³ for solving
    with the identity), both triangles filled."""
    c, lower = cf
    inv, info = sla.lapack.dpotri(c, lower=lower)
    if info != 0:  # pragma: no cover - the factor of a PD matrix
        raise AsrError("Kenward-Roger: Var(y) could not be inverted at the estimates")
    tri = np.tril(inv) if lower else np.triu(inv)
    return tri + tri.T - np.diag(np.diag(tri))


def _kr_info(model: Model, result: RemlResult, boundary: bool = False) -> KRInfo:
    prob = model.problem(theta0=result.theta)
    theta = np.asarray(result.theta, dtype=float)
    y = np.asarray(prob.y, dtype=float).ravel()
    n = y.size
    if n > MAX_RECORDS:
        raise AsrError(f"Kenward-Roger needs the dense n x n Var(y): {n} records is more than "
                       f"{MAX_RECORDS}", hint="use wald() without denDF (Wald chi-square tests)")
    X = _dense(prob.X)
    centring = centring_map(X)  # s34user: a covariate far from 0 (u = 5e6 ± 100)
    if centring is not None:
        X = X.copy()
        X[:, centring[1]] += centring[0][0, centring[1]].toarray().ravel()
    sigma = np.zeros((n, n))
    factors: list[np.ndarray | None] = []  # F per block (None: identity)
    derivs: list[tuple[int, int, np.ndarray | sp.spmatrix]] = []  # (θ index, block, D)
    sl = prob.slices()
    free = [c != "F" and (boundary or c != "B") for c in result.constraints]
    for j, b in enumerate(prob.random):
        tj = theta[sl[j]]
        Z = _dense(b.Z)
        G = _dense(b.template.matrix(tj))
        sigma += Z @ G @ Z.T
        factors.append(Z)
        for k, d in enumerate(b.template.derivatives(tj)):
            if free[sl[j].start + k]:
                derivs.append((sl[j].start + k, j, _dense(d)))
    tr = theta[sl[-1]]
    sigma += _dense(prob.residual.matrix(tr))
    factors.append(None)
    for k, d in enumerate(prob.residual.derivatives(tr)):
        if free[sl[-1].start + k]:
            derivs.append((sl[-1].start + k, len(factors) - 1,
                           sp.csr_matrix(d) if sp.issparse(d) else _dense(d)))
    try:
        cf = sla.cho_factor(sigma, lower=True, overwrite_a=True)
    except np.linalg.LinAlgError as exc:  # pragma: no cover - a fitted Σ is PD
        raise AsrError("Kenward-Roger: Var(y) is not positive definite at the estimates"
                       ) from exc
    SX = sla.cho_solve(cf, X)  # Σ⁻¹X
    phi = np.linalg.inv(X.T @ SX)
    phi = 0.5 * (phi + phi.T)
    # P applied to each distinct F: PF = Σ⁻¹F − Σ⁻¹XΦ(Σ⁻¹X)'F
    pf: list[np.ndarray] = []
    sinv = _sigma_inverse(cf) if any(f is None for f in factors) else None
    for f in factors:
        if f is None:  # P itself
            assert sinv is not None
            pf.append(sinv - SX @ (phi @ SX.T))
        else:
            sf = sinv @ f if sinv is not None else sla.cho_solve(cf, f)
            pf.append(sf - SX @ (phi @ (SX.T @ f)))
    del sinv

    def ft(a: int, m: np.ndarray) -> np.ndarray:  # F_a' m
        f = factors[a]
        return m if f is None else f.T @ m

    def dmul(d: np.ndarray | sp.spmatrix, m: np.ndarray) -> np.ndarray:
        return np.asarray(d @ m)

    kpar = len(derivs)
    P, A, B = [], [], []
    for _, a, d in derivs:
        fa = factors[a]
        ak = dmul(d, ft(a, SX))  # D F'Σ⁻¹X
        ak = ak if fa is None else fa @ ak  # Σ̇Σ⁻¹X
        P.append(-(SX.T @ ak))
        A.append(ak)
        B.append(sla.cho_solve(cf, ak))
    P = [0.5 * (p + p.T) for p in P]
    # average information ½ (Py)'Σ̇_i P Σ̇_j (Py) at θ̂, Py = Σ⁻¹(y − Xβ̂)
    py = sla.cho_solve(cf, y - X @ (phi @ (SX.T @ y)))
    sdp = []
    for _, a, d in derivs:
        fa = factors[a]
        v = dmul(d, ft(a, py))
        sdp.append(v if fa is None else fa @ v)        # Σ̇_i Py
    sdp_m = np.column_stack(sdp) if sdp else np.zeros((n, 0))
    psdp = sla.cho_solve(cf, sdp_m) - SX @ (phi @ (SX.T @ sdp_m))
    ai_hat = 0.5 * (sdp_m.T @ psdp)
    ai_hat = 0.5 * (ai_hat + ai_hat.T)
    info = np.zeros((kpar, kpar))
    U = np.zeros_like(phi)
    fpf: dict[tuple[int, int], np.ndarray] = {}
    dfpf: dict[tuple[int, int], np.ndarray] = {}  # D_i (F_a'PF_b), once per (i, b)

    def dm(i: int, b: int) -> np.ndarray:
        _, a, d = derivs[i]
        if (i, b) not in dfpf:
            if (a, b) not in fpf:
                fpf[(a, b)] = ft(a, pf[b])
            dfpf[(i, b)] = dmul(d, fpf[(a, b)])
        return dfpf[(i, b)]

    for i, (_, a, _) in enumerate(derivs):
        for j in range(i, kpar):
            b = derivs[j][1]
            # tr(PΣ̇_iPΣ̇_j) = tr(D_i (F_a'PF_b) D_j (F_b'PF_a))
            info[i, j] = info[j, i] = 0.5 * float(np.sum(dm(i, b) * dm(j, a).T))
    try:
        W = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        W = np.linalg.pinv(info)
    W = 0.5 * (W + W.T)
    # U = Σ_ij W_ij (A_i'B_j − P_iΦP_j) = Σ_i [A_i'(Σ_j W_ij B_j) − P_iΦ(Σ_j W_ij P_j)]:
    # k products of p x n by n x p instead of k² (p fixed effects can be hundreds)
    for i in range(kpar):
        bw = sum((W[i, j] * B[j] for j in range(kpar)), np.zeros_like(B[i]))
        pw = sum((W[i, j] * P[j] for j in range(kpar)), np.zeros_like(phi))
        U += A[i].T @ bw - P[i] @ (phi @ pw)
    U = 0.5 * (U + U.T)
    phi_a = phi + 2.0 * phi @ U @ phi
    params = [d[0] for d in derivs]
    # observed information for Satterthwaite: AI = ½(I_obs + I_E) for Σ linear in θ
    ai = np.asarray(result.ai, dtype=float)[np.ix_(params, params)]
    obs = 2.0 * ai - info if np.all(np.isfinite(ai)) else info
    try:
        w_obs = np.linalg.inv(obs)
    except np.linalg.LinAlgError:
        w_obs = np.linalg.pinv(obs)
    try:
        w_ai = np.linalg.inv(ai_hat)
    except np.linalg.LinAlgError:
        w_ai = np.linalg.pinv(ai_hat)
    out = KRInfo(phi, 0.5 * (phi_a + phi_a.T), P, W, info, params,
                 0.5 * (w_obs + w_obs.T), 0.5 * (w_ai + w_ai.T))
    return out if centring is None else _user_coordinates(out, centring[0].toarray())


def _user_coordinates(work: KRInfo, m: np.ndarray) -> KRInfo:
    """The ingredients for X from those for X_w = X M: Φ = MΦ_wM', Φ_A = MΦ_A,wM',
    P_i = M⁻ᵀP_w,iM⁻¹ (θ-side quantities unchanged), the working ones kept for the tests."""
    mi = np.linalg.inv(m)
    return KRInfo(m @ work.phi @ m.T, m @ work.phi_a @ m.T,
                  [mi.T @ p @ mi for p in work.P], work.W, work.info, work.params,
                  work.W_obs, work.W_ai, work=work, M=m)


def kr_test(info: KRInfo, beta: np.ndarray, L: np.ndarray, W: np.ndarray | None = None
            ) -> dict[str, float]:
    """Kenward-Roger F test of L'β = 0 (L: p x ℓ, full column rank).

    Returns ``F`` (unadjusted Wald/ℓ with Φ), ``F.adj`` = λ β̂'L(L'Φ_A L)⁻¹L'β̂/ℓ,
    ``denDF`` = m, ``scale`` = λ, ``Df`` = ℓ (L's rank) and ``Pr(F)`` = P(F(ℓ, m) > F.adj).
    ``W``: Var(θ̂) in m and λ (default ``info.W`` = I_E⁻¹, as pbkrtest)."""
    L = np.atleast_2d(np.asarray(L, dtype=float))
    if L.shape[0] != info.phi.shape[0]:
        L = L.T
    info, beta, L = info.working(beta, L)
    q = int(np.linalg.matrix_rank(L))
    phi, phi_a = info.phi, info.phi_a
    lb = L.T @ beta
    C = L.T @ phi                                   # L'Φ (ℓ x p)
    lpl = C @ L                                     # L'ΦL
    f_unadj = float(lb @ np.linalg.solve(lpl, lb)) / q
    f_a = float(lb @ np.linalg.solve(L.T @ phi_a @ L, lb)) / q
    # with Θ = L(L'ΦL)⁻¹L', tr(ΘΦP_iΦ) = tr(M_i) and tr(ΘΦP_iΦΘΦP_jΦ) = tr(M_i M_j) for
    # the ℓ x ℓ M_i = (L'ΦL)⁻¹ L'ΦP_iΦL (trace cyclic): no p x p products
    ms = [np.linalg.solve(lpl, C @ p @ C.T) for p in info.P]
    tr = np.array([np.trace(m) for m in ms])
    W = info.W if W is None else W
    a1 = float(tr @ W @ tr)
    a2 = 0.0
    for i, mi in enumerate(ms):
        for j, mj in enumerate(ms):
            a2 += W[i, j] * float(np.sum(mi * mj.T))
    if a2 <= 0 or not np.isfinite(a2):  # no variance parameters: exact F(ℓ, ∞)
        return {"F": f_unadj, "F.adj": f_a, "denDF": np.inf, "scale": 1.0, "Df": q,
                "Pr(F)": float(stats.f.sf(f_a, q, np.inf)) if np.isfinite(f_a) else np.nan}
    bb = (a1 + 6.0 * a2) / (2.0 * q)
    g = ((q + 1) * a1 - (q + 4) * a2) / ((q + 2) * a2)
    d = 3 * q + 2 * (1 - g)
    c1, c2, c3 = g / d, (q - g) / d, (q + 2 - g) / d
    v0 = 1 + c1 * bb
    v0 = 0.0 if abs(v0) < 1e-10 else v0
    rho = (1.0 / q) * ((1 - a2 / q) / (1 - c2 * bb)) ** 2 * v0 / (1 - c3 * bb)
    m = 4 + (q + 2) / (q * rho - 1)
    lam = 1.0 if abs(m - 2) < 1e-2 else m * (1 - a2 / q) / (m - 2)  # as pbkrtest
    f_adj = lam * f_a
    return {"F": f_unadj, "F.adj": f_adj, "denDF": float(m), "scale": float(lam), "Df": q,
            "Pr(F)": float(stats.f.sf(f_adj, q, m))}


def asreml_test(info: KRInfo, beta: np.ndarray, L: np.ndarray) -> dict[str, float]:
    """asreml's F test of L'β = 0 (module docstring): m and λ of :func:`kr_test` with
    W = AI⁻¹ (``info.W_ai``); ``F.adj`` = λF with F from the unadjusted Φ (the F.inc or
    F.con asreml prints), ``Pr(F)`` = P(F(ℓ, m) > λF)."""
    res = kr_test(info, beta, L, W=info.W_ai)
    f = res["F"] * res["scale"]
    m, q = res["denDF"], res["Df"]
    pr = float(stats.f.sf(f, q, m)) if np.isfinite(f) else np.nan
    return {"F": res["F"], "F.adj": f, "denDF": m, "scale": res["scale"], "Pr(F)": pr}


def satterthwaite_test(info: KRInfo, beta: np.ndarray, L: np.ndarray) -> dict[str, float]:
    """Satterthwaite F test of L'β = 0 (lmerTest's method), Var(θ̂) = ``info.W_obs``.

    With L'ΦL = QΛQ' and the 1-df contrasts l_m = L q_m: g_i = l_m'(∂Φ/∂θ_i)l_m =
    −l_m'ΦP_iΦl_m, ν_m = 2λ_m²/(g'W g); F = β̂'L(L'ΦL)⁻¹L'β̂/ℓ on (ℓ, ν): ν = ν_1 for ℓ = 1,
    the common value if all ν_m agree, 2 if some ν_m ≤ 2, else ν = 2E/(E − ℓ) with
    E = Σ ν_m/(ν_m − 2) (lmerTest's rule)."""
    L = np.atleast_2d(np.asarray(L, dtype=float))
    if L.shape[0] != info.phi.shape[0]:
        L = L.T
    info, beta, L = info.working(beta, L)
    phi = info.phi
    q = int(np.linalg.matrix_rank(L))
    vl = L.T @ phi @ L
    lb = L.T @ beta
    f = float(lb @ np.linalg.solve(vl, lb)) / q
    lam, Q = np.linalg.eigh(0.5 * (vl + vl.T))
    nus = []
    for m in range(lam.size):
        lm = L @ Q[:, m]
        g = np.array([-float(lm @ phi @ p @ phi @ lm) for p in info.P])
        den = float(g @ info.W_obs @ g)
        nus.append(np.inf if den <= 0 else 2.0 * lam[m] ** 2 / den)
    nus_a = np.array(nus)
    if q == 1:
        nu = float(nus_a[0])
    elif np.all(np.abs(np.diff(nus_a)) < 1e-8):
        nu = float(np.mean(nus_a))
    elif np.any(nus_a <= 2):
        nu = 2.0
    else:
        e = float(np.sum(nus_a / (nus_a - 2)))
        nu = 2 * e / (e - q)
    return {"F": f, "F.adj": f, "denDF": nu, "scale": 1.0,
            "Pr(F)": float(stats.f.sf(f, q, nu))}
