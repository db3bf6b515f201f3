"""Measure ``asr.translate`` and the fitting front end on asreml-R snippets of public pages.

``tests/translate/snippets/*.R`` hold asreml-R code as printed on documentation pages,
tutorials, mailing-list posts and GitHub issues (first line ``# source: URL``; the index is
``tests/translate/snippets/index.csv``). They are the closest sample we have of code no
repository here shows. For every file this prints::

    translate  crashes (an exception out of translate())
    compile    outputs that are not valid Python
    calls      asreml() calls in the R code / asr.asreml() calls in the output
    todo       '# TODO(asr_py)' lines
    formulas   asr.asreml() calls whose formula strings asr.parse_model rejects

and with ``--fit`` it fits every translated call whose formulas are literal strings to
simulated data of the right shape (:func:`simulate`): a column for each variable the
formulas name, a factor or a covariate by its use (``ar1(Row)``: factor; ``pol(x, 2)``,
``spl(x)``: covariate), a complete grid for a two-factor spatial term, a relationship matrix
for ``vm(id, K)`` (``ped``/``giv`` of asreml 3: skipped). Each fit runs in a child process
with a time limit; the
outcome is ``ok`` (converged, and the same fit with the rows permuted and with the responses
times 1000 agree, :func:`invariance`), ``unconverged`` (reported by the fit), ``input`` (a
clear error about the data or the arguments: an :class:`asr_py.errors.AsrError`), ``skip``
(the call needs something the harness cannot make: ``mbf``/``grp`` data, an R object as an
argument) or ``finding`` (any other exception, a hang, a crash).

    python benchmarks/translate_snippets.py            # translate + formulas
    python benchmarks/translate_snippets.py --fit -v   # also fit (about a minute)
    python benchmarks/translate_snippets.py --run -v   # run each translated snippet whole
                                                       # on simulated data (run_snippet)
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SNIPPETS = ROOT / "tests" / "translate" / "snippets"

_R_CALL = re.compile(r"(?<![\w.$@])(?:asreml::)?asreml\s*\(")
_PY_CALL = re.compile(r"\basr\.asreml\(")
_TODO = re.compile(r"#\s*TODO\(asr_py\)")
_FORMULA_KW = ("fixed", "random", "residual", "rcov", "sparse")

# functions whose first argument is a factor (variance models, at(), vm(), ...)
_FACTOR_FUNS = frozenset({
    "id", "idv", "idh", "ar1", "ar1v", "ar1h", "ar2", "ar2v", "ar2h", "ar3", "ar3v", "ar3h",
    "sar", "sarv", "sarh", "sar2", "sar2v", "sar2h", "ma1", "ma1v", "ma1h", "ma2", "ma2v",
    "ma2h", "arma", "armav", "armah", "cor", "corv", "corh", "corb", "corbv", "corbh", "corg",
    "corgv", "corgh", "diag", "us", "chol", "cholc", "ante", "fa", "facv", "rr", "xfa", "sfa",
    "vm", "ide", "ped", "giv", "at", "own", "and", "grp", "mbf", "C", "factor", "fac",
})
# functions whose first argument is a covariate
_COV_FUNS = frozenset({"pol", "leg", "spl", "lin", "dev", "exp", "expv", "exph", "gau", "gauv",
                       "gauh", "iexp", "iexpv", "aexp", "aexpv", "igau", "agau", "ieuc",
                       "sph", "cir", "mtrn", "log", "sqrt", "I", "scale", "poly", "ns", "bs"})
_SPATIAL = frozenset({"ar1", "ar1v", "ar1h", "ar2", "ar3", "sar", "sar2", "ma1", "ma2", "arma",
                      "id", "idv", "idh", "diag", "corb", "ante", "cor", "corv", "corh"})
_SKIP_FUNS = frozenset({"mbf", "grp", "own"})
_RESERVED = frozenset({"units", "trait", "mv", "Trait"})


@dataclass
class Call:
    """One ``asr.asreml(...)`` call of a translated snippet: its keyword literals."""

    file: str
    kwargs: dict[str, Any]
    other: list[str] = field(default_factory=list)  # keywords that are not literals


@dataclass
class FileResult:
    name: str
    r_calls: int = 0
    py_calls: int = 0
    todo: int = 0
    crash: str = ""
    invalid: str = ""
    calls: list[Call] = field(default_factory=list)


def _literal(node: ast.AST) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError):
        return None


def asr_calls(py: str, name: str) -> list[Call]:
    """The ``asr.asreml`` calls of translated code with their literal keyword values."""
    out: list[Call] = []
    for node in ast.walk(ast.parse(py)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "asreml" and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "asr"):
            continue
        call = Call(name, {})
        for i, a in enumerate(node.args):
            v = _literal(a)
            key = ("fixed", "random", "residual")[i] if i < 3 else f"arg{i}"
            if v is None:
                call.other.append(key)
            else:
                call.kwargs[key] = v
        for kw in node.keywords:
            if kw.arg is None:
                call.other.append("**")
                continue
            v = _literal(kw.value)
            if v is None and not (isinstance(kw.value, ast.Constant) and kw.value.value is None):
                call.other.append(kw.arg)
            else:
                call.kwargs[kw.arg] = v
        out.append(call)
    return out


def measure(path: Path) -> FileResult:
    """Translate one snippet file and count what the module doc lists."""
    from asr_py.translate import translate

    text = path.read_text()
    code = "\n".join(ln.split("#", 1)[0] if not ln.lstrip().startswith("#") else ""
                     for ln in text.splitlines())
    res = FileResult(path.name, r_calls=len(_R_CALL.findall(code)))
    try:
        py = translate(text)
    except Exception as e:  # noqa: BLE001 - a crash is what we count
        res.crash = f"{type(e).__name__}: {e}"
        return res
    res.py_calls = len(_PY_CALL.findall(py))
    res.todo = len(_TODO.findall(py))
    try:
        compile(py, path.name, "exec")
    except SyntaxError as e:
        res.invalid = f"{e.msg} (line {e.lineno})"
        return res
    res.calls = asr_calls(py, path.name)
    return res


def formula_error(call: Call) -> str:
    """asr.parse_model's complaint about a call's formula strings ('' if none)."""
    import asr_py as asr

    kw = {k: call.kwargs[k] for k in _FORMULA_KW if isinstance(call.kwargs.get(k), str)}
    if "fixed" not in kw:
        return ""
    try:
        asr.parse_model(**kw)
    except Exception as e:  # noqa: BLE001
        return f"{type(e).__name__}: {str(e).splitlines()[0]}"
    return ""


# --------------------------------------------------------------------------- simulation
@dataclass
class Roles:
    """What the formulas of one call ask of the data."""

    responses: list[str] = field(default_factory=list)
    factors: dict[str, int] = field(default_factory=dict)  # name -> levels
    covariates: set[str] = field(default_factory=set)
    grid: list[str] = field(default_factory=list)  # two factors of a spatial product
    sections: list[str] = field(default_factory=list)  # dsum(~ ... | S) factors
    matrices: dict[str, str] = field(default_factory=dict)  # matrix name -> its factor
    pedigree: list[str] = field(default_factory=list)  # ped()/giv() factors (asreml 3)
    skip: str = ""


def _walk(node: Any, role: str, roles: Roles) -> None:
    from asr_py.formula import BinOp, Call, Formula, Name, Paren, UnaryOp

    if isinstance(node, Name):
        if node.name in _RESERVED:
            return
        if role == "covariate":
            roles.covariates.add(node.name)
            roles.factors.pop(node.name, None)
        elif node.name not in roles.covariates:
            roles.factors.setdefault(node.name, 5)
    elif isinstance(node, Paren):
        _walk(node.expr, role, roles)
    elif isinstance(node, UnaryOp):
        _walk(node.operand, role, roles)
    elif isinstance(node, Formula):
        _walk(node.rhs, role, roles)
    elif isinstance(node, BinOp):
        if node.op == "|":  # dsum(~ terms | S)
            _walk(node.left, role, roles)
            if isinstance(node.right, Name):
                roles.sections.append(node.right.name)
            _walk(node.right, "factor", roles)
            return
        _walk(node.left, role, roles)
        _walk(node.right, role, roles)
    elif isinstance(node, Call):
        args = node.positional()
        if node.func in _SKIP_FUNS:
            roles.skip = roles.skip or f"{node.func}() needs data the harness does not make"
        if node.func in ("vm", "ide") and len(args) >= 2 and isinstance(args[1], Name):
            if isinstance(args[0], Name):
                roles.matrices[args[1].name] = args[0].name
            _walk(args[0], "factor", roles)
            return
        if node.func in ("ped", "giv") and args and isinstance(args[0], Name):
            roles.pedigree.append(args[0].name)
        if node.func in ("str", "dsum"):
            for a in args:
                _walk(a, role, roles)
            return
        if node.func in _COV_FUNS:
            if args:
                _walk(args[0], "covariate", roles)
            return
        if args:  # a variance model, at(), or an unknown function: a factor argument
            _walk(args[0], "factor", roles)


def _spatial_pair(node: Any) -> list[str]:
    """Two factors of a product of spatial models (``ar1(Row):ar1(Col)``), if any."""
    from asr_py.formula import BinOp, Call, Formula, Name, Paren

    if isinstance(node, (Formula,)):
        return _spatial_pair(node.rhs)
    if isinstance(node, Paren):
        return _spatial_pair(node.expr)
    if isinstance(node, Call) and node.func == "dsum":
        for a in node.positional():
            got = _spatial_pair(a)
            if got:
                return got
        return []
    if isinstance(node, BinOp):
        if node.op == ":":
            parts: list[Any] = []
            stack = [node]
            while stack:
                n = stack.pop()
                if isinstance(n, BinOp) and n.op == ":":
                    stack += [n.right, n.left]
                else:
                    parts.append(n)
            names = [p.positional()[0].name for p in parts
                     if isinstance(p, Call) and p.func in _SPATIAL and p.positional()
                     and isinstance(p.positional()[0], Name)
                     and p.positional()[0].name not in _RESERVED]
            if len(names) >= 2 and any(isinstance(p, Call) and p.func.startswith(("ar", "sar",
                                                                                 "ma"))
                                       for p in parts):
                return names[-2:]
            return []
        return _spatial_pair(node.left) or _spatial_pair(node.right)
    return []


def roles_of(call: Call) -> Roles:
    """Classify the variables of a call's formulas (see the module doc)."""
    import asr_py as asr
    from asr_py.formula import Call as FCall
    from asr_py.formula import Name

    kw = {k: call.kwargs[k] for k in _FORMULA_KW if isinstance(call.kwargs.get(k), str)}
    m = asr.parse_model(**kw)
    roles = Roles()
    lhs = m.fixed.lhs
    if isinstance(lhs, Name):
        roles.responses = [lhs.name]
    elif isinstance(lhs, FCall) and lhs.func == "cbind":
        roles.responses = [a.name for a in lhs.positional() if isinstance(a, Name)]
    for f in (m.random, m.residual, m.sparse, m.fixed):  # covariate uses first, fixed last
        if f is not None:
            _walk(f.rhs, "plain", roles)
    for f in (m.residual, m.random):
        if f is not None and not roles.grid:
            roles.grid = _spatial_pair(f)
    for r in roles.responses:
        roles.factors.pop(r, None)
        roles.covariates.discard(r)
    return roles


def simulate(roles: Roles, family: str = "", seed: int = 1) -> Any:
    """A data frame with the columns ``roles`` asks for (factors as strings '1'..'k')."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    cols: dict[str, Any] = {}
    if roles.grid:
        a, b = roles.grid
        ns = 3 if roles.sections else 1
        na, nb = 6, 7
        g = pd.MultiIndex.from_product([range(1, ns + 1), range(1, na + 1), range(1, nb + 1)])
        n = len(g)
        sec = g.get_level_values(0).to_numpy()
        cols[a] = g.get_level_values(1).astype(str).to_numpy()
        cols[b] = g.get_level_values(2).astype(str).to_numpy()
        for s in roles.sections:
            cols[s] = sec.astype(str)
    else:
        n = 150
        for s in roles.sections:
            cols[s] = np.repeat(np.arange(1, 4), n // 3).astype(str)
    for f, k in roles.factors.items():
        if f not in cols:
            cols[f] = (rng.permutation(np.arange(n)) % k + 1).astype(str)
    for c in roles.covariates:
        cols[c] = rng.integers(1, 8, size=n).astype(float)
    eta = np.zeros(n)
    for f in roles.factors:
        lv, inv = np.unique(cols[f], return_inverse=True)
        eta += rng.normal(0, 0.7, size=len(lv))[inv]
    for c in roles.covariates:
        eta += 0.3 * (cols[c] - cols[c].mean())
    for r in roles.responses or ["y"]:
        if "binomial" in family:
            cols[r] = rng.binomial(1, 1 / (1 + np.exp(-(eta - eta.mean())))).astype(float)
        elif "poisson" in family:
            cols[r] = rng.poisson(np.exp(0.3 * (eta - eta.mean()))).astype(float)
        else:
            cols[r] = 10 + eta + rng.normal(0, 1, size=n)
    return pd.DataFrame(cols)


def _matrix(ids: list[str], inverse: bool, seed: int) -> Any:
    import numpy as np

    from asr_py.genetics.relmatrix import RelMatrix

    rng = np.random.default_rng(seed)
    w = rng.integers(0, 3, size=(len(ids), 60)).astype(float)
    w -= w.mean(axis=0)
    k = w @ w.T / 60 + 0.2 * np.eye(len(ids))
    k /= np.mean(np.diag(k))
    if inverse:
        return RelMatrix(np.linalg.inv(k), tuple(ids), inverse=True, kind="Ginv")
    return RelMatrix(k, tuple(ids), kind="G")


def invariance(m: Any, data: Any, kw: dict[str, Any], roles: Roles) -> list[str]:
    """The project's invariances on a converged fit: the rows in another order give the
    same ℓ; the responses times 1000 give ℓ − (n − p) log 1000 (the REML likelihood of c·y).
    Returns what failed."""
    import numpy as np

    import asr_py as asr

    out = []
    perm = data.sample(frac=1.0, random_state=7).reset_index(drop=True)
    mp = asr.asreml(data=perm, **kw)
    tol = 1e-5 * max(1.0, abs(m.loglik))
    if not mp.converged or abs(mp.loglik - m.loglik) > tol:
        out.append(f"rows permuted: loglik {m.loglik:.6f} -> {mp.loglik:.6f}"
                   f"{'' if mp.converged else ' (unconverged)'}")
    scaled = data.copy()
    for r in roles.responses or ["y"]:
        scaled[r] = scaled[r] * 1000.0
    ms = asr.asreml(data=scaled, **kw)
    want = m.loglik - float(m.result.n_minus_p) * np.log(1000.0)
    if not ms.converged or abs(ms.loglik - want) > tol:
        out.append(f"y x 1000: loglik {ms.loglik:.6f}, expected {want:.6f}"
                   f"{'' if ms.converged else ' (unconverged)'}")
    return out


def fit_one(spec: dict[str, Any]) -> dict[str, Any]:
    """Fit one call (in a child process); returns its outcome."""
    import warnings

    import asr_py as asr
    from asr_py.errors import AsrError

    call = Call(spec["file"], spec["kwargs"], spec["other"])
    roles = roles_of(call)
    kw = {k: v for k, v in call.kwargs.items()
          if k in ("fixed", "random", "residual", "rcov", "sparse", "maxit", "keep_order",
                   "na_action", "knot_points", "group", "weights", "method")}
    family = str(call.kwargs.get("family", ""))
    data = simulate(roles, family)
    for mname, fac in roles.matrices.items():
        ids = sorted(set(data[fac]), key=lambda s: int(s))
        kw[mname] = _matrix(ids, inverse="inv" in mname.lower(), seed=3)
    t0 = time.process_time()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            m = asr.asreml(data=data, **kw)
            bad = [] if family or not m.converged else invariance(m, data, kw, roles)
        out = {"outcome": "ok" if m.converged else "unconverged",
               "cpu": round(time.process_time() - t0, 2),
               "warnings": sorted({type(w.message).__name__ for w in caught})}
        if bad:
            out.update(outcome="finding", error="; ".join(bad))
        return out
    except AsrError as e:
        return {"outcome": "input", "error": f"{type(e).__name__}: {str(e).splitlines()[0]}"}
    except Exception as e:  # noqa: BLE001 - any other exception is a finding
        return {"outcome": "finding", "error": f"{type(e).__name__}: {e}"[:300]}


def fit_calls(results: list[FileResult], timeout: float, verbose: bool) -> dict[str, int]:
    counts: dict[str, int] = {}
    for res in results:
        for i, call in enumerate(res.calls):
            label = f"{res.name}#{i + 1}"
            if not isinstance(call.kwargs.get("fixed"), str) or formula_error(call):
                outcome = {"outcome": "skip", "error": "formula not a literal / rejected"}
            else:
                roles = roles_of(call)
                bad = [o for o in call.other
                       if o not in ("data", "family", "**") and o not in roles.matrices]
                if bad:
                    outcome = {"outcome": "skip", "error": f"non-literal arguments {bad}"}
                elif roles.skip:
                    outcome = {"outcome": "skip", "error": roles.skip}
                elif roles.pedigree:
                    outcome = {"outcome": "skip", "error": "asreml 3 ped()/giv(): needs a pedigree"}
                else:
                    spec = json.dumps({"file": call.file, "kwargs": call.kwargs,
                                       "other": call.other})
                    try:
                        p = subprocess.run([sys.executable, __file__, "--fit-one", spec],
                                           capture_output=True, text=True, timeout=timeout)
                        line = p.stdout.strip().splitlines()[-1:] or [""]
                        outcome = (json.loads(line[0]) if line[0].startswith("{") else
                                   {"outcome": "finding",
                                    "error": f"child rc {p.returncode}: {p.stderr[-300:]}"})
                    except subprocess.TimeoutExpired:
                        outcome = {"outcome": "finding", "error": f"no result in {timeout:.0f} s"}
            counts[outcome["outcome"]] = counts.get(outcome["outcome"], 0) + 1
            if verbose:
                extra = outcome.get("error") or f"cpu {outcome.get('cpu')} s"
                print(f"  fit {label:45s} {outcome['outcome']:11s} {extra}")
    return counts

# --------------------------------------------------------------------------- whole snippets
_READERS = re.compile(r"\b(?:r_read_csv|r_read_table|r_data|pd\.read_csv|r_capital_factors|"
                      r"read_rds|r_read_excel|r_load|r_import)\(")


def _data_names(py: str) -> dict[str, list[Call]]:
    """The data frames the asr.asreml calls fit (``data=d`` or ``data=d[...]``) -> calls."""
    out: dict[str, list[Call]] = {}
    tree = ast.parse(py)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "asreml"):
            continue
        for kw in node.keywords:
            if kw.arg != "data":
                continue
            base = kw.value.value if isinstance(kw.value, ast.Subscript) else kw.value
            if isinstance(base, ast.Name):
                call = asr_calls(ast.unparse(node), "")[0]
                out.setdefault(base.id, []).append(call)
    return out


def run_snippet(path: str) -> dict[str, Any]:
    """Run one translated snippet top to bottom with its data frames (and their ``vm()``
    matrices) simulated: the statements assigning those names and those reading files that
    are not there are skipped; the first other statement that fails is reported. A missing
    object the page never defines (NameError) or an AsrError is ``input``; any other
    exception is a ``finding``."""
    import warnings

    import pandas as pd

    from asr_py.errors import AsrError
    from asr_py.translate import translate

    py = translate(Path(path).read_text())
    ns: dict[str, Any] = {"__name__": "__snippet__"}
    seeded: set[str] = set()
    for name, calls in _data_names(py).items():
        roles = Roles()
        for c in calls:
            if not isinstance(c.kwargs.get("fixed"), str) or formula_error(c):
                continue
            r = roles_of(c)
            roles.responses += [x for x in r.responses if x not in roles.responses]
            for f, k in r.factors.items():
                if f not in r.covariates and f not in roles.covariates:
                    roles.factors.setdefault(f, k)
            roles.covariates |= r.covariates
            for f in r.covariates:
                roles.factors.pop(f, None)
            roles.grid = roles.grid or r.grid
            roles.sections += [x for x in r.sections if x not in roles.sections]
            roles.matrices.update(r.matrices)
        if not roles.responses:
            continue
        df = simulate(roles, "binomial" if "binomial" in py else "")   # family=: not literal
        ns[name] = df
        seeded.add(name)
        for mname, fac in roles.matrices.items():
            ids = sorted(set(df[fac]), key=lambda v: int(v))
            for v in {mname, mname.replace(".", "_")}:   # R's harvey.ainv is harvey_ainv
                ns[v] = _matrix(ids, inverse="inv" in mname.lower(), seed=3)
                seeded.add(v)
    if not seeded:
        return {"outcome": "skip", "error": "no asr.asreml call with literal formulas"}
    tree = ast.parse(py)
    done = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for stmt in tree.body:
            text = ast.unparse(stmt)
            targets = {t.id for t in ast.walk(stmt) if isinstance(t, ast.Name)
                       and isinstance(t.ctx, ast.Store)}
            if targets & seeded:
                continue                   # the data (or its matrix) made: simulated instead
            if _READERS.search(text) and not targets:
                continue
            try:
                exec(compile(ast.Module([stmt], []), path, "exec"), ns)  # noqa: S102
                done += 1
            except FileNotFoundError:
                continue                   # a file the page reads: not there
            except (NameError, AsrError) as e:
                if "no file" in str(e):
                    continue
                return {"outcome": "input", "error": f"{type(e).__name__}: {e}"[:200],
                        "statements": done}
            except Exception as e:  # noqa: BLE001 - any other exception is a finding
                return {"outcome": "finding", "statements": done,
                        "error": f"{type(e).__name__}: {e} [{text[:80]}]"[:300]}
    pd.set_option("display.width", 100)
    return {"outcome": "ok", "statements": done}


def run_snippets(files: list[Path], timeout: float, verbose: bool) -> dict[str, int]:
    counts: dict[str, int] = {}
    for p in files:
        try:
            r = subprocess.run([sys.executable, __file__, "--run-one", str(p)],
                               capture_output=True, text=True, timeout=timeout)
            line = r.stdout.strip().splitlines()[-1:] or [""]
            out = (json.loads(line[0]) if line[0].startswith("{") else
                   {"outcome": "finding", "error": f"child rc {r.returncode}: {r.stderr[-300:]}"})
        except subprocess.TimeoutExpired:
            out = {"outcome": "finding", "error": f"no result in {timeout:.0f} s"}
        counts[out["outcome"]] = counts.get(out["outcome"], 0) + 1
        if verbose:
            print(f"  run {p.name:45s} {out['outcome']:8s} {out.get('error', '')}")
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fit", action="store_true", help="also fit the calls to simulated data")
    ap.add_argument("--run", action="store_true",
                    help="also run each translated snippet on simulated data")
    ap.add_argument("--fit-one", help=argparse.SUPPRESS)
    ap.add_argument("--run-one", help=argparse.SUPPRESS)
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--match", default="", help="only files whose name matches this regex")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    if args.fit_one:
        print(json.dumps(fit_one(json.loads(args.fit_one))))
        return 0
    if args.run_one:
        print(json.dumps(run_snippet(args.run_one)))
        return 0
    files = sorted(p for p in SNIPPETS.glob("*.R") if re.search(args.match, p.name))
    results = [measure(p) for p in files]
    rejected = []
    for res in results:
        for i, call in enumerate(res.calls):
            err = formula_error(call)
            if err:
                rejected.append(f"{res.name}#{i + 1}: {err}")
    sources = set()
    index = SNIPPETS / "index.csv"
    if index.exists():
        with index.open() as fh:
            sources = {row["source"] for row in csv.DictReader(fh)}
    if args.verbose:
        for res in results:
            flag = res.crash or res.invalid or ("" if res.py_calls >= res.r_calls else "calls")
            print(f"{res.name:45s} R {res.r_calls:2d} py {res.py_calls:2d} "
                  f"todo {res.todo:2d} {flag}")
        for r in rejected:
            print("  formula rejected:", r)
    r_calls = sum(r.r_calls for r in results)
    py_calls = sum(min(r.py_calls, r.r_calls) for r in results)
    print(f"snippet files        {len(results)} ({len(sources)} sources)")
    print(f"translate crashes    {sum(bool(r.crash) for r in results)}")
    print(f"invalid Python       {sum(bool(r.invalid) for r in results)}")
    print(f"asreml() calls       {r_calls}; as asr.asreml() {py_calls}; "
          f"not {r_calls - py_calls}")
    print(f"TODO lines           {sum(r.todo for r in results)}")
    print(f"formulas rejected    {len(rejected)}")
    if args.fit:
        counts = fit_calls(results, args.timeout, args.verbose)
        print("fits                 " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if args.run:
        counts = run_snippets(files, args.timeout, args.verbose)
        print("snippets run         " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
