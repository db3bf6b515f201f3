"""Multivariate data generator of s31inv's invariance hunt (its mvgen.py).

mvdata(seed) -> (d, info): wide data (one row per record, traits y1..yT in their own
units, NaN = missing), known matrices for vm(), and the truth.
"""
import numpy as np
import pandas as pd


def pedigree(rng, n_found, n_off):
    ids = [f"A{i:03d}" for i in range(n_found + n_off)]
    sire: list = [None] * n_found
    dam: list = [None] * n_found
    male = [i % 2 == 0 for i in range(n_found + n_off)]
    for i in range(n_off):
        pool = np.arange(n_found + i)
        s = int(rng.choice(pool[[male[j] for j in pool]]))
        dd = int(rng.choice(pool[[not male[j] for j in pool]]))
        sire.append(ids[s] if rng.random() > 0.1 else None)
        dam.append(ids[dd] if rng.random() > 0.1 else None)
    return pd.DataFrame({"id": ids, "sire": sire, "dam": dam})


def tabular_a(ped):
    ids = list(ped["id"])
    ix = {a: i for i, a in enumerate(ids)}
    n = len(ids)
    A = np.zeros((n, n))
    for i in range(n):
        s = ix.get(ped["sire"][i])
        dd = ix.get(ped["dam"][i])
        for j in range(i):
            A[i, j] = A[j, i] = 0.5 * ((A[j, s] if s is not None else 0)
                                     + (A[j, dd] if dd is not None else 0))
        A[i, i] = 1 + (0.5 * A[s, dd] if s is not None and dd is not None else 0)
    return A


def mvdata(seed, n_id=60, n_env=6):
    rng = np.random.default_rng(seed)
    T = int(rng.integers(2, 5))
    kind = ["K", "Ksing", "A"][seed % 3]
    ids = [f"A{i:03d}" for i in range(n_id)]
    if kind == "A":
        ped = pedigree(rng, n_id // 4, n_id - n_id // 4)
        K = tabular_a(ped)
    else:
        m = 400 if kind == "K" else 25
        p = rng.uniform(0.1, 0.9, m)
        M = rng.binomial(2, p, size=(n_id, m)).astype(float)
        Z = M - 2 * p
        K = Z @ Z.T / (2 * np.sum(p * (1 - p)))
        if kind == "K":
            K = 0.95 * K + 0.05 * np.eye(n_id)
        ped = None
    Kdf = pd.DataFrame(K, index=ids, columns=ids)
    # truth
    L = rng.normal(size=(T, T)) * 0.7 + np.eye(T)
    G0 = L @ L.T / T
    Lr = rng.normal(size=(T, T)) * 0.5 + np.eye(T)
    R0 = Lr @ Lr.T / T
    E0 = np.diag(rng.uniform(0.2, 1.0, T))
    w, V = np.linalg.eigh(K)
    root = V * np.sqrt(np.clip(w, 0, None))
    g = root @ rng.normal(size=(n_id, T)) @ np.linalg.cholesky(G0).T
    envs = [f"E{e}" for e in range(n_env)]
    ue = rng.normal(size=(n_env, T)) @ np.sqrt(E0)
    rows = []
    for i in range(n_id):
        for _ in range(int(rng.integers(1, 3))):
            e = int(rng.integers(n_env))
            f = int(rng.integers(3))
            x = float(rng.normal(2.0, 1.0))
            eps = rng.multivariate_normal(np.zeros(T), R0)
            rec = dict(id=ids[i], env=envs[e], f=f"F{f}", x=x)
            for t in range(T):
                rec[f"y{t+1}"] = 5 + t + 0.5 * f + 0.3 * x * (t - 1) + g[i, t] + ue[e, t] + eps[t]
            rows.append(rec)
    d = pd.DataFrame(rows)
    scales = 10 ** rng.uniform(-4, 5, T)
    for t in range(T):
        y = d[f"y{t+1}"] * scales[t]
        y[rng.random(len(d)) < 0.15] = np.nan
        d[f"y{t+1}"] = y
    ys = [f"y{t+1}" for t in range(T)]
    d = d[d[ys].notna().any(axis=1)].reset_index(drop=True)
    for c in ("id", "env", "f"):
        d[c] = d[c].astype("category")
    return d, dict(K=Kdf, ped=ped, kind=kind, T=T, ids=ids)


FIXED = ["trait + at(trait):f", "trait + trait:x", "trait + trait:f + trait:x"]
GEN = ["us(trait):vm(id, K)", "diag(trait):vm(id, K)", "corgh(trait):vm(id, K)",
       "fa(trait, 1):vm(id, K)"]
ENV = ["", " + us(trait):env", " + diag(trait):env"]
RES = ["~ units:us(trait)", "~ units:diag(trait)", "~ dsum(~ units | trait)"]
