"""Census of bound_revisit's face fits on real scripts, and a replay of the abandonment rule.

1. ``--site DIR`` writes DIR/sitecustomize.py. Put DIR first on PYTHONPATH of any run (e.g.
   ``benchmarks/translate_corpus.py --run --match ...``): every fit's revisit step then appends
   one JSON line to $ASR_REVISIT_LOG (default /tmp/asr_revisit.jsonl) with the first fit's ℓ
   and, for each inner fit (the faces, then the free refit), its fixed indices F, ℓ,
   convergence, iterations, CPU and path [(ℓ_i, g_i)] as the monitor saw it. Record with the
   old rule (FaceWatch switched off: ``ASR_REVISIT_RULE=off``) to get every face's full path.
2. ``--replay LOG...`` replays the recorded paths through
   :class:`asr_py.reml.bound_revisit.FaceWatch` (the rule reads nothing else, so a
   prefix of a full path is what the rule would have seen): faces triggered, better than the
   target, abandoned, lost (abandoned but better), iterations run and saved.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

SITE = '''"""asr_py revisit census (benchmarks/revisit_census.py --site)."""
import json, os, sys, time


def _install():
    import asr_py.reml.ai as ai
    import asr_py.reml.bound_revisit as br
    log = os.environ.get("ASR_REVISIT_LOG", "/tmp/asr_revisit.jsonl")
    if os.environ.get("ASR_REVISIT_RULE") == "off":
        br.ABANDON_ITERS = 10 ** 9
    fit0, rev0 = ai._fit_reml, ai._revisit_bound
    inner = []

    def fit(problem, **kw):
        path, user = [], kw.pop("monitor", None)

        def mon(ll, g):
            path.append((ll, g))
            if user is not None:
                user(ll, g)
        t0 = time.process_time()
        fixed = [i for i, c in enumerate(problem.constraints) if str(c) == "F"]
        rec = dict(F=fixed, path=path)
        try:
            res = fit0(problem, monitor=mon, **kw)
        except br.FaceAbandoned:
            rec.update(ll=path[-1][0], conv=False, it=len(path), abandoned=True,
                       cpu=time.process_time() - t0)
            inner.append(rec)
            raise
        rec.update(ll=float(res.loglik), conv=bool(res.converged), it=len(res.history) - 1,
                   cpu=time.process_time() - t0)
        inner.append(rec)
        return res

    def rev(problem, res, kwargs):
        inner.clear()
        t0 = time.process_time()
        out = rev0(problem, res, kwargs)
        if inner:
            rec = dict(script=os.path.abspath(sys.argv[0]), cwd=os.getcwd(),
                       first_ll=float(res.loglik), out_ll=float(out.loglik),
                       kept=out is not res, cpu=time.process_time() - t0, inner=list(inner))
            fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, (json.dumps(rec) + "\\n").encode())
            finally:
                os.close(fd)
        return out

    ai._fit_reml, ai._revisit_bound = fit, rev


try:
    _install()
except ImportError:
    pass
'''


def faces(rec: dict) -> list[dict]:
    """The face fits of a record: one more fixed parameter than the free refit after them."""
    m = max(len(f["F"]) for f in rec["inner"])
    return [f for f in rec["inner"] if len(f["F"]) == m]


def replay(recs: list[dict]) -> dict[str, float]:
    """Totals of the rule replayed on full recorded paths (see the module docstring)."""
    from asr_py.reml.bound_revisit import MIN_GAIN, FaceAbandoned, FaceWatch

    out = dict(records=len(recs), kept=sum(bool(r["kept"]) for r in recs), faces=0,
               better=0, abandoned=0, lost=0, iterations=0, saved=0)
    for r in recs:
        best = None
        for f in faces(r):
            target = r["first_ll"] + MIN_GAIN if best is None else max(
                r["first_ll"] + MIN_GAIN, best)
            watch, stop = FaceWatch(target), None
            for ll, g in f["path"]:
                try:
                    watch(ll, g)
                except FaceAbandoned:
                    stop = watch.iterations
                    break
            better = f["ll"] > target
            out["faces"] += 1
            out["better"] += better
            out["iterations"] += f["it"]
            if stop is not None:
                out["abandoned"] += 1
                out["lost"] += better
                out["saved"] += f["it"] - stop
            elif f["conv"] and better:
                best = f["ll"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site", type=Path, help="write DIR/sitecustomize.py (the recorder)")
    ap.add_argument("--replay", nargs="+", type=Path, help="JSON-lines logs to replay")
    a = ap.parse_args()
    if a.site:
        a.site.mkdir(parents=True, exist_ok=True)
        (a.site / "sitecustomize.py").write_text(SITE)
        print(f"PYTHONPATH={a.site}:$PYTHONPATH records to $ASR_REVISIT_LOG")
    if a.replay:
        recs = [json.loads(ln) for p in a.replay for ln in p.read_text().splitlines() if ln]
        print(" ".join(f"{k} {v}" for k, v in replay(recs).items()))


if __name__ == "__main__":
    main()
