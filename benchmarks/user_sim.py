"""Seeded simulators for the breeder workflow tests (tests/workflows) and their benchmark
(benchmarks/bench_user_workflows.py): plant/animal pedigrees with selfing and unknown parents,
repeated records of two traits in very different units, marker panels with duplicated lines,
multi-environment trials with field layouts. numpy/pandas only (never asr_py), so the tests'
independent computations do not share code with the package."""

from __future__ import annotations

import numpy as np
import pandas as pd


def pedigree(n: int, n_gen: int, *, seed: int = 1, p_self: float = 0.1,
             p_unknown_sire: float = 0.15) -> pd.DataFrame:
    """``n`` individuals in ``n_gen`` discrete generations (columns animal, sire, dam, gen;
    unknown parent '0'). Parents of generation g are drawn from 5 % of generation g-1 (so
    relationships and inbreeding build up); a fraction ``p_self`` are selfs (sire = dam) and
    ``p_unknown_sire`` have an unknown sire. Ids 'T<gen>_<i>' in birth order."""
    rng = np.random.default_rng(seed)
    per = n // n_gen
    ids = np.array([f"T{g}_{i:05d}" for g in range(n_gen) for i in range(per)], dtype=object)
    gen = np.repeat(np.arange(n_gen), per)
    sire = np.full(ids.size, "0", dtype=object)
    dam = sire.copy()
    for g in range(1, n_gen):
        prev = ids[gen == g - 1]
        kids = np.flatnonzero(gen == g)
        parents = rng.choice(prev, size=max(2, per // 20), replace=False)
        d = rng.choice(parents, size=kids.size)
        s = rng.choice(parents, size=kids.size)
        selfed = rng.random(kids.size) < p_self
        s[selfed] = d[selfed]
        s[rng.random(kids.size) < p_unknown_sire] = "0"
        sire[kids] = s
        dam[kids] = d
    return pd.DataFrame({"animal": ids, "sire": sire, "dam": dam, "gen": gen})


def amatrix_dense(ped: pd.DataFrame) -> np.ndarray:
    """A by the tabular method (rows in ``ped`` order, parents before offspring):
    A_ij = (A_{j s} + A_{j d})/2 for j < i, A_ii = 1 + A_{s d}/2 (unknown parents add 0)."""
    idx = {k: i for i, k in enumerate(ped["animal"])}
    n = len(ped)
    A = np.zeros((n, n))
    for i, (s, d) in enumerate(zip(ped["sire"], ped["dam"])):
        si, di = idx.get(s, -1), idx.get(d, -1)
        row = np.zeros(i)
        if si >= 0:
            row += 0.5 * A[si, :i]
        if di >= 0:
            row += 0.5 * A[di, :i]
        A[i, :i] = A[:i, i] = row
        A[i, i] = 1.0 + (0.5 * A[si, di] if si >= 0 and di >= 0 else 0.0)
    return A


def breeding_values(ped: pd.DataFrame, G0: np.ndarray, F: np.ndarray, *,
                    seed: int = 2) -> np.ndarray:
    """a ~ N(0, G0 ⊗ A) by Mendelian sampling: a_i = (a_s + a_d)/2 + m_i, m_i ~ N(0, w_i G0),
    w_i = 1/2 - (F_s + F_d)/4, 3/4 - F_p/4 or 1 (two, one, no known parents); F in ped order."""
    rng = np.random.default_rng(seed)
    idx = {k: i for i, k in enumerate(ped["animal"])}
    k = G0.shape[0]
    a = np.zeros((len(ped), k))
    L = np.linalg.cholesky(G0)
    for i, (s, d) in enumerate(zip(ped["sire"], ped["dam"])):
        si, di = idx.get(s, -1), idx.get(d, -1)
        m, w = np.zeros(k), 1.0
        if si >= 0 and di >= 0:
            m, w = 0.5 * (a[si] + a[di]), 0.5 - 0.25 * (F[si] + F[di])
        elif si >= 0 or di >= 0:
            p = max(si, di)
            m, w = 0.5 * a[p], 0.75 - 0.25 * F[p]
        a[i] = m + np.sqrt(w) * (L @ rng.standard_normal(k))
    return a


#: the animal workflow's true covariances: weight (kg) and length (mm)
G0 = np.array([[900.0, 720.0], [720.0, 3600.0]])
P0 = np.array([[400.0, 0.0], [0.0, 1600.0]])
R0 = np.array([[1200.0, 480.0], [480.0, 4800.0]])


def repeated_records(ped: pd.DataFrame, a: np.ndarray, *, first_gen: int = 2,
                     missing: float = 0.3, seed: int = 3) -> pd.DataFrame:
    """1-3 records per individual of generations >= ``first_gen``: weight (kg, mean 250) and
    length (mm, mean 1200) = mean + sex + a + permanent environment + residual (covariances
    :data:`G0`, :data:`P0`, :data:`R0`), each trait missing at random in ``missing`` of the
    records. Columns animal, sex, wt_kg, len_mm."""
    rng = np.random.default_rng(seed)
    idx = {k: i for i, k in enumerate(ped["animal"])}
    recs = ped[ped["gen"] >= first_gen]
    nrec = rng.integers(1, 4, size=len(recs))
    an = np.repeat(recs["animal"].to_numpy(), nrec)
    ai = np.array([idx[x] for x in an])
    pe = np.repeat(rng.standard_normal((len(recs), 2)) @ np.linalg.cholesky(P0).T, nrec, axis=0)
    e = rng.standard_normal((an.size, 2)) @ np.linalg.cholesky(R0).T
    sex = np.repeat(rng.choice(["F", "M"], size=len(recs)), nrec)
    y = np.array([250.0, 1200.0]) + np.outer(sex == "M", [20.0, 35.0]) + a[ai] + pe + e
    for t in range(2):
        y[rng.random(an.size) < missing, t] = np.nan
    return pd.DataFrame({"animal": an, "sex": sex, "wt_kg": y[:, 0], "len_mm": y[:, 1]})


def markers_with_duplicates(n_lines: int, n_snps: int, *, n_dup: int = 50,
                            seed: int = 4) -> pd.DataFrame:
    """0/1/2 genotypes (Hardy-Weinberg, p ~ U(0.05, 0.5)) of ``n_lines`` lines whose last
    ``n_dup`` rows repeat the first ``n_dup`` under other ids (a line genotyped twice), so
    G is singular beyond its centring. DataFrame: column ``id`` ('G0000', ...) then SNPs."""
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.05, 0.5, n_snps)
    M = rng.binomial(2, p, size=(n_lines - n_dup, n_snps)).astype(np.int8)
    M = np.vstack([M, M[:n_dup]])
    out = pd.DataFrame(M, columns=[f"snp{j}" for j in range(n_snps)])
    out.insert(0, "id", [f"G{i:04d}" for i in range(n_lines)])
    return out


def genomic_values(markers: pd.DataFrame, cov: np.ndarray, *, seed: int = 5) -> np.ndarray:
    """Genetic values g = W β (n_lines x k) with W the centred, scaled markers and β_j ~
    N(0, cov / m) per SNP, so Var(g) ≈ cov for an average line."""
    rng = np.random.default_rng(seed)
    M = markers.drop(columns="id").to_numpy(dtype=float)
    p = M.mean(axis=0) / 2
    keep = (p > 0) & (p < 1)
    W = (M[:, keep] - 2 * p[keep]) / np.sqrt(2 * p[keep] * (1 - p[keep]))
    beta = rng.standard_normal((W.shape[1], cov.shape[0])) @ np.linalg.cholesky(cov).T
    return W @ beta / np.sqrt(W.shape[1])


#: per-trial units: (name, scale to the common unit t/ha, trial mean in its own unit)
UNITS = (("t_ha", 1.0, 6.0), ("kg_plot", 1.5, 9.0), ("bu_ac", 1 / 15.93, 95.0),
         ("g_m2", 0.01, 600.0))


def met_trials(n_trials: int, n_geno: int, *, per_trial: int = 120, one_rep_every: int = 5,
               seed: int = 6) -> pd.DataFrame:
    """Field trials: trial j tests ``per_trial`` of ``n_geno`` genotypes (overlapping sets)
    in 2 reps (every ``one_rep_every``-th trial in 1 rep, a fifth of its entries
    repeated: a p-rep design) laid out in a Row x Col grid of
    10 rows, with AR1 x AR1 plot errors (ρ_r, ρ_c ~ U(0.2, 0.7)); genetic values across
    trials from two factors plus specific variances; the response in the trial's unit
    (:data:`UNITS`, cycling). Columns trial, unit, geno, rep, Row, Col, y."""
    rng = np.random.default_rng(seed)
    lam = rng.uniform(0.2, 0.6, (n_trials, 2)) * np.array([1.0, 0.5])
    lam[:, 1] *= rng.choice([-1, 1], n_trials)
    gcov = lam @ lam.T + np.diag(rng.uniform(0.02, 0.08, n_trials))
    g = rng.standard_normal((n_geno, n_trials)) @ np.linalg.cholesky(gcov).T
    frames = []
    for j in range(n_trials):
        unit, scale, mean = UNITS[j % len(UNITS)]
        reps = 1 if j % one_rep_every == one_rep_every - 1 else 2
        geno = np.sort(rng.choice(n_geno, per_trial, replace=False))
        if reps == 2:
            order = np.concatenate([rng.permutation(geno) for _ in range(reps)])
            rep = np.repeat(["R1", "R2"], per_trial)
        else:  # partially replicated: a fifth of the entries twice, so errors are estimable
            order = rng.permutation(np.concatenate(
                [geno, rng.choice(geno, per_trial // 5, replace=False)]))
            rep = np.full(order.size, "R1")
        n_plot = order.size
        n_row = 10
        n_col = -(-n_plot // n_row)
        rho_r, rho_c = rng.uniform(0.2, 0.7, 2)
        er = _ar1_chol(n_row, rho_r)
        ec = _ar1_chol(n_col, rho_c)
        e = (er @ rng.standard_normal((n_row, n_col)) @ ec.T).T.ravel()[:n_plot] * 0.35
        plot = np.arange(n_plot)
        y_tha = 6.0 + 0.2 * (rep == "R2") + g[order, j] + e
        frames.append(pd.DataFrame({
            "trial": f"T{j:02d}", "unit": unit, "geno": [f"V{k:04d}" for k in order],
            "rep": rep, "Row": plot % n_row + 1, "Col": plot // n_row + 1,
            "y": mean + (y_tha - 6.0) / scale}))
    out = pd.concat(frames, ignore_index=True)
    return out


def _ar1_chol(n: int, rho: float) -> np.ndarray:
    i = np.arange(n)
    return np.linalg.cholesky(rho ** np.abs(i[:, None] - i[None, :]))
