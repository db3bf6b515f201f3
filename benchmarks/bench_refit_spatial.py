"""Benchmark (s28perf): test42Parallel.r's refit — ``Biomass ~ Smarthouse +
Genotypes*Treatments``, ``random = ~ Smarthouse:(Lane + Position)``, ``residual = ~ dsum(~
ar1(Lane):ar1(Position) | Smarthouse)`` with missing plots (each section a Subset on its
complement path) — old and new paths alternated fit by fit in one process (CPU, one BLAS
thread):

* the residual score's traces tr(C⁻¹W_s'T'D_kTW_s) from reml/section_traces.py's planned
  H = UZU' on D's pattern (old: K sparse products U'(D_kU) per section, looked up in C's
  pattern; ``MME._planned_traces`` returning None, ``_w_cong_w_all`` one product per
  derivative);
* X = B'K_c of the Schur complement on its structural pairs (old: all c x c, schur_update);
* the structural W'R⁻¹W pattern and Subset's complement inverse pattern kept across refits
  of one layout (old: formed at every fit);
* Kronecker products scaled in place (old: ``out * factor``); AR1's Q, C⁻¹ and dC⁻¹/dρ on a
  tridiagonal structure kept per size (old: index arrays and scipy arithmetic at each ρ).

    OMP_NUM_THREADS=1 python benchmarks/bench_refit_spatial.py [--fits 10] [--rda PATH]

``--rda``: asremlPlus's ChickpeaEnd.dat.rda (tests/testthat/data of briencj/asremlPlus; needs
pyreadr) — the script's own data; without it the simulated shape of bench_many_fits.py's
``spatial`` (2 houses x 24 x 22 plots, 46 missing). Prints CPU seconds per fit (median over
``fits`` alternated pairs, after one warm-up each), the old/new ratio, iterations, and the
largest differences new vs old of ℓ (relative), the variance components, β̂ and the BLUPs
(relative to each one's largest magnitude); exits 1 if ℓ differs by more than 1e-8 relative
or the iterations differ.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import scipy.sparse as sp  # noqa: E402

import asr_py as asr  # noqa: E402
from asr_py.reml import mme as mme_mod  # noqa: E402
from asr_py.vcov import autoregressive, complement_plan, kronecker  # noqa: E402
from asr_py.vcov.composite import Subset  # noqa: E402


# ----- the old paths ----------------------------------------------------------------------
def _old_w_cong_w_all(self: mme_mod.MME, rows: np.ndarray | None, rdrs: list, e: np.ndarray,
                      rcache: dict) -> list:
    """Before s28perf: one U'(D_kU) product per derivative."""
    t = rdrs[0].t
    ut = rcache.setdefault("u", {})
    hit = ut.get(id(t))
    if hit is None or hit[0] is not t:
        ws = self.W if rows is None else self._w_rows(rows)
        es = e if rows is None else e[rows]
        u = sp.csr_matrix(t @ ws)
        hit = ut[id(t)] = (t, u, sp.csr_matrix(u.T), np.asarray(t @ es).ravel())
    _, u, u_t, v = hit
    return [(mme_mod._csr_entries(u_t @ (r.d @ u)), float(v @ np.asarray(r.d @ v).ravel()))
            for r in rdrs]


def _old_inverse_pattern(self: Subset, theta: np.ndarray) -> sp.csc_matrix:
    """Before s28perf: the complement pattern formed at every call."""
    self._factor(theta)
    if self.mode != "complement":
        return _NEW["inverse_pattern"](self, theta)
    from asr_py.vcov.composite import _ones

    return self._complement_pattern(_ones(self.template.inverse_pattern(theta)).tocsr())


def _old_kron(self: kronecker.Kronecker, mats: list, factor: float = 1.0) -> Any:
    """Before s28perf: a scaled product as ``out * factor`` (a new matrix)."""
    mats = [sp.csc_matrix(m) if sp.issparse(m) else m for m in mats]
    out = kronecker.kron_all(mats, self._sparse(mats), getattr(self, "_kcache", None))
    return out * factor if factor != 1.0 else out


def _old_sym_tridiag(diag: np.ndarray, off: float) -> sp.csc_matrix:
    """Before s28perf: index arrays built at every call."""
    n = diag.size
    j = np.arange(n)
    rows = np.stack([j - 1, j, j + 1], axis=1)
    vals = np.stack([np.full(n, off), diag, np.full(n, off)], axis=1)
    keep = (rows >= 0) & (rows < n)
    indptr = np.concatenate([[0], np.cumsum(keep.sum(axis=1))])
    return sp.csc_matrix((vals[keep].astype(float), rows[keep], indptr), shape=(n, n))


def _old_q(self: autoregressive.AR1, r: float) -> tuple[sp.csc_matrix, sp.csc_matrix]:
    last = getattr(self, "_q_last", None)
    if last is not None and last[0] == r:
        return last[1], last[2]
    n = self.n
    if n == 1:
        q, dq = sp.csc_matrix([[1.0 - r * r]]), sp.csc_matrix([[-2.0 * r]])
    else:
        diag, ddiag = np.full(n, 1.0 + r * r), np.full(n, 2.0 * r)
        diag[[0, -1]] = 1.0
        ddiag[[0, -1]] = 0.0
        q, dq = _old_sym_tridiag(diag, -r), _old_sym_tridiag(ddiag, -1.0)
    self._q_last = (r, q, dq)
    return q, dq


def _old_ar1_inverse(self: autoregressive.AR1, rho: np.ndarray) -> sp.csc_matrix:
    r = float(rho[0])
    if not abs(r) < 1:
        raise np.linalg.LinAlgError("ar1: |ρ| >= 1, the matrix is singular")
    last = getattr(self, "_inv_last", None)
    if last is not None and last[0] == r:
        return last[1]
    m = autoregressive._read_only(self._q(r)[0] / (1.0 - r * r))
    self._inv_last = (r, m)
    return m


def _old_ar1_dinv(self: autoregressive.AR1, rho: np.ndarray) -> list[sp.csc_matrix]:
    r = float(rho[0])
    last = getattr(self, "_dinv_last", None)
    if last is not None and last[0] == r:
        return [last[1]]
    q, dq = self._q(r)
    w = 1.0 - r * r
    m = autoregressive._read_only(sp.csc_matrix(dq / w + q * (2.0 * r / w**2)))
    self._dinv_last = (r, m)
    return [m]


_OLD_TPATTERN_INIT = complement_plan.TPattern.__init__


def _old_tpattern_init(self: complement_plan.TPattern, *a: Any) -> None:
    """Before s28perf: no X structure (SchurPattern over all c x c, schur_update)."""
    _OLD_TPATTERN_INIT(self, *a)
    self.x_pairs = None


_NEW: dict[str, Callable[..., Any]] = {
    "planned": mme_mod.MME._planned_traces, "cong": mme_mod.MME._w_cong_w_all,
    "gram": mme_mod._structural_gram, "inverse_pattern": Subset.inverse_pattern,
    "kron": kronecker.Kronecker._kron, "tpat": complement_plan.TPattern.__init__,
    "q": autoregressive.AR1._q, "inv": autoregressive.AR1.correlation_inverse,
    "dinv": autoregressive.AR1.correlation_inverse_derivatives,
}
_AR1 = (("_q", "q", _old_q), ("correlation_inverse", "inv", _old_ar1_inverse),
        ("correlation_inverse_derivatives", "dinv", _old_ar1_dinv))


def _forget() -> None:
    """Drop the structures kept across fits (each path builds its own)."""
    complement_plan._recent.items = []
    mme_mod._recent_grams.items = []


@contextmanager
def old_paths() -> Iterator[None]:
    _forget()
    mme_mod.MME._planned_traces = lambda self, *a: None  # type: ignore[method-assign]
    mme_mod.MME._w_cong_w_all = _old_w_cong_w_all  # type: ignore[method-assign]
    mme_mod._structural_gram = mme_mod._gram_pattern
    Subset.inverse_pattern = _old_inverse_pattern  # type: ignore[method-assign]
    kronecker.Kronecker._kron = _old_kron  # type: ignore[method-assign]
    complement_plan.TPattern.__init__ = _old_tpattern_init  # type: ignore[method-assign]
    for name, _, fn in _AR1:
        setattr(autoregressive.AR1, name, fn)
    try:
        yield
    finally:
        mme_mod.MME._planned_traces = _NEW["planned"]  # type: ignore[method-assign]
        mme_mod.MME._w_cong_w_all = _NEW["cong"]  # type: ignore[method-assign]
        mme_mod._structural_gram = _NEW["gram"]
        Subset.inverse_pattern = _NEW["inverse_pattern"]  # type: ignore[method-assign]
        kronecker.Kronecker._kron = _NEW["kron"]  # type: ignore[method-assign]
        complement_plan.TPattern.__init__ = _NEW["tpat"]  # type: ignore[method-assign]
        for name, key, _ in _AR1:
            setattr(autoregressive.AR1, name, _NEW[key])
        _forget()


# ----- the workload -----------------------------------------------------------------------
def data(rda: str | None) -> tuple[pd.DataFrame, dict[str, str]]:
    if rda:
        import pyreadr

        d = next(iter(pyreadr.read_r(rda).values()))
        return d, dict(fixed="Biomass ~ Smarthouse + Genotypes*Treatments",
                       random="~ Smarthouse:(Lane + Position)",
                       residual="~ dsum(~ar1(Lane):ar1(Position) | Smarthouse)")
    from bench_many_fits import spatial_data

    return spatial_data(), dict(fixed="y ~ House + Geno * Trt", random="~ House:(Lane + Position)",
                                residual="~ dsum(~ ar1(Lane):ar1(Position) | House)")


def fit(d: pd.DataFrame, kw: dict[str, str]) -> tuple[float, Any]:
    t0 = time.process_time()
    m = asr.asreml(**kw, data=d)
    return time.process_time() - t0, m


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fits", type=int, default=10, help="old/new pairs timed")
    ap.add_argument("--rda", help="ChickpeaEnd.dat.rda (asremlPlus) instead of simulated data")
    a = ap.parse_args()
    d, kw = data(a.rda)
    with old_paths():
        fit(d, kw)  # warm-up: imports, first-call caches
    fit(d, kw)
    t_old, t_new = [], []
    for _ in range(a.fits):  # alternated: the machine's load falls on both alike
        with old_paths():
            s, m_old = fit(d, kw)
        t_old.append(s)
        s, m_new = fit(d, kw)
        t_new.append(s)
    old, new = float(np.median(t_old)), float(np.median(t_new))
    it_old, it_new = len(m_old.iterations) - 1, len(m_new.iterations) - 1
    dl = abs(m_new.loglik - m_old.loglik) / abs(m_old.loglik)
    name = "ChickpeaEnd" if a.rda else "simulated"
    print(f"{'data':<12} {'old s/fit':>10} {'new s/fit':>10} {'old/new':>8} {'iterations':>11}")
    print(f"{name:<12} {old:10.4f} {new:10.4f} {old / new:8.2f} {it_old:>5}/{it_new:<5}")
    print(f"loglik old {m_old.loglik!r} new {m_new.loglik!r} (relative {dl:.1e}); largest "
          f"relative differences: varcomp "
          f"{_rel(m_new.varcomp['component'], m_old.varcomp['component']):.1e}, fixed "
          f"{_rel(m_new.result.beta, m_old.result.beta):.1e}, random "
          f"{_rel(m_new.coef_random['solution'], m_old.coef_random['solution']):.1e}")
    return 0 if dl <= 1e-8 and it_old == it_new else 1


if __name__ == "__main__":
    sys.exit(main())
