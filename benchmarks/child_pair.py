"""Run one benchmark case in two modes, each in its own child process, and compare them.

A benchmark's parent calls :func:`run_modes` with the child command for each mode; the child
prints one JSON line (``{...}``) with at least ``cpu_s``, ``loglik`` and ``theta``.
:func:`same_fit` gives the CPU ratio old/new and the relative changes of ℓ and θ̂
(max_k |θ_new,k − θ_old,k| / max(|θ_old,k|, 1e-12)), so each benchmark prints the same check.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence

import numpy as np


def run_modes(cmds: dict[str, Sequence[str]], timeout: float, label: str) -> dict[str, dict]:
    """Run each mode's child command; its last JSON line, or ``{"failed": why}``."""
    res: dict[str, dict] = {}
    for mode, cmd in cmds.items():
        try:
            p = subprocess.run(list(cmd), capture_output=True, text=True, timeout=timeout)
            lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
            res[mode] = json.loads(lines[-1]) if lines else {"failed": p.stderr[-800:]}
        except subprocess.TimeoutExpired:
            res[mode] = {"failed": f"timeout {timeout:g} s"}
        print(f"{label} {mode}: {json.dumps(res[mode])[:400]}", flush=True)
    return res


def same_fit(old: dict, new: dict) -> str | None:
    """'CPU ratio …x; rel dℓ …, max rel dθ …' for two finished runs, None if one failed."""
    if "failed" in old or "failed" in new:
        return None
    dth = float(np.max(np.abs(np.subtract(new["theta"], old["theta"]))
                       / np.maximum(np.abs(old["theta"]), 1e-12)))
    return (f"CPU ratio {old['cpu_s'] / max(new['cpu_s'], 1e-9):.2f}x; rel dℓ "
            f"{abs(new['loglik'] - old['loglik']) / abs(old['loglik']):.1e}, max rel dθ "
            f"{dth:.1e}")
