"""Time asr_py on the reference problems and print ratios against recorded peer times.

    python benchmarks/bench_fits.py

For each model: our wall time (median of 3), iterations, time per iteration, and the
elapsed times recorded for lme4 and sommer on the same data (shared/reference/*.json, same
2-core machine class) with the ratio peer / ours (> 1: we are faster). Reference data are
read from tests/data; peer times from ../shared/reference when present.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import pandas as pd

import asr_py as asr

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
REF = ROOT.parent / "shared" / "reference"


def peer_times(model_id: str) -> dict[str, float]:
    """Recorded elapsed seconds per peer (first fit of each) for a reference model id."""
    f = REF / f"{model_id}.json"
    if not f.exists():
        return {}
    out = {}
    for fit in json.loads(f.read_text())["fits"]:
        t = (fit.get("time") or {}).get("elapsed_median_s")
        if t is not None:
            out.setdefault(fit["peer"], t)
    return out


def reference_cases() -> list[tuple[str, dict]]:
    """(model id, ``asr.asreml`` keyword arguments) for each reference problem."""
    ex = pd.read_csv(DATA / "DT_example.csv", dtype={c: str for c in ("Name", "Env", "Loc",
                                                                       "Year", "Block")})
    ss = pd.read_csv(DATA / "sleepstudy.csv", dtype={"Subject": str})
    dy = pd.read_csv(DATA / "Dyestuff.csv", dtype={"Batch": str})
    pe = pd.read_csv(DATA / "Penicillin.csv", dtype={"plate": str, "sample": str})
    gr = pd.read_csv(DATA / "DT_gryphon.csv", dtype=str).astype({"BWT": float})
    ped = pd.read_csv(DATA / "P_gryphon.csv", dtype=str, keep_default_na=False)
    ainv = asr.ainverse(ped)
    return [
        ("a_example_cs", dict(fixed="Yield ~ Env", random="~ Name + Env:Name", data=ex)),
        ("b_example_diag", dict(fixed="Yield ~ Env", random="~ diag(Env):Name", data=ex)),
        ("c_example_us", dict(fixed="Yield ~ Env", random="~ us(Env):Name", data=ex)),
        ("d_example_bivariate", dict(fixed="cbind(Yield, Weight) ~ trait + trait:Env",
                                     random="~ us(trait):Name", residual="~ units:us(trait)",
                                     data=ex)),
        ("g_gryphon_animal", dict(fixed="BWT ~ SEX", random="~ vm(ANIMAL, ainv) + MOTHER",
                                  data=gr, ainv=ainv)),
        ("h_sleepstudy", dict(fixed="Reaction ~ Days",
                              random="~ str(~ Subject + Days:Subject, ~ us(2):id(Subject))",
                              data=ss)),
        ("i1_penicillin", dict(fixed="diameter ~ 1", random="~ plate + sample", data=pe)),
        ("i2_dyestuff", dict(fixed="Yield ~ 1", random="~ Batch", data=dy)),
    ]


def main() -> None:
    cases = reference_cases()
    print(f"{'model':22} {'ours s':>8} {'iter':>5} {'s/iter':>8}   peers (elapsed s, ratio)")
    for mid, kw in cases:
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            m = asr.asreml(**kw)
            times.append(time.perf_counter() - t0)
        t = statistics.median(times)
        peers = peer_times(mid)
        ptxt = ", ".join(f"{p}: {pt:.3f} ({pt / t:.1f}x)" for p, pt in peers.items())
        print(f"{mid:22} {t:8.3f} {m.result.n_iter:5d} {t / max(m.result.n_iter, 1):8.4f}   "
              f"{ptxt}")


if __name__ == "__main__":
    main()
