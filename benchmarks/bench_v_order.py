"""Benchmark (s27speed): two V form changes against their old paths, both measured in this
run, one BLAS thread (reml/v_form.py):

* P in C order against the old Fortran-ordered P (``_c_order``; old: the identity);
* the EM information's closed forms from the index-free product, built once per form
  (``_em_term``), against term_inverse's index maps built at each call (old);
* a gathered term's V_j and traces without the s·F copy when s = 1 (``_Term.v_part``,
  ``_term_traces``; old: the session 26 code, kept here as ``old_v_part``/``old_traces``).

    OMP_NUM_THREADS=1 python benchmarks/bench_v_order.py [--lines 600] [--reps 5] [--fit]

Case: bench_v_form's ``vm(geno, G):corh(env) + ide(geno)`` (L lines x 6 environments,
n = 4.2 L records; the sweetpotato second stage has L = 1120). Prints per path the CPU
seconds of one score evaluation (V's Cholesky, P, the traces and the AI: what the
iteration and a differenced Hessian pay per point, best of ``reps``), its O(n²) part (P's X
correction and the traces), one EM information, and with ``--fit`` a whole fit's CPU,
iterations and ℓ (old: both old paths); the old/new ratios; exits 1 unless P, score, AI and
the EM information are the same digits and the fits agree.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from bench_dense_mme import _data  # noqa: E402

import asr_py as asr  # noqa: E402
from asr_py.reml import v_form  # noqa: E402

_NEW = v_form._c_order
_NEW_EM = v_form._em_term


class _OldEm:
    """The old path: term_inverse (with its index maps) at every em_block call."""

    def __init__(self, tmpl: object) -> None:
        self.tmpl = tmpl

    def em_block(self, theta: np.ndarray) -> np.ndarray:
        from asr_py.reml.ginverse import term_inverse

        return term_inverse(self.tmpl, True, dense_ok=True).em_block(theta)  # type: ignore[arg-type]


def old_v_part(self: v_form._Term, th: np.ndarray) -> np.ndarray:
    """_Term.v_part before s27speed."""
    if not self.gather:
        return _NEW_VPART(self, th)
    s, mats = self.mats(th)
    out = s * self.fixed()
    for p, m, c in zip(self.parts, mats, self.codes):
        if p.n_params:
            out *= v_form._gather(m, c)
    return out


def old_traces(t: v_form._Term, th: np.ndarray, pm: np.ndarray) -> np.ndarray:
    """_term_traces before s27speed."""
    if not t.gather:
        return _NEW_TRACES(t, th, pm)
    s, mats = t.mats(th)
    s_th = t.template.split(th)[1] if t.template.kronecker_factors() else [th]
    out = []
    base = pm * t.fixed()
    free = [lv for lv, part in enumerate(t.parts) if part.n_params]
    if t.scale:
        full = base.copy() if free else base
        for lv in free:
            full *= v_form._gather(mats[lv], t.codes[lv])
        out.append(float(full.sum()))
        del full
    for lv in free:
        part, tl = t.parts[lv], s_th[lv]
        h = base * s
        for l2 in free:
            if l2 != lv:
                h *= v_form._gather(mats[l2], t.codes[l2])
        inc = t.incid[lv]
        blk = np.asarray(inc.T @ np.asarray(inc.T @ h).T)
        del h
        out += [v_form._trace_with(blk, d) for d in part.derivatives(tl)]
    return np.array(out, dtype=float)


_NEW_VPART = v_form._Term.v_part
_NEW_TRACES = v_form._term_traces


def _set(old: bool) -> None:
    v_form._c_order = (lambda a: a) if old else _NEW
    v_form._em_term = _OldEm if old else _NEW_EM  # type: ignore[assignment]
    v_form._Term.v_part = old_v_part if old else _NEW_VPART  # type: ignore[method-assign]
    v_form._term_traces = old_traces if old else _NEW_TRACES


def _best(fn: Callable[[], object], reps: int) -> float:
    best = np.inf
    for _ in range(reps):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return float(best)


def _form(n_g: int) -> tuple[v_form.VForm, np.ndarray, dict, object, object]:
    d, G, kw = _data("corh", n_g)
    cap: dict = {}
    orig = v_form.VForm.__init__

    def init(self: v_form.VForm, problem: object) -> None:
        orig(self, problem)  # type: ignore[arg-type]
        cap["form"] = self

    v_form.VForm.__init__ = init  # type: ignore[method-assign]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = asr.asreml(data=d, maxit=2, G=G, solver="v", **kw)
    finally:
        v_form.VForm.__init__ = orig  # type: ignore[method-assign]
    return cap["form"], np.asarray(m.result.theta, dtype=float), kw, d, G


def _point(form: v_form.VForm, theta: np.ndarray, reps: int) -> tuple[float, float, tuple]:
    def score() -> tuple:
        st = form.evaluate(theta)
        return st.factor.p_matrix(), *form.score_ai(st)

    st = form.evaluate(theta)
    pm = st.factor.p_matrix()

    def quadratic() -> None:  # the O(n²) part: P's X correction and the traces
        st.factor._p = None
        st.factor.p_matrix()
        for t in form.terms:
            if t.template.n_params:
                v_form._term_traces(t, form._theta(theta, t), pm)

    t_all = _best(score, reps)
    t_quad = _best(quadratic, reps) - _best(
        lambda: v_form.sla.lapack.dpotri(st.factor.low, lower=1), reps)
    return t_all, t_quad, score()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=600)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--fit", action="store_true", help="also time a whole fit per path")
    a = ap.parse_args()
    form, theta, kw, d, G = _form(a.lines)
    res = {}
    for name in ("old", "new"):
        _set(name == "old")
        res[name] = _point(form, theta, a.reps)
    _set(False)
    (to, qo, (po, so, ao)), (tn, qn, (pn, sn, an)) = res["old"], res["new"]
    same = (np.array_equal(po, pn) and np.allclose(sn, so, rtol=1e-12, atol=0)
            and np.allclose(an, ao, rtol=1e-12, atol=0))
    print(f"n = {form.n} records: score point old {to:.3f} s / new {tn:.3f} s CPU "
          f"(x{to / tn:.2f}); O(n²) part old {qo:.3f} / new {qn:.3f} s (x{qo / max(qn, 1e-9):.1f});"
          f" same P, score, AI: {same}", flush=True)
    ems = {}
    for name in ("old", "new"):
        _set(name == "old")
        form._em_terms = {}
        t0 = time.process_time()
        e1 = form.em_information(theta)
        t1 = time.process_time()
        form.em_information(theta)
        ems[name] = (t1 - t0, time.process_time() - t1, e1)
    _set(False)
    same_em = np.array_equal(ems["old"][2], ems["new"][2])
    print(f"EM information: first call old {ems['old'][0]:.3f} / new {ems['new'][0]:.3f} s, "
          f"later calls old {ems['old'][1]:.3f} / new {ems['new'][1]:.4f} s CPU; "
          f"same digits: {same_em}", flush=True)
    ok = same and same_em
    if a.fit:
        fits = {}
        for name in ("old", "new"):
            _set(name == "old")
            t0 = time.process_time()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                m = asr.asreml(data=d, maxit=30, G=G, solver="v", **kw)
            fits[name] = (time.process_time() - t0, m.result)
        _set(False)
        (co, ro), (cn, rn) = fits["old"], fits["new"]
        d_ll = abs(rn.loglik - ro.loglik) / abs(ro.loglik)
        d_th = float(np.max(np.abs(rn.theta - ro.theta) / np.maximum(np.abs(ro.theta), 1e-12)))
        print(f"fit: old {co:.2f} s / new {cn:.2f} s CPU (x{co / cn:.2f}), iterations "
              f"{ro.n_iter}/{rn.n_iter}, rel d loglik {d_ll:.1e}, max rel d theta {d_th:.1e}")
        ok = ok and ro.n_iter == rn.n_iter and d_ll <= 1e-10 and d_th <= 1e-8
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
