"""fa(k) fits against dense-V REML on the engine sweep's simulated METs (size 150): per seed,
converged or not, iterations, ℓ, the relative gap to the dense optimum and the Heywood set
(the ψ_i at zero). The dense optima do not depend on asr_py, so they are kept in a JSON
cache (``--cache``) and a second run (after an engine change) refits only asr_py.

    OMP_NUM_THREADS=1 python benchmarks/sweep_fa_optima.py [--seeds 0-29] [--match fa2]
        [--cache /tmp/fa_dense.json]

Cases: the sweep's ``fa(env,1):gen`` (4 environments) and ``fa(env,2):gen`` (5), and
``fa(env,3):gen`` here (7 environments, a rank-3 Λ plus Ψ). The dense model is the fa
family's own parameters (tests/reml/_sweep_cases._us_like), maximised from its two starts
(tests/_dense_reml.fit_dense), independent of asr_py's path.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "reml")]

from _dense_reml import fit_dense  # noqa: E402
from _sweep_cases import Case, _uni, _us_like, cases, fit_asr  # noqa: E402

#: a ψ_i below this fraction of its environment's Σ_ii counts as a Heywood case
HEYWOOD_REL = 1e-4


def fa3_case() -> Case:
    """fa(env, 3) of 7 environments: Σ = ΛΛ' + Ψ, Λ of rank 3 (kg/ha scale)."""
    lam = np.array([[1.0, 0.0, 0.0], [0.8, 0.5, 0.0], [0.6, -0.4, 0.5], [0.9, 0.2, -0.3],
                    [0.5, 0.7, 0.2], [0.7, -0.2, -0.5], [0.4, 0.3, 0.6]]) * 350.0
    g = lam @ lam.T + np.diag([2e4, 3e4, 1e4, 2.5e4, 1.5e4, 2e4, 1e4])
    mean = np.array([5200.0, 6100.0, 4300.0, 7000.0, 3900.0, 5600.0, 4800.0])
    sd = np.array([500.0, 650.0, 420.0, 800.0, 380.0, 550.0, 450.0])
    return Case("fa(env,3):gen", _uni(7, g, mean, sd),
                dict(fixed="y ~ env", random="~ fa(env, 3):gen", maxit=60), _us_like(7, "fa3"))


def fa_cases(size: int) -> list[Case]:
    return [c for c in cases(size) if c.name.startswith("fa(")] + [fa3_case()]


def seeds_of(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        out += list(range(int(a), int(b or a) + 1))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=150)
    ap.add_argument("--seeds", default="0-29", help="e.g. 0-29 or 3,5")
    ap.add_argument("--match", default="", help="regex on the case names")
    ap.add_argument("--cache", default="", help="JSON file of dense optima (read/written)")
    a = ap.parse_args(argv)
    cache_path = Path(a.cache) if a.cache else None
    cache = json.loads(cache_path.read_text()) if cache_path and cache_path.exists() else {}
    print(f"{'case':16s} seed conv  it {'loglik':>16s} {'gap_rel':>9s}  heywood   secs")
    tally: dict[str, list[float]] = {}
    for case in fa_cases(a.size):
        if a.match and not re.search(a.match, case.name):
            continue
        k = int(case.kwargs["random"].split(",")[1].split(")")[0])
        for seed in seeds_of(a.seeds):
            d = case.data(np.random.default_rng(seed), a.size)
            t = time.process_time()
            m = fit_asr(case, d)
            dt = time.process_time() - t
            key = f"{case.name}|{seed}|{a.size}"
            if key not in cache:
                dn = case.dense(d)
                _, ld = fit_dense(dn.y, dn.X, dn.vfun, dn.starts, dn.bounds, scale=dn.scale)
                cache[key] = float(ld)
                if cache_path:
                    cache_path.write_text(json.dumps(cache, indent=0))
            ld = cache[key]
            gap = (ld - m.loglik) / abs(m.loglik)
            vc = m.varcomp
            n_e = d["env"].cat.categories.size
            comp = vc["component"].to_numpy(float)
            lam = comp[n_e:n_e + n_e * k].reshape(k, n_e).T
            sii = np.sum(lam ** 2, axis=1) + comp[:n_e]
            hey = [i for i in range(n_e) if comp[i] <= HEYWOOD_REL * sii[i]]
            print(f"{case.name:16s} {seed:4d} {int(m.converged):4d} {m.result.n_iter:3d} "
                  f"{m.loglik:16.6f} {gap:9.1e}  {','.join(map(str, hey)) or '-':8s} "
                  f"{dt:5.1f}", flush=True)
            tally.setdefault(case.name, []).append(gap if m.converged else np.inf)
    for name, gaps in tally.items():
        g = np.array(gaps)
        conv = np.isfinite(g)
        print(f"{name}: converged {conv.sum()}/{g.size}; converged with gap > 1e-8: "
              f"{int(np.sum(g[conv] > 1e-8))}; largest gap of converged "
              f"{(g[conv].max() if conv.any() else np.nan):.1e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
