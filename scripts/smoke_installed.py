"""Smoke test of an *installed* asr_py (a wheel in a fresh venv), run from outside the checkout.

    python scripts/smoke_installed.py WORKDIR

checks that asr_py is imported from site-packages (not a checkout), that the sparse backend
is CHOLMOD (asr_py.reml.backends is in the wheel), fits a small pedigree animal model with
solver='sparse' and checks it was factored by CHOLMOD, then writes the example files named in
``asr-py --help`` (trial.csv, animals.csv, ped.csv, lines.csv, grm.csv, analysis.R) into
WORKDIR and runs every example of ``asr-py --help`` there with the installed ``asr-py``
(``asr-py demo`` among them). Exit status 0 when everything passed.

:func:`write_example_files` and :func:`help_examples` are also used by
tests/cli/test_cli_help_examples.py.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd


def help_examples(help_text: str) -> list[list[str]]:
    """The example command lines of ``asr-py --help`` (continuation lines joined), as argv
    lists without the leading ``asr-py``."""
    text = help_text.replace("\\\n", " ")
    head, _, rest = text.partition("examples:")
    body = rest.split("\n\n")[0]
    return [shlex.split(ln.strip())[1:] for ln in body.splitlines()
            if ln.strip().startswith("asr-py ")]


def simulate_pedigree(n_founders: int = 30, n_gen: int = 3, per_gen: int = 60,
                      seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A small animal-model data set: pedigree (id, sire, dam; founders' parents empty) and
    records (id, sex, weight) with weight = 10 + 1.5 [sex = M] + a + e, a ~ N(0, 2 A),
    e ~ N(0, 3) (breeding values: parent average + Mendelian sampling)."""
    rng = np.random.default_rng(seed)
    ids = [f"a{i}" for i in range(n_founders)]
    sire: list[str | None] = [None] * n_founders
    dam: list[str | None] = [None] * n_founders
    sex = ["M" if i % 2 else "F" for i in range(n_founders)]
    bv = list(rng.normal(0, np.sqrt(2.0), n_founders))
    parents = list(range(n_founders))
    for _ in range(n_gen):
        males = [k for k in parents if sex[k] == "M"]
        females = [k for k in parents if sex[k] == "F"]
        new = []
        for _ in range(per_gen):
            s, d = rng.choice(males), rng.choice(females)
            k = len(ids)
            ids.append(f"a{k}")
            sire.append(ids[s])
            dam.append(ids[d])
            sex.append("M" if k % 2 else "F")
            bv.append(0.5 * (bv[s] + bv[d]) + rng.normal(0, 1.0))
            new.append(k)
        parents = new
    ped = pd.DataFrame({"id": ids, "sire": sire, "dam": dam})
    sx = np.array(sex)
    weight = 10 + 1.5 * (sx == "M") + np.array(bv) + rng.normal(0, np.sqrt(3.0), len(ids))
    return ped, pd.DataFrame({"id": ids, "sex": sx, "weight": weight.round(3)})


def write_example_files(folder: Path) -> None:
    """The input files the examples of ``asr-py --help`` name, written into ``folder``."""
    from importlib import resources

    folder.mkdir(parents=True, exist_ok=True)
    trial = resources.files("asr_py.data").joinpath("DT_example.csv")
    (folder / "trial.csv").write_bytes(trial.read_bytes())
    ped, animals = simulate_pedigree()
    ped.to_csv(folder / "ped.csv", index=False)
    animals.to_csv(folder / "animals.csv", index=False)
    rng = np.random.default_rng(2)
    n, m = 60, 400
    markers = rng.binomial(2, rng.uniform(0.1, 0.9, m), (n, m)).astype(float)
    p = markers.mean(0) / 2
    zc = markers - 2 * p
    grm = zc @ zc.T / (2 * (p * (1 - p)).sum()) + 0.01 * np.eye(n)  # VanRaden + ridge: PD
    ids = [f"L{i}" for i in range(n)]
    pd.DataFrame(grm, index=ids, columns=ids).to_csv(folder / "grm.csv")
    g = np.linalg.cholesky(grm) @ rng.normal(0, 1.0, n)
    pd.DataFrame({"id": ids, "y": (5 + g + rng.normal(0, 1.0, n)).round(4)}).to_csv(
        folder / "lines.csv", index=False)
    (folder / "analysis.R").write_text(
        "library(asreml)\n"
        "m <- asreml(fixed = Yield ~ Env, random = ~ Env:Name, data = trial)\n"
        "summary(m)$varcomp\n", encoding="utf-8")


def _check(ok: bool, what: str) -> None:
    print(("ok    " if ok else "FAIL  ") + what, flush=True)
    if not ok:
        sys.exit(1)


def main(argv: list[str]) -> int:
    work = Path(argv[1] if len(argv) > 1 else ".").resolve()
    import asr_py as asr
    from asr_py.reml import solver

    where = Path(asr.__file__).resolve()
    _check("site-packages" in where.parts, f"asr_py imported from an installation: {where}")
    try:
        from asr_py.reml.backends.cholmod import CholmodFactor
    except ImportError as exc:
        _check(False, f"asr_py.reml.backends.cholmod imports ({exc})")
    _check(solver._BACKENDS["sparse"] is CholmodFactor, "solver='sparse' is CHOLMOD")
    ped, animals = simulate_pedigree()
    fit = asr.asreml("weight ~ sex", random="~ vm(id, A)", data=animals,
                     A=asr.ainverse(ped), solver="sparse")
    _check(type(fit.result.factor).__name__ == "CholmodFactor" and fit.converged,
           f"pedigree model fitted with CHOLMOD: {type(fit.result.factor).__name__}, "
           f"converged={fit.converged}, loglik={fit.loglik:.4f}")
    write_example_files(work)
    exe = Path(sys.executable).with_name("asr-py")
    helptext = subprocess.run([str(exe), "--help"], capture_output=True, text=True,
                              check=True).stdout
    examples = help_examples(helptext)
    _check(len(examples) >= 6, f"{len(examples)} examples in asr-py --help")
    for args in examples:
        r = subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=work)
        _check(r.returncode == 0, "asr-py " + shlex.join(args)
               + ("" if r.returncode == 0 else f"\n{r.stderr}"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
