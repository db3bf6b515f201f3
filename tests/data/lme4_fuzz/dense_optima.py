"""The dense-V REML optima of reference.json's ``dense_reml_optimum`` (numpy/scipy through
tests/_dense_reml.py; never imports asr_py): Cholesky-parametrised V maximised by
tests/_dense_reml.fit_dense (BFGS + Nelder-Mead polish from several starts). A random slope
(x | g) is parametrised by the Cholesky factor of the covariance of (the effect at the mean
of x, the slope x sd(x)), so the optimiser sees numbers of order one; the set of V is the
same as for the raw (intercept, slope) matrix. Run from the repository root:

    python tests/data/lme4_fuzz/dense_optima.py usfgh 3      # ~ us(f):g + h
    python tests/data/lme4_fuzz/dense_optima.py usfg 109     # ~ us(f):g
    python tests/data/lme4_fuzz/dense_optima.py slope 101    # ~ str(~ g + g:x, ~ us(2):id(g))
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from _dense_reml import chol_from, fit_dense, indicator  # noqa: E402

HERE = os.path.dirname(__file__)


def data(i):
    d = pd.read_csv(os.path.join(HERE, f"d{i}.csv"))
    X = np.column_stack([np.ones(len(d)), d.x, indicator(d.f)[:, 1:]])
    return d, d.y.values.astype(float), X


def us_f_g(i, with_h=True):
    d, y, X = data(i)
    G, H, F = indicator(d.g), indicator(d.h), indicator(d.f)
    nf = F.shape[1]
    k = nf * (nf + 1) // 2
    Z = np.hstack([F[:, [a]] * G for a in range(nf)])
    HH = H @ H.T

    def V(x):
        L = chol_from(x[:k], nf)
        v = Z @ np.kron(L @ L.T, np.eye(G.shape[1])) @ Z.T + x[-1] ** 2 * np.eye(len(y))
        return v + x[k] ** 2 * HH if with_h else v

    sy = y.std()
    starts = [np.r_[np.eye(nf)[np.tril_indices(nf)] * sy * a, [sy * b] if with_h else [],
                    sy * 0.7] for a in (0.01, 0.3) for b in (0.01, 0.5)]
    return fit_dense(y, X, V, starts)


def slope(i):
    d, y, X = data(i)
    G = indicator(d.g)
    Z = np.hstack([G, G * d.x.values[:, None]])
    xm, xs = d.x.mean(), d.x.std()
    T = np.array([[1, -xm / xs], [0, 1 / xs]])

    def V(x):
        L = chol_from(x[:3], 2)
        S = T @ L @ L.T @ T.T
        return Z @ np.kron(S, np.eye(G.shape[1])) @ Z.T + x[3] ** 2 * np.eye(len(y))

    sy = y.std()
    starts = [np.r_[sy * a, sy * a * c, sy * a, sy * 0.7]
              for a in (0.05, 0.5) for c in (-0.5, 0, 0.5)]
    return fit_dense(y, X, V, starts)


if __name__ == "__main__":
    kind, i = sys.argv[1], int(sys.argv[2])
    fn = {"usfgh": us_f_g, "usfg": lambda j: us_f_g(j, False), "slope": slope}[kind]
    x, f = fn(i)
    print(i, kind, repr(f))
