"""Bad-input sweep: fuzzed formulas, bad data and bad arguments through ``asr.asreml``.

Every case must end in a fit (or a start-values table) or an :class:`asr_py.AsrError`; a bare
Python exception is an *escape*, a case that runs longer than ``--budget`` seconds a *hang*,
and a case that changes the DataFrame (or matrix) it was given a *mutation*. Cases run in a
worker process that the parent kills and restarts on a hang.

    python3 benchmarks/sweep_bad_input.py [--formulas 10000] [--seed 0] [--budget 10]
                                          [--no-data] [--no-args] [--show 20] [--json]

Cases (all seeded):

* formulas: valid ASReml-R models (:data:`VALID`) edited at the token level - half by
  same-kind substitutions that keep the syntax (numbers by edge values 0, -1, 0.5, 1e6,
  1e308, Inf ..., data names by other names, functions by other functions), half by free
  edits (tokens replaced, deleted, duplicated, swapped or inserted from the grammar's
  alphabet) - and short random strings of the alphabet;
* data: :func:`bad_data_cases` - inf/NaN covariates, empty, one row, duplicated or non-string
  column names, text responses, constant responses, bad weights, huge values ...;
* arguments: :func:`bad_argument_cases` - every keyword of ``asreml()`` given values of the
  wrong type or out of range, bad relationship matrices, bad params tables.

Prints the counts per outcome and the first ``--show`` escapes and hangs (with the case).
``tests/api/test_bad_input_sweep.py`` runs a CI-sized sample of the same cases.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import re
import sys
import time
import warnings
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

#: valid models on :func:`make_data` (fixed, random, residual); mutated by the fuzzer
VALID: list[tuple[str, str | None, str | None]] = [
    ("y ~ A", None, None),
    ("y ~ A + x", "~ B", None),
    ("y ~ A * C", "~ B", None),
    ("y ~ A + B:C", "~ idv(B)", None),
    ("y ~ x + I(x^2)", "~ diag(A):B", None),
    ("y ~ log(z) + A", "~ B + A:B", None),
    ("y ~ A", "~ us(A):B", None),
    ("y ~ A", "~ fa(A, 1):B", None),
    ("y ~ A", "~ at(A):B", None),
    ("y ~ A", "~ at(A, c('a1', 'a2')):B", None),
    ("y ~ A", "~ idv(B, init = 2)", None),
    ("y ~ x", "~ B + B:x", None),
    ("y ~ x", "~ str(~ B + B:x, ~ us(2):id(B))", None),
    ("y ~ x", "~ us(leg(x, 1)):B", None),
    ("y ~ pol(x, 2)", "~ B", None),
    ("y ~ poly(x, 2) + A", None, None),
    ("y ~ x", "~ spl(x)", None),
    ("y ~ x", "~ spl(x, 5) + B", None),
    ("y ~ A", "~ B", "~ ar1(Row):ar1(Col)"),
    ("y ~ A", None, "~ id(Row):ar1(Col)"),
    ("y ~ A", "~ B", "~ dsum(~ units | C)"),
    ("y ~ A", "~ vm(id, K)", None),
    ("y ~ A", "~ vm(id, K) + ide(id)", None),
    ("y ~ A", "~ mother + and(father)", None),
    ("cbind(y, y2) ~ trait + trait:A", "~ us(trait):B", "~ units:us(trait)"),
    ("cbind(y, y2) ~ trait", "~ diag(trait):B", "~ units:us(trait)"),
    ("y ~ C(A, contr.sum) + center(x)", "~ B", None),
    ("y ~ bs(x, df = 4)", None, None),
    ("y ~ fac(Row) + x", "~ B", None),
    ("y ~ (A + C + x)^2", "~ B", None),
    ("y ~ A/B", None, None),
    ("sqrt(z) ~ A + lin(Row)", "~ B", None),
    ("y ~ at(A, 1):x + A", "~ B", None),
    ("y ~ A", "~ ar1v(Row):B", None),
    ("y ~ A", "~ corh(A):B", None),
    ("y ~ A", "~ exp(Row):B", None),
]

#: the grammar's alphabet: tokens the fuzzer inserts or substitutes
NAMES = ["y", "y2", "A", "B", "C", "x", "z", "Row", "Col", "id", "mother", "father", "w", "K",
         "trait", "units", "mv", "nope", "g"]
FUNCS = ["us", "diag", "idv", "idh", "id", "ar1", "ar1v", "ar2", "sar", "ma1", "cor", "corh",
         "corb", "corg", "exp", "gau", "iexp", "sph", "ante", "chol", "fa", "rr", "xfa", "vm",
         "ide", "ped", "giv", "at", "dev", "pol", "leg", "spl", "lin", "fac", "grp", "mbf",
         "and", "str", "dsum", "log", "sqrt", "I", "poly", "scale", "factor", "cbind", "C",
         "center", "bs", "cr", "c", "list", "own", "abs", "exp", "log10", "unknownfun"]
NUMBERS = ["0", "1", "-1", "2", "3", "0.5", "-3", "1e6", "1e308", "1e-308", "Inf", "-Inf", "NaN",
           "100", "1000", "2.5", "1e9", "-1e6", "40", "7"]
SYMBOLS = ["~", "+", "-", "*", ":", "/", "^", "|", "%in%", "(", ")", ",", "=", "!", "'a1'",
           "\"K\"", "TRUE", "NULL", ".", "..", "1:3", "init =", "k =", "levels =", "times ="]
ALPHABET = NAMES + FUNCS + NUMBERS + SYMBOLS

_TOKEN = re.compile(r"%in%|[A-Za-z_.][A-Za-z0-9_.]*|\d+\.?\d*(?:e[+-]?\d+)?|'[^']*'|\S")


def make_data(seed: int = 0, n: int = 48) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A small data set with factors A (3 levels), B (8), C (2), Row/Col (6 x 8 grid),
    covariates x, z > 0, responses y, y2, weights w, animal ids with parents, and the
    relationship matrix K (a DataFrame over the ids)."""
    rng = np.random.default_rng(seed)
    row, col = np.divmod(np.arange(n), 8)
    ids = [f"i{k}" for k in range(12)]
    d = pd.DataFrame({
        "A": rng.choice(["a1", "a2", "a3"], n),
        "B": [f"b{k % 8}" for k in range(n)],
        "C": rng.choice(["c1", "c2"], n),
        "Row": row + 1, "Col": col + 1,
        "x": rng.normal(size=n), "z": rng.uniform(0.5, 3, size=n),
        "id": [ids[k % 12] for k in range(n)],
        "mother": [ids[k % 6] for k in range(n)], "father": [ids[6 + k % 6] for k in range(n)],
        "w": rng.uniform(0.5, 2, size=n),
    })
    d["y"] = 10 + (d["A"] == "a2") * 2 + d["x"] + rng.normal(size=n) + \
        np.repeat(rng.normal(size=8), n // 8 + 1)[:n]
    d["y2"] = 0.5 * d["y"] + rng.normal(size=n)
    m = rng.normal(size=(12, 30))
    k = m @ m.T / 30 + 0.1 * np.eye(12)
    K = pd.DataFrame(k, index=ids, columns=ids)
    return d, {"K": K}


# --- cases --------------------------------------------------------------------------------


def mutate(text: str, rng: np.random.Generator) -> str:
    """One to three token-level edits of ``text`` from the alphabet."""
    toks = _TOKEN.findall(text)
    for _ in range(int(rng.integers(1, 4))):
        if not toks:
            toks = [str(rng.choice(ALPHABET))]
        i = int(rng.integers(len(toks)))
        op = int(rng.integers(7))
        t = toks[i]
        if op == 0 and re.fullmatch(r"[\d.e+-]+|Inf|NaN", t):  # a number -> an edge number
            toks[i] = str(rng.choice(NUMBERS))
        elif op == 0 or op == 1:  # replace by any token
            toks[i] = str(rng.choice(ALPHABET))
        elif op == 2:
            del toks[i]
        elif op == 3:
            toks.insert(i, str(rng.choice(ALPHABET)))
        elif op == 4:
            toks.insert(i, t)
        elif op == 5 and len(toks) > 1:
            j = int(rng.integers(len(toks)))
            toks[i], toks[j] = toks[j], toks[i]
        else:  # a number after a comma or as a power
            toks.insert(i, str(rng.choice([",", "^", ", k =", "init ="])))
            toks.insert(i + 1, str(rng.choice(NUMBERS)))
    return " ".join(toks)


def substitute(text: str, rng: np.random.Generator) -> str:
    """One to three same-kind substitutions that keep the syntax: a number by an edge number,
    a data name by another name, a function name by another function (reaches the compiler
    rather than the parser)."""
    toks = _TOKEN.findall(text)
    for _ in range(int(rng.integers(1, 4))):
        nums = [i for i, t in enumerate(toks) if re.fullmatch(r"\d[\d.e+-]*", t)]
        funcs = [i for i, t in enumerate(toks[:-1]) if toks[i + 1] == "(" and t in FUNCS]
        names = [i for i, t in enumerate(toks) if t in NAMES and i not in funcs]
        pools = [(p, q) for p, q in ((nums, NUMBERS), (funcs, FUNCS), (names, NAMES)) if p]
        if not pools:
            break
        where, choices = pools[int(rng.integers(len(pools)))]
        toks[where[int(rng.integers(len(where)))]] = str(rng.choice(choices))
    return " ".join(toks)


def formula_cases(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` fuzzed models: 15 % random alphabet strings, the rest edits of :data:`VALID`,
    half of them same-kind substitutions (:func:`substitute`), half token edits
    (:func:`mutate`)."""
    rng = np.random.default_rng(seed)
    out: list[dict[str, Any]] = []
    for _ in range(n):
        fixed, random, residual = VALID[int(rng.integers(len(VALID)))]
        if rng.random() < 0.15:
            words = [str(rng.choice(ALPHABET)) for _ in range(int(rng.integers(1, 9)))]
            text = " ".join(words)
            which = int(rng.integers(3))
            fixed = "y ~ " + text if which == 0 else fixed
            random = "~ " + text if which == 1 else random
            residual = "~ " + text if which == 2 else residual
        else:
            slots = [s for s, v in (("fixed", fixed), ("random", random),
                                    ("residual", residual)) if v is not None]
            slot = slots[int(rng.integers(len(slots)))]
            edit = substitute if rng.random() < 0.5 else mutate
            if slot == "fixed":
                fixed = edit(fixed, rng)
            elif slot == "random":
                random = edit(random or "", rng)
            else:
                residual = edit(residual or "", rng)
        out.append({"kind": "formula", "fixed": fixed, "random": random, "residual": residual})
    return out


def _with(d: pd.DataFrame, **cols: Any) -> pd.DataFrame:
    d = d.copy()
    for k, v in cols.items():
        d[k] = v
    return d


def bad_data_variants(d: pd.DataFrame) -> dict[str, Any]:
    """Named bad (or awkward) data sets built from the good one."""
    n = len(d)
    inf_x = d["x"].to_numpy().copy()
    inf_x[3] = np.inf
    nan_x = d["x"].to_numpy().copy()
    nan_x[[1, 5]] = np.nan
    dup = pd.concat([d, d[["A"]]], axis=1)
    ints = d.copy()
    ints.columns = list(range(ints.shape[1]))
    multi = d.copy()
    multi.columns = pd.MultiIndex.from_tuples([(c, "") for c in d.columns])
    cat = d.copy()
    cat["A"] = pd.Categorical(cat["A"], categories=["a1", "a2", "a3", "unused"])
    mixed = d.copy().astype({"x": object})
    mixed.loc[2, "x"] = "seven"
    dup_index = d.copy()
    dup_index.index = [0] * n
    return {
        "inf covariate": _with(d, x=inf_x),
        "nan covariate": _with(d, x=nan_x),
        "negative z (log)": _with(d, z=-d["z"]),
        "zero z (log)": _with(d, z=0.0),
        "inf response": _with(d, y=np.where(np.arange(n) == 4, np.inf, d["y"])),
        "all-NaN response": _with(d, y=np.nan),
        "text response": _with(d, y=d["A"]),
        "constant response": _with(d, y=1.0),
        "huge response": _with(d, y=d["y"] * 1e300),
        "tiny response": _with(d, y=d["y"] * 1e-300),
        "huge covariate": _with(d, x=d["x"] * 1e300),
        "tiny covariate": _with(d, x=d["x"] * 1e-300),
        "empty": d.iloc[:0],
        "one row": d.iloc[:1],
        "two rows": d.iloc[:2],
        "one column": d[["y"]],
        "duplicated columns": dup,
        "integer column names": ints,
        "MultiIndex columns": multi,
        "unused category": cat,
        "mixed-type covariate": mixed,
        "duplicated index": dup_index,
        "bool factor": _with(d, A=d["A"] == "a1"),
        "negative weights": _with(d, w=-d["w"]),
        "NaN weights": _with(d, w=np.nan),
        "factor with one level": _with(d, A="a1"),
        "all-missing factor": _with(d, A=None),
        "a Series": d["y"],
        "a dict": d.to_dict("list"),
        "a numpy array": d[["x", "y"]].to_numpy(),
        "None": None,
        "a string": "data.csv",
    }


#: models every bad data set is tried with
DATA_MODELS: list[dict[str, Any]] = [
    {"fixed": "y ~ A + x"},
    {"fixed": "y ~ log(z) + A", "random": "~ B"},
    {"fixed": "y ~ A", "random": "~ B", "weights": "w"},
    {"fixed": "y ~ x", "random": "~ vm(id, K)"},
    {"fixed": "y ~ A", "random": "~ B", "residual": "~ ar1(Row):ar1(Col)"},
    {"fixed": "cbind(y, y2) ~ trait", "random": "~ us(trait):B",
     "residual": "~ units:us(trait)"},
    {"fixed": "y ~ A", "random": "~ us(A):B"},
    {"fixed": "y ~ x", "random": "~ spl(x)"},
]


def bad_data_cases() -> list[dict[str, Any]]:
    return [{"kind": "data", "data": name, **model}
            for name in bad_data_variants(make_data()[0]) for model in DATA_MODELS]


def bad_matrices(K: pd.DataFrame) -> dict[str, Any]:
    """Named bad relationship matrices."""
    strings = K.astype(str)
    nan = K.copy()
    nan.iloc[0, 1] = np.nan
    return {
        "K of strings": strings, "K with NaN": nan, "K ndarray": K.to_numpy(),
        "K list": K.to_numpy().tolist(), "K not square": K.iloc[:, :-1],
        "K missing ids": K.iloc[:-2, :-2], "K None": None, "K string": "K",
        "K negative definite": -K, "K zero": K * 0.0, "K other ids": K.set_axis(
            [f"j{i}" for i in range(len(K))], axis=0).set_axis(
            [f"j{i}" for i in range(len(K))], axis=1),
    }


def bad_argument_cases() -> list[dict[str, Any]]:
    """Every keyword of asreml() given values of the wrong type or out of range."""
    base = {"fixed": "y ~ A", "random": "~ B"}
    cases: list[dict[str, Any]] = []

    def add(**kw: Any) -> None:
        cases.append({"kind": "argument", **base, **kw})

    for v in ["10", -1, 2.5, None, True, float("nan"), 1e9, [3], 0]:
        add(maxit=v)
    for v in ["omit", {"y": "drop"}, {"z": "omit"}, ["y"], {"y": None}, {"x": "fail"}, 3,
              {"y": "include"}]:
        add(na_action=v)
    for v in ["Row", ["Nope"], [1], None, "A", {"Row": 1}, ("Row",), [["Row"]]]:
        add(factors=v)
    for v in [[1, 2], "big", 3.0, {"B": "big"}, {"nope": 1.0}, {"B": float("inf")},
              {"B": -5.0}, {"B": None}, pd.DataFrame({"x": [1]}),
              "start_values_dup", "start_values_nan_constraint", "start_values_bad_constraint",
              "start_values_negative", "start_values_string_value"]:
        add(params=v)
    for v in ["yes", None, 1, "False"]:
        add(start_values=v)
        add(trace=v)
    for v in ["fast", None, 3, "eigen"]:
        add(solver=v)
    for v in ["nope", None, 1]:
        add(mv_start=v)
    for v in [1, "nope", ["w"], "A", "x", "y"]:
        add(weights=v)
    for v in ["g", {"g": "x"}, {"g": ["x", "nope"]}, {"g": [1, 2]}, {"g": ["A", "B"]}]:
        add(random="~ grp(g)", group=v)
    for v in [["Y ~ A"], None, 3, b"y ~ A", "", "~ A", "y ~", "y ~ A ~ B"]:
        add(fixed=v)
    for v in [["~ B"], 3, "", "~", "~ 1", "~ 0", "~ -1", "y ~ B", "~ B ~ C"]:
        add(random=v)
    for v in [3, "", "~ 1", "~ units:units", "~ nope(units)"]:
        add(residual=v)
    add(residual="~ units", rcov="~ units")
    add(wieghts="w")
    add(K=np.eye(3))
    for name in bad_matrices(make_data()[1]["K"]):
        add(random="~ vm(id, K)", matrix=name)
    add(random='~ vm(id, "K")', matrix="K good")
    add(random="~ vm(id, Q)", matrix="K good")
    for v in ["ped.csv", pd.DataFrame({"a": [1]}), 3,
              pd.DataFrame({"id": ["i0", "i1"], "sire": ["i1", "i0"], "dam": [None, None]})]:
        add(random="~ ped(id)", pedigree=v)
    add(random="~ mbf(m)", mbf={"m": {"key": "id", "cov": "M"}})
    add(random="~ mbf(m)", mbf="m")
    return cases


def all_cases(n_formulas: int, seed: int, data: bool = True,
              args: bool = True) -> list[dict[str, Any]]:
    cases = formula_cases(n_formulas, seed)
    if data:
        cases += bad_data_cases()
    if args:
        cases += bad_argument_cases()
    return cases


# --- running a case ------------------------------------------------------------------------


def _params(kind: str, d: pd.DataFrame, mats: dict[str, Any]) -> Any:
    import asr_py as asr

    sv = asr.asreml("y ~ A", random="~ B", data=d, start_values=True)
    if kind == "start_values_dup":
        return pd.concat([sv, sv.iloc[:1]])
    if kind == "start_values_nan_constraint":
        return sv.assign(Constraint=np.nan)
    if kind == "start_values_bad_constraint":
        return sv.assign(Constraint="Q")
    if kind == "start_values_negative":
        return sv.assign(Value=-1.0)
    return sv.assign(Value="big")


def run_case(case: dict[str, Any]) -> tuple[str, str]:
    """(outcome, detail): 'ok', 'asr' (an AsrError), 'escape' or 'mutated'."""
    import asr_py as asr

    d, mats = make_data()
    kw = {k: v for k, v in case.items() if k not in ("kind", "data", "matrix")}
    if "data" in case:
        data = bad_data_variants(d)[case["data"]]
    else:
        data = d
    if isinstance(kw.get("params"), str) and kw["params"].startswith("start_values"):
        kw["params"] = _params(kw["params"], d, mats)
    if "matrix" in case:
        mats = {"K": mats["K"]} if case["matrix"] == "K good" else \
            {"K": bad_matrices(mats["K"])[case["matrix"]]}
    uses_k = any(isinstance(kw.get(s), str) and re.search(r"\bK\b", kw[s])
                 for s in ("random", "residual", "fixed"))
    if uses_k and "K" not in kw:
        kw["K"] = mats["K"]
    before = data.copy(deep=True) if isinstance(data, pd.DataFrame) else None
    k_before = kw["K"].copy(deep=True) if isinstance(kw.get("K"), pd.DataFrame) else None
    kw.setdefault("maxit", 15)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            asr.asreml(data=data, **kw)
        outcome, detail = "ok", ""
    except asr.AsrError as exc:
        outcome, detail = "asr", f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
    except Exception as exc:  # noqa: BLE001 - the point of the sweep
        outcome, detail = "escape", f"{type(exc).__name__}: {str(exc)[:200]}"
    if before is not None and not (data.equals(before) and list(data.columns) == list(
            before.columns)):
        return "mutated", "the data frame was changed"
    if k_before is not None and not kw["K"].equals(k_before):
        return "mutated", "the matrix K was changed"
    return outcome, detail


def _worker(cases: list[dict[str, Any]], conn: Any) -> None:
    import asr_py  # noqa: F401 - import once, before the first timed case

    conn.send("ready")
    while True:
        i = conn.recv()
        if i is None:
            return
        t0 = time.perf_counter()
        outcome, detail = run_case(cases[i])
        conn.send((i, outcome, detail, time.perf_counter() - t0))


def sweep(cases: list[dict[str, Any]], budget: float = 10.0,
          progress: bool = False) -> list[tuple[int, str, str, float]]:
    """Run ``cases`` in a worker process; a case over ``budget`` seconds is a 'hang' (the
    worker is killed and restarted). Returns (index, outcome, detail, seconds) per case."""
    ctx = mp.get_context("fork")
    results: list[tuple[int, str, str, float]] = []

    def start() -> tuple[Any, Any]:
        parent, child = ctx.Pipe()
        p = ctx.Process(target=_worker, args=(cases, child), daemon=True)
        p.start()
        if not parent.poll(120):
            raise RuntimeError("the sweep worker did not start")
        parent.recv()
        return p, parent

    proc, conn = start()
    for i in range(len(cases)):
        conn.send(i)
        if conn.poll(budget):
            results.append(conn.recv())
        else:
            results.append((i, "hang", f"over {budget:g} s", budget))
            proc.kill()
            proc.join()
            proc, conn = start()
        if progress and (i + 1) % 500 == 0:
            print(f"  {i + 1} / {len(cases)}", file=sys.stderr, flush=True)
    conn.send(None)
    proc.join(5)
    return results


def _describe(case: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r:.80}" for k, v in case.items() if k != "kind")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--formulas", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--budget", type=float, default=10.0)
    ap.add_argument("--no-data", action="store_true")
    ap.add_argument("--no-args", action="store_true")
    ap.add_argument("--show", type=int, default=20)
    ap.add_argument("--json", action="store_true", help="print the counts as JSON only")
    a = ap.parse_args(argv)
    cases = all_cases(a.formulas, a.seed, not a.no_data, not a.no_args)
    t0 = time.perf_counter()
    res = sweep(cases, a.budget, progress=not a.json)
    by_kind: dict[str, Counter[str]] = {}
    for i, outcome, _, _ in res:
        by_kind.setdefault(cases[i]["kind"], Counter())[outcome] += 1
    bad = [(i, o, det) for i, o, det, _ in res if o in ("escape", "hang", "mutated")]
    slowest = max(res, key=lambda r: r[3]) if res else None
    if a.json:
        print(json.dumps({k: dict(v) for k, v in by_kind.items()}))
        return 1 if bad else 0
    print(f"{len(cases)} cases in {time.perf_counter() - t0:.0f} s (budget {a.budget:g} s a case)")
    for kind, cnt in by_kind.items():
        print(f"  {kind:9s} " + "  ".join(f"{k} {cnt.get(k, 0)}" for k in
                                          ("ok", "asr", "escape", "hang", "mutated")))
    if slowest is not None:
        print(f"  slowest case: {slowest[3]:.2f} s ({_describe(cases[slowest[0]])})")
    for i, o, det in bad[: a.show]:
        print(f"{o.upper()}: {_describe(cases[i])}\n    {det}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
