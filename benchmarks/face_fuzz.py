"""Fuzz of covariance matrices on (or near) the positive-definite face: simulated lmer models
fitted by lme4 (Rscript), asr_py and an independent dense-V REML (tests/_dense_reml.py).

Forms (lme4 | asreml):  (x|g)+(x|h) | str(~g+g:x, ~us(2):id(g)) + str(~h+h:x, ~us(2):id(h));
(x+z|g) | str(~g+g:x+g:z, ~us(3):id(g));  (0+f|g) | us(f):g (2-5 levels);
(1|g)+(0+f|h) | g + us(f):h;  (x|g) | str(~g+g:x, ~us(2):id(g));  (0+f|g)+(1|h).
Small group counts (4-20) and random-effect covariances of rank 0, 1 or full put many optima
on a face. Steps (files in OUT, default /tmp/facefuzz):

    python benchmarks/face_fuzz.py gen [--n 240 --seed 3200]   # data d<i>.csv, cases.json
    python benchmarks/face_fuzz.py lme4                        # lme4.json (Rscript)
    python benchmarks/face_fuzz.py asr [--tag before]           # asr_<tag>.json
    python benchmarks/face_fuzz.py dense [--tag before]         # dense.json (flagged cases)
    python benchmarks/face_fuzz.py report [--tag before]
    python benchmarks/face_fuzz.py cpu [--every 4 --rounds 1 --variants off,s32,now]

LOWER: asr converged with ℓ < lme4's − 1e-6; higher: ℓ > lme4's + 1e-6; unconverged: asr
says so. ``dense`` polishes the dense-V optimum (Cholesky parametrisation, starts at lme4's
and asr's estimates) of every case asr ended below lme4 or unconverged, or that lme4 flagged.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(os.environ.get("FACE_FUZZ_DIR", "/tmp/facefuzz"))
# (name, lme4 random part, asreml random, terms for the dense V: (group, components))
FORMS: list[tuple[str, str, str, list[tuple[str, list[str]]]]] = [
    ("xg+xh", "(x|g) + (x|h)",
     "~ str(~ g + g:x, ~ us(2):id(g)) + str(~ h + h:x, ~ us(2):id(h))",
     [("g", ["1", "x"]), ("h", ["1", "x"])]),
    ("xzg", "(x+z|g)", "~ str(~ g + g:x + g:z, ~ us(3):id(g))", [("g", ["1", "x", "z"])]),
    ("usfg", "(0+f|g)", "~ us(f):g", [("g", ["f"])]),
    ("g+usfh", "(1|g) + (0+f|h)", "~ g + us(f):h", [("g", ["1"]), ("h", ["f"])]),
    ("xg", "(x|g)", "~ str(~ g + g:x, ~ us(2):id(g))", [("g", ["1", "x"])]),
    ("usfg+h", "(0+f|g) + (1|h)", "~ us(f):g + h", [("g", ["f"]), ("h", ["1"])]),
]


def gen(n_cases: int, seed: int) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    cases = []
    for i in range(n_cases):
        rng = np.random.default_rng(seed + i)
        name, lr, ar, terms = FORMS[i % len(FORMS)]
        ng, nh = (int(v) for v in rng.integers(4, 21, 2))
        nf = int(rng.integers(2, 6)) if "usf" in name else int(rng.integers(2, 4))
        n = int(rng.integers(60, 300))
        g, h, f = rng.integers(0, ng, n), rng.integers(0, nh, n), rng.integers(0, nf, n)
        xs, zs = 10 ** rng.uniform(-1, 2, 2)
        xo = rng.choice([0.0, rng.uniform(-1, 1) * 30]) * xs
        zo = rng.choice([0.0, rng.uniform(-1, 1) * 30]) * zs
        xu, zu = rng.normal(size=n), rng.normal(size=n)
        ys = 10 ** rng.uniform(-2, 3)
        eta = 3 + 0.3 * xu + 0.2 * zu + 0.7 * f + rng.normal(size=n)
        for grp, comps in terms:
            lev = g if grp == "g" else h
            nl = ng if grp == "g" else nh
            cols = [np.eye(nf)[f][:, a] for a in range(nf)] if comps == ["f"] else \
                [{"1": np.ones(n), "x": xu, "z": zu}[c] for c in comps]
            m = len(cols)
            r = int(rng.choice([0, 1, 1, m]))
            L = rng.normal(size=(m, r)) * rng.choice([0.3, 1.0])
            u = rng.normal(size=(nl, r)) @ L.T
            eta += sum(u[lev, a] * cols[a] for a in range(m))
        d = pd.DataFrame(dict(y=ys * eta, x=xo + xs * xu, z=zo + zs * zu,
                              g=[f"g{v}" for v in g], h=[f"h{v}" for v in h],
                              f=[f"f{v}" for v in f]))
        d.to_csv(OUT / f"d{i}.csv", index=False)
        cases.append(dict(i=i, form=name, lme4=f"y ~ x + z + f + {lr}", fixed="y ~ x + z + f",
                          random=ar, terms=terms))
    (OUT / "cases.json").write_text(json.dumps(cases, indent=0))


R_SCRIPT = r"""
suppressMessages({library(lme4); library(jsonlite)})
args <- commandArgs(TRUE); dir <- args[1]
cases <- fromJSON(file.path(dir, "cases.json"), simplifyVector = FALSE)
out <- list()
for (cs in cases) {
  d <- read.csv(sprintf("%s/d%d.csv", dir, cs$i), stringsAsFactors = TRUE)
  m <- tryCatch(lmer(as.formula(cs$lme4), d, REML = TRUE), error = function(e) NULL)
  if (is.null(m)) { out[[length(out) + 1]] <- list(i = cs$i, ll = NA); next }
  vc <- lapply(VarCorr(m), function(v) unname(as.matrix(v)[, , drop = FALSE]))
  out[[length(out) + 1]] <- list(i = cs$i, ll = as.numeric(logLik(m)), sing = isSingular(m),
    conv = length(m@optinfo$conv$lme4$messages), vc = lapply(vc, function(v) v[, ]),
    vcn = names(vc), sigma2 = sigma(m)^2)
}
write_json(out, file.path(dir, "lme4.json"), digits = NA, auto_unbox = TRUE, matrix = "rowmajor")
"""


def lme4() -> None:
    script = OUT / "l4fit.R"
    script.write_text(R_SCRIPT)
    subprocess.run(["Rscript", str(script), str(OUT)], check=True)


class _Timeout(Exception):
    pass


def _alarm(*_: object) -> None:
    raise _Timeout


def load(i: int) -> pd.DataFrame:
    d = pd.read_csv(OUT / f"d{i}.csv")
    for c in "ghf":
        d[c] = d[c].astype("category")
    return d


def _polish_log() -> list[dict]:
    """s33polish: every call of the face polish (reml/ai.py _face_polish) logged: the rule
    that ended the fit it checks (RemlResult.stop), ℓ in and out, whether it replaced it."""
    import asr_py.reml.ai as ai
    log: list[dict] = []
    inner = ai._face_polish

    def logged(problem, res, kwargs):  # noqa: ANN001, ANN202
        from asr_py.reml.face_polish import candidates
        cand = len(candidates(problem, res.theta, res.constraints))
        t = time.process_time()
        out = inner(problem, res, kwargs)
        log.append(dict(stop=getattr(res, "stop", ""), ll_in=float(res.loglik),
                        ll_out=float(out.loglik), polished=out is not res, blocks=cand,
                        sec=round(time.process_time() - t, 4)))
        return out

    ai._face_polish = logged
    return log


def asr_run(tag: str, match: str | None, limit: float) -> None:
    import asr_py as asr
    plog = _polish_log()
    cases = json.loads((OUT / "cases.json").read_text())
    path = OUT / f"asr_{tag}.json"
    res = json.loads(path.read_text()) if path.exists() and match else {}
    signal.signal(signal.SIGALRM, _alarm)
    for cs in cases:
        if match and not re.search(match, f"{cs['i']}:{cs['form']}"):
            continue
        d = load(cs["i"])
        t = time.perf_counter()
        plog.clear()
        signal.alarm(int(limit))
        try:
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                m = asr.asreml(fixed=cs["fixed"], random=cs["random"], data=d)
            r = m.result
            rec = dict(ll=float(m.loglik), conv=bool(r.converged), it=int(r.n_iter),
                       names=list(r.names), theta=[float(v) for v in r.theta],
                       warn=[str(x.message)[:200] for x in w],
                       stop=getattr(r, "stop", ""), polish=list(plog))
        except _Timeout:
            rec = dict(ll=None, conv=False, it=-1, error="timeout")
        except Exception as e:  # noqa: BLE001 - a fuzz records every failure
            rec = dict(ll=None, conv=False, it=-1, error=f"{type(e).__name__}: {e}"[:300])
        finally:
            signal.alarm(0)
        rec["sec"] = round(time.perf_counter() - t, 3)
        res[str(cs["i"])] = rec
        print(cs["i"], cs["form"], rec.get("ll"), rec["conv"], rec["it"], rec["sec"],
              rec.get("error", ""), flush=True)
    path.write_text(json.dumps(res, indent=0))


# --------------------------------------------------------------------------- dense V
def _design(d: pd.DataFrame, terms: list) -> list[tuple[list[np.ndarray], np.ndarray]]:
    """Per term: the component columns (covariates centred and scaled: the same set of V
    for an unstructured matrix) and the map T from those to the raw (lme4/asreml) basis."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from _dense_reml import indicator
    out = []
    for grp, comps in terms:
        G = indicator(d[grp])
        if comps == ["f"]:
            F = indicator(d["f"])
            cols = [F[:, [a]] * G for a in range(F.shape[1])]
            T = np.eye(F.shape[1])
        else:
            cols, T = [], np.eye(len(comps))
            for a, c in enumerate(comps):
                if c == "1":
                    cols.append(G)
                    continue
                v = d[c].to_numpy(float)
                mu, sd = v.mean(), v.std()
                cols.append(G * ((v - mu) / sd)[:, None])
                # raw: u_1 + u_c v = (u_1 + u_c mu) + (u_c sd)(v - mu)/sd
                T[0, a] = mu  # centred coefficient vector c = T raw
                T[a, a] = sd
        out.append((cols, T))
    return out


def _matrices(names: list[str], theta: list[float], nterms: int) -> tuple[list[np.ndarray], float]:
    """asr's estimates as one matrix per random term (term order of appearance) and σ²."""
    mats: dict[str, dict[tuple[int, int], float]] = {}
    s2 = float("nan")
    for nm, v in zip(names, theta):
        if nm == "units!R":
            s2 = v
            continue
        pre, _, tail = nm.partition("!")
        m = re.search(r"(\d+):\D*(\d+)$", tail) if tail else None
        a, b = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
        mats.setdefault(pre, {})[(a, b)] = v
    out = []
    for ent in mats.values():
        lo = min(min(k) for k in ent)
        k = max(max(k) for k in ent) - lo + 1
        M = np.zeros((k, k))
        for (a, b), v in ent.items():
            M[a - lo, b - lo] = M[b - lo, a - lo] = v
        out.append(M)
    assert len(out) == nterms, (names, nterms)
    return out, s2


def dense_case(cs: dict, l4: dict, asr_rec: dict | None, asr_start: bool = True) -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from _dense_reml import chol_entries, chol_from, fit_dense, indicator, reml_loglik
    d = load(cs["i"])
    X = np.column_stack([np.ones(len(d)), d.x, d.z, indicator(d.f)[:, 1:]])
    y = d.y.to_numpy(float)
    sy = float(y.std())
    ys = y / sy
    des = _design(d, cs["terms"])
    ks = [len(c) for c, _ in des]
    npar = [k * (k + 1) // 2 for k in ks]

    cross = [[[c[a] @ c[b].T for b in range(len(c))] for a in range(len(c))]
             for c, _ in des]

    def V(x: np.ndarray) -> np.ndarray:
        v = x[-1] ** 2 * np.eye(len(y))
        o = 0
        for cr, k, p in zip(cross, ks, npar):
            L = chol_from(x[o:o + p], k)
            S = L @ L.T
            o += p
            for a in range(k):
                for b in range(k):
                    v += S[a, b] * cr[a][b]
        return v

    def start(mats: list[np.ndarray], s2: float) -> np.ndarray:
        xs = []
        for M, (_, T) in zip(mats, des):
            C = T @ np.asarray(M, float).reshape(T.shape) @ T.T / sy ** 2
            xs.append(chol_entries(C))
        return np.r_[np.concatenate(xs), np.sqrt(max(s2, 1e-12)) / sy]

    starts = []
    if l4.get("ll") is not None:
        vcs = l4["vc"] if isinstance(l4["vc"], list) else list(l4["vc"].values())
        # lme4's VarCorr: terms named by group; order as in cs["terms"]
        byname = dict(zip(l4["vcn"] if isinstance(l4["vcn"], list) else [l4["vcn"]], vcs))
        mats = [np.atleast_2d(np.asarray(byname[g], float)) for g, _ in cs["terms"]]
        starts.append(start(mats, l4["sigma2"]))
    at = None
    if asr_rec and asr_rec.get("ll") is not None:
        mats, s2 = _matrices(asr_rec["names"], asr_rec["theta"], len(cs["terms"]))
        if [m.shape[0] for m in mats] != [t.shape[0] for _, t in des]:
            mats = mats[::-1]  # (asr names us(f):g + h's terms h first)
        at = start(mats, s2)
        if asr_start:
            starts.append(at)
    if len(starts) < 2:
        starts.append(np.r_[np.concatenate([np.eye(k)[np.tril_indices(k)] * 0.3 for k in ks]),
                            0.7])
    xo, f = fit_dense(ys, X, V, starts)
    jac = -(len(y) - X.shape[1]) * np.log(sy)
    at_asr = None if at is None else reml_loglik(ys, X, V(at)) + jac
    return dict(opt=float(f + jac), at_asr=at_asr)


def flagged(cs: dict, l4: dict, a: dict) -> bool:
    return (a.get("ll") is None or not a["conv"] or l4.get("ll") is None
            or a["ll"] < l4["ll"] - 1e-6 or bool(l4.get("conv")))


def dense_run(tag: str, allc: bool, match: str | None, asr_start: bool) -> None:
    cases = json.loads((OUT / "cases.json").read_text())
    l4 = {str(r["i"]): r for r in json.loads((OUT / "lme4.json").read_text())}
    a = json.loads((OUT / f"asr_{tag}.json").read_text())
    path = OUT / ("dense_l4.json" if not asr_start else "dense.json")
    res = json.loads(path.read_text()) if path.exists() else {}
    for cs in cases:
        k = str(cs["i"])
        if match and not re.search(match, f"{k}:{cs['form']}"):
            continue
        if k not in a or (not allc and not flagged(cs, l4[k], a[k])) or (k in res and not match):
            continue
        t = time.perf_counter()
        res[k] = dense_case(cs, l4[k], a[k], asr_start)
        print(k, cs["form"], res[k], round(time.perf_counter() - t, 1), flush=True)
        path.write_text(json.dumps(res, indent=0))


def report(tag: str) -> None:
    cases = json.loads((OUT / "cases.json").read_text())
    l4 = {str(r["i"]): r for r in json.loads((OUT / "lme4.json").read_text())}
    a = json.loads((OUT / f"asr_{tag}.json").read_text())
    dn = json.loads((OUT / "dense.json").read_text()) if (OUT / "dense.json").exists() else {}
    cnt = dict(cases=0, LOWER=0, higher=0, equal=0, unconverged=0, error=0, below_dense=0)
    its, secs = [], []
    for cs in cases:
        k = str(cs["i"])
        if k not in a:
            continue
        r, q = a[k], l4[k]
        cnt["cases"] += 1
        if r.get("ll") is None:
            cnt["error"] += 1
            print("ERROR", k, cs["form"], r.get("error"))
            continue
        its.append(r["it"])
        secs.append(r["sec"])
        dl = r["ll"] - q["ll"] if q.get("ll") is not None else float("nan")
        opt = dn.get(k, {}).get("opt")
        gap = None if opt is None else r["ll"] - opt
        tol = 3e-8 * 300
        if not r["conv"]:
            cnt["unconverged"] += 1
            print(f"UNCONV {k} {cs['form']} dl={dl:.3g} gap_dense={gap} it={r['it']} "
                  f"lme4msg={q.get('conv')}")
        elif dl < -1e-6:
            cnt["LOWER"] += 1
            print(f"LOWER {k} {cs['form']} dl={dl:.3g} gap_dense={gap} it={r['it']}")
        elif dl > 1e-6:
            cnt["higher"] += 1
        else:
            cnt["equal"] += 1
        if r["conv"] and gap is not None and gap < -tol:
            cnt["below_dense"] += 1
            print(f"BELOW_DENSE {k} {cs['form']} gap={gap:.3g} dl={dl:.3g}")
    print(cnt, "iterations total", sum(its), "mean", np.mean(its), "time total",
          round(sum(secs), 1))


def _s32_polish(problem, res, kwargs):  # noqa: ANN001, ANN202
    """The session-32 face polish (baseline of ``cpu``): a second MME(problem) (its own
    symbolic analysis) and score_ai (score and AI) at each BFGS evaluation."""
    from asr_py.errors import ModelError
    from asr_py.reml.ai import REFIT_MIN_ITER, _second_fit
    from asr_py.reml.face_polish import NOTE, polish
    from asr_py.reml.mme import MME
    from asr_py.reml.tolerance import loglik_tolerance

    if kwargs.get("maxit", 30) < REFIT_MIN_ITER or "S" in list(res.constraints):
        return res
    tol = loglik_tolerance(problem, kwargs.get("tol_loglik", 3e-8))
    mme = MME(problem)

    def value_score(th: np.ndarray) -> tuple[float, np.ndarray] | None:
        try:
            st = mme.evaluate(th)
            return float(st.loglik), mme.score_ai(st)[0]
        except (ModelError, np.linalg.LinAlgError, ValueError):
            return None

    got = polish(problem, res, value_score, tol)
    if got is None:
        return res
    second = _second_fit(problem, kwargs, got[0])
    if second is None or second.loglik <= res.loglik + tol:
        return res
    second.diagnostics.insert(0, NOTE.format(gap=got[1] - res.loglik))
    return second


def cpu_run(every: int, rounds: int, variants: list[str]) -> None:
    """Process time of the fits of every ``every``-th case with the face polish off, as in
    session 32 (``s32``) and as it is now (``now``): the variants alternate case by case in
    one process (the same load on each), ``rounds`` times; ℓ and iterations per variant."""
    import asr_py as asr
    import asr_py.reml.ai as ai
    now = ai._face_polish
    impl = {"off": lambda problem, res, kwargs: res, "s32": _s32_polish, "now": now}
    cases = [c for c in json.loads((OUT / "cases.json").read_text()) if c["i"] % every == 0]
    tot = {v: 0.0 for v in variants}
    pol = {v: 0.0 for v in variants}
    out: dict[str, dict] = {v: {} for v in variants}
    for _ in range(rounds):
        for cs in cases:
            d = load(cs["i"])
            for v in variants:
                spent = [0.0]

                def timed(problem, res, kwargs, f=impl[v], spent=spent):  # noqa: ANN001, ANN202
                    t0 = time.process_time()
                    try:
                        return f(problem, res, kwargs)
                    finally:
                        spent[0] += time.process_time() - t0

                ai._face_polish = timed
                t = time.process_time()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    m = asr.asreml(fixed=cs["fixed"], random=cs["random"], data=d)
                tot[v] += time.process_time() - t
                pol[v] += spent[0]
                out[v][str(cs["i"])] = dict(ll=float(m.loglik), conv=bool(m.result.converged),
                                            it=int(m.result.n_iter))
    ai._face_polish = now
    for v in variants:
        its = sum(r["it"] for r in out[v].values())
        print(f"{v:4s} fits {len(cases) * rounds}  CPU {tot[v]:.2f} s  (polish {pol[v]:.2f} s)"
              f"  iterations {its}")
    for a, v in zip(variants[:-1], variants[1:]):
        dl = [abs(out[v][k]["ll"] - out[a][k]["ll"]) for k in out[a]]
        print(f"{v} vs {a}: max |Δℓ| {max(dl):.3g}, cases differing > 1e-9:",
              [k for k, x in zip(out[a], dl) if x > 1e-9])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("step", choices=["gen", "lme4", "asr", "dense", "report", "cpu"])
    ap.add_argument("--n", type=int, default=240)
    ap.add_argument("--seed", type=int, default=3200)
    ap.add_argument("--tag", default="before")
    ap.add_argument("--match")
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--lme4-start", action="store_true",
                    help="dense: start at lme4's estimates and a generic point only")
    ap.add_argument("--limit", type=float, default=120)
    ap.add_argument("--every", type=int, default=4, help="cpu: every k-th case")
    ap.add_argument("--rounds", type=int, default=1, help="cpu: passes over the cases")
    ap.add_argument("--variants", default="off,s32,now", help="cpu: polish variants")
    o = ap.parse_args()
    if o.step == "gen":
        gen(o.n, o.seed)
    elif o.step == "lme4":
        lme4()
    elif o.step == "asr":
        asr_run(o.tag, o.match, o.limit)
    elif o.step == "cpu":
        cpu_run(o.every, o.rounds, o.variants.split(","))
    elif o.step == "dense":
        dense_run(o.tag, o.all, o.match, not o.lme4_start)
    else:
        report(o.tag)


if __name__ == "__main__":
    main()
