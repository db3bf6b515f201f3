"""The ``asr-py`` command line: ``demo``, ``fit``, ``explain``, ``translate``.

Exit codes: 0 success, 1 a model/data/formula error (one clear message on stderr, with the
caret picture for formula errors; never a traceback), 2 a usage error (argparse).
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from asr_py.errors import AsrError, PedigreeError

FACTOR_COLUMNS = ("Name", "Env", "Loc", "Year", "Block")
WALD_DDF = ("none", "kenward-roger", "satterthwaite")
SOLVERS = ("auto", "dense", "sparse", "sparse-nd", "blocked", "blocked-packed", "superlu",
           "eigen")

EPILOG = """examples:
  asr-py demo
  asr-py fit --data trial.csv --fixed "Yield ~ Env" --random "~ us(Env):Name" \\
      --factors Env,Name --out results/ --classify Env
  asr-py fit --data animals.csv --fixed "weight ~ sex" --random "~ vm(id, A)" \\
      --pedigree ped.csv --out animal_results/ --trace
  asr-py fit --data trial.csv --fixed "Yield ~ Env" --random "~ us(Env):Name" \\
      --factors Env,Name --classify Env --sed --wald-ddf kenward-roger \\
      --start-from results/ --out results2/
  asr-py fit --data lines.csv --fixed "y ~ 1" --random "~ vm(id, K)" --matrix K=grm.csv
  asr-py explain "~ us(trait):vm(id, K) + ar1(Row):ar1(Col)"
  asr-py translate analysis.R -o analysis.py

exit codes: 0 ok, 1 model/data/formula error, 2 usage error
"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="asr-py", description="ASReml-R model formulas in Python: fit linear mixed "
        "models by AI-REML, explain formulas, translate asreml-R scripts.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    d = sub.add_parser("demo", help="fit the bundled example (sommer's DT_example)",
                       description="Fit a univariate and a bivariate model to the bundled "
                       "DT_example data and print summaries, predictions and a correlation.")
    d.add_argument("--maxit", type=int, default=30)
    d.add_argument("--trace", action="store_true", help="live iteration log on stderr")

    f = sub.add_parser("fit", help="fit a model to a CSV file",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog=EPILOG.split("\n\n")[0])
    f.add_argument("--data", required=True, help="CSV file with a header row")
    f.add_argument("--fixed", required=True, help='fixed formula, e.g. "y ~ Env"')
    f.add_argument("--random", help='random formula, e.g. "~ us(Env):Name"')
    f.add_argument("--residual", help='residual formula, e.g. "~ units:us(trait)"')
    f.add_argument("--factors", default="", help="comma-separated columns to read as factors")
    f.add_argument("--matrix", action="append", default=[], metavar="NAME=FILE",
                   help="known matrix for vm(id, NAME): CSV with ids in the first column and "
                   "as header (repeatable)")
    f.add_argument("--pedigree", help="pedigree CSV (id, sire, dam): A-inverse as 'A' and "
                   "'ainv' for vm(id, A) / vm(id, ainv)")
    f.add_argument("--no-check-roles", action="store_true",
                   help="with --pedigree: allow an id as both sire and dam (selfing and "
                   "reciprocal crosses of plants)")
    f.add_argument("--classify", action="append", default=[], metavar="A:B",
                   help="predictions for this classify set (repeatable)")
    f.add_argument("--out", help="directory for the result files")
    f.add_argument("--maxit", type=int, default=30, help="maximum AI-REML iterations "
                   "(default 30)")
    f.add_argument("--weights", metavar="COL",
                   help="data column of positive prior weights: Var(e_i) = sigma^2 / w_i")
    f.add_argument("--sed", action="store_true",
                   help="with --classify: write the predictions' SED matrix and avsed")
    f.add_argument("--wald-ddf", choices=WALD_DDF, default="none",
                   help="denominator df of the Wald F tests written to wald.csv "
                   "(default: none, chi-square tests only)")
    start = f.add_mutually_exclusive_group()
    start.add_argument("--params", metavar="FILE",
                       help="start values / constraints: a CSV with Component, Value, "
                       "Constraint (e.g. an edited params.csv)")
    start.add_argument("--start-from", metavar="PATH",
                       help="start from an earlier run: its params.csv or its --out directory")
    f.add_argument("--mv-start", choices=("auto", "univariate", "default", "pairwise"),
                   default="auto",
                   help="multivariate start: refit from univariate fits when needed (auto), "
                   "always (univariate), never (default), or start from the bivariate fits "
                   "of every pair of traits (pairwise)")
    f.add_argument("--solver", choices=SOLVERS, default="auto",
                   help="linear algebra of the mixed model equations (default: auto; "
                   "sparse-nd: CHOLMOD with METIS nested dissection, needs pymetis; "
                   "blocked: crossed random factors)")
    f.add_argument("--method", choices=("REML", "ML"), default="REML",
                   help="likelihood maximised: REML (default) or ML (lme4's REML = FALSE; "
                   "for likelihood-ratio tests between different fixed parts)")
    progress = f.add_mutually_exclusive_group()
    progress.add_argument("--trace", action="store_true",
                          help="live iteration log on stderr (the default when stderr is a "
                          "terminal)")
    progress.add_argument("--quiet", "-q", action="store_true",
                          help="no progress or warnings on stderr")
    f.set_defaults(subparser=f)

    e = sub.add_parser("explain", help="explain a formula term by term")
    e.add_argument("formula")
    e.add_argument("--data", help="CSV file: report levels and sizes")
    e.add_argument("--kind", choices=("fixed", "random", "residual"))
    e.add_argument("--factors", default="", help="comma-separated columns to read as factors")
    e.add_argument("--plot", metavar="PNG", help="save the toy covariance heat map here")

    t = sub.add_parser("translate", help="translate an asreml-R script to Python")
    t.add_argument("script", help="R script ('-' for stdin)")
    t.add_argument("-o", "--output", help="write here instead of stdout")
    return p


def _read_csv(path: str, factors: Sequence[str] = ()) -> Any:
    import pandas as pd

    try:
        head = pd.read_csv(path, nrows=0)
    except FileNotFoundError:
        raise AsrError(f"data file not found: {path}") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise AsrError(f"cannot read {path} as CSV: {exc}") from None
    missing = [c for c in factors if c not in head.columns]
    if missing:
        raise AsrError(f"--factors: no column {missing[0]!r} in {path}",
                       hint="columns: " + ", ".join(map(str, head.columns)))
    return pd.read_csv(path, dtype={c: str for c in factors})


def _read_matrix(spec: str) -> tuple[str, Any]:
    import pandas as pd

    if "=" not in spec:
        raise AsrError(f"--matrix {spec!r}: expected NAME=FILE", hint="e.g. --matrix K=grm.csv")
    name, path = spec.split("=", 1)
    try:
        m = pd.read_csv(path, index_col=0)
    except FileNotFoundError:
        raise AsrError(f"--matrix {name}: file not found: {path}") from None
    m.index = m.index.astype(str)
    m.columns = m.columns.astype(str)
    if m.shape[0] != m.shape[1] or list(m.index) != list(m.columns):
        raise AsrError(f"--matrix {name}: {path} must be square with the same ids in the first "
                       f"column and the header (got {m.shape[0]} x {m.shape[1]})")
    return name.strip(), m


def _read_params(args: argparse.Namespace) -> Any:
    """The start-values table of ``--params FILE`` / ``--start-from PATH`` (or None)."""
    import pandas as pd

    if args.params:
        opt, path = "--params", Path(args.params)
    elif args.start_from:
        opt, path = "--start-from", Path(args.start_from)
        if path.is_dir():
            path = path / "params.csv"
    else:
        return None
    try:
        table = pd.read_csv(path, dtype={"Component": str, "Constraint": str},
                            keep_default_na=False, na_values={"Value": ["", "NA", "NaN"]})
    except FileNotFoundError:
        raise AsrError(f"{opt}: file not found: {path}",
                       hint="a run with --out DIR writes DIR/params.csv") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise AsrError(f"{opt}: cannot read {path} as CSV: {exc}") from None
    missing = [c for c in ("Component", "Value") if c not in table.columns]
    if missing:
        raise AsrError(f"{opt}: {path} has no column {missing[0]!r}",
                       hint="columns Component, Value and optionally Constraint (P, U, F, B), "
                       "as in the params.csv a run with --out writes")
    keep = [c for c in ("Component", "Value", "Constraint") if c in table.columns]
    table = table[keep].copy()
    if "Constraint" in table.columns:  # an empty cell keeps the model's constraint
        table["Constraint"] = table["Constraint"].where(table["Constraint"].str.strip() != "")
    return table


#: the names under which ``--pedigree`` makes its A-inverse available (``ped(id)`` also works)
PEDIGREE_NAMES = ("A", "ainv")


def _pedigree_names(args: argparse.Namespace) -> list[str]:
    """The names of :data:`PEDIGREE_NAMES` that the formulas use (asreml() rejects a matrix
    keyword no formula names); an error when ``--pedigree`` is given but nothing uses it."""
    import re

    texts = " ".join(t for t in (args.fixed, args.random, args.residual) if t)
    words = set(re.findall(r"[A-Za-z_.][A-Za-z0-9_.]*", texts))
    names = [n for n in PEDIGREE_NAMES if n in words and n not in _matrix_names(args)]
    if not names and not re.search(r"\bped\s*\(", texts):
        raise AsrError("--pedigree is given but no formula uses it",
                       hint='name its A-inverse in a formula: --random "~ vm(id, A)" '
                       '(or vm(id, ainv), or ped(id))')
    return names


def _matrix_names(args: argparse.Namespace) -> set[str]:
    return {s.split("=", 1)[0].strip() for s in args.matrix}


def _read_pedigree(args: argparse.Namespace) -> Any:
    """The A-inverse of the ``--pedigree`` CSV (id, sire, dam; empty = unknown parent)."""
    from asr_py.genetics import ainverse

    try:
        ped = _read_text_csv(args.pedigree)
    except FileNotFoundError:
        raise AsrError(f"--pedigree: file not found: {args.pedigree}") from None
    try:
        return ainverse(ped, check_roles=not args.no_check_roles)
    except PedigreeError as err:
        if "both sire and dam" not in err.message:
            raise
        raise PedigreeError(f"--pedigree: {err.message}",
                            hint="fix the pedigree, or give --no-check-roles for monoecious "
                                 "plants or hermaphrodites (selfing and reciprocal crosses "
                                 "are then allowed)") from None


def _read_text_csv(path: str) -> Any:
    """A CSV read with every column as text and empty cells as None."""
    import pandas as pd

    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise AsrError(f"cannot read {path} as CSV: {exc}") from None
    return table.where(table.apply(lambda c: c.str.strip() != ""), None)


def _diagnostics_warning(fit: Any) -> str | None:
    """One stderr line when the fit needs attention (the details are in the summary)."""
    if not fit.identifiable:
        return ("warning: the variance parameters are not identifiable (the data cannot "
                "separate them); see the notes at the end of the summary")
    if not fit.converged:
        return "warning: the fit did not converge; see the notes at the end of the summary"
    held = [n for n, c in zip(fit.result.names, fit.result.constraints) if c == "B"]
    if held:
        return ("warning: held at the boundary: " + ", ".join(held)
                + "; see the notes at the end of the summary")
    return None


def _fit(args: argparse.Namespace) -> int:
    import asr_py as asr

    factors = [c.strip() for c in args.factors.split(",") if c.strip()]
    df = _read_csv(args.data, factors)
    mats = dict(_read_matrix(s) for s in args.matrix)
    params = _read_params(args)
    ped_ainv = _read_pedigree(args) if args.pedigree else None
    if ped_ainv is not None:
        for name in _pedigree_names(args):
            mats.setdefault(name, ped_ainv)
    trace = args.trace or (not args.quiet and sys.stderr.isatty())
    if trace:
        print(f"fitting {args.fixed} to {len(df)} rows of {args.data}", file=sys.stderr)
    with warnings.catch_warnings():  # reported below as one line (and in the summary)
        warnings.simplefilter("ignore", asr.AsrWarning)
        fit = asr.asreml(args.fixed, random=args.random, residual=args.residual, data=df,
                         factors=factors, maxit=args.maxit, trace=trace,
                         weights=args.weights, params=params, mv_start=args.mv_start,
                         solver=args.solver, method=args.method, pedigree=ped_ainv, **mats)
    summary = fit.summary()
    wald = fit.wald(denDF=None if args.wald_ddf == "none" else args.wald_ddf)
    if args.wald_ddf != "none":  # after the summary's Wald table, before its notes
        head, sep, notes = summary.partition("\n\nNotes:")
        summary = (head + f"\n\nWald tests (incremental) with {args.wald_ddf} denominator "
                   "df:\n" + wald.to_string(float_format=lambda v: f"{v:.4g}", line_width=80)
                   + sep + notes)
    preds = {c: fit.predict(c, sed=args.sed) for c in args.classify}
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        fit.varcomp.to_csv(out / "varcomp.csv")
        fit.params.to_csv(out / "params.csv", index=False)
        fit.coef_fixed.to_csv(out / "coef_fixed.csv")
        fit.coef_random.to_csv(out / "coef_random.csv")
        wald.to_csv(out / "wald.csv")
        fit.iterations.to_csv(out / "iterations.csv", index=False)
        (out / "summary.txt").write_text(summary + "\n", encoding="utf-8")
        info = {"loglik": fit.loglik, "aic": fit.aic, "bic": fit.bic,
                "converged": fit.converged, "iterations": int(fit.result.n_iter),
                "n_params": fit.ncomponents, "fixed": args.fixed, "random": args.random,
                "residual": args.residual, "data": str(args.data), "weights": args.weights,
                "start_values": args.params or args.start_from, "mv_start": args.mv_start,
                "solver": args.solver, "method": args.method, "wald_ddf": args.wald_ddf,
                "diagnostics": fit.diagnostics}
        (out / "fit.json").write_text(json.dumps(info, indent=2, default=str) + "\n",
                                      encoding="utf-8")
        for i, (c, p) in enumerate(preds.items()):
            stem = "predictions" if i == 0 else f"predictions_{c.replace(':', '_')}"
            p.to_csv(out / f"{stem}.csv", index=False)
            if args.sed:
                p.attrs["sed"].to_csv(out / f"{stem}_sed.csv")
                p.attrs["avsed"].to_frame().to_csv(out / f"{stem}_avsed.csv",
                                                   index_label="statistic")
    print(summary)
    for c, p in preds.items():
        print(f"\nPredictions ({c}):")
        print(p.to_string(index=False))
        if args.sed:
            av = p.attrs["avsed"]
            print(f"average SED: {av['mean']:.6g} (min {av['min']:.6g}, max {av['max']:.6g})")
    if args.out:
        print(f"\nresults written to {args.out}/")
    warning = _diagnostics_warning(fit)
    if warning and not args.quiet:
        print(f"asr-py fit: {warning}", file=sys.stderr)
    return 0


def demo_data() -> Any:
    """The bundled DT_example data (sommer), factor columns read as strings."""
    import pandas as pd

    ref = resources.files("asr_py.data").joinpath("DT_example.csv")
    with resources.as_file(ref) as path:
        return pd.read_csv(path, dtype={c: str for c in FACTOR_COLUMNS})


def _demo(args: argparse.Namespace) -> int:
    import pandas as pd

    import asr_py as asr

    df = demo_data()
    pd.set_option("display.width", 120)
    print(f"DT_example (sommer): {len(df)} rows, {df['Name'].nunique()} genotypes in "
          f"{df['Env'].nunique()} environments\n")
    print('== univariate: Yield ~ Env, random = ~ us(Env):Name ==')
    m1 = asr.asreml("Yield ~ Env", random="~ us(Env):Name", data=df, maxit=args.maxit,
                    trace=args.trace)
    print(m1.summary())
    print("\nPredictions by Env:")
    print(m1.predict("Env").to_string(index=False))
    print("\n== bivariate: cbind(Yield, Weight) ~ trait + trait:Env, random = ~ us(trait):Name,"
          " residual = ~ units:us(trait) ==")
    m2 = asr.asreml("cbind(Yield, Weight) ~ trait + trait:Env", random="~ us(trait):Name",
                    residual="~ units:us(trait)", data=df, maxit=args.maxit, trace=args.trace)
    print(m2.summary())
    print("\nGenetic correlation between Yield and Weight (V1..V3: us(trait):Name):")
    print(m2.vpredict("rg ~ V2/sqrt(V1*V3)").to_string())
    return 0


def _explain(args: argparse.Namespace) -> int:
    from asr_py.explain import explain

    data = None
    if args.data:
        factors = [c.strip() for c in args.factors.split(",") if c.strip()]
        data = _read_csv(args.data, factors)
    ex = explain(args.formula, data, kind=args.kind)
    print(str(ex))
    if args.plot:
        ex.plot(args.plot)
        print(f"\nheat map saved to {args.plot}")
    return 0


def _translate(args: argparse.Namespace) -> int:
    from asr_py.translate import translate

    if args.script == "-":
        code = sys.stdin.read()
    else:
        try:
            raw = Path(args.script).read_bytes()
        except FileNotFoundError:
            raise AsrError(f"script not found: {args.script}") from None
        try:
            code = raw.decode("utf-8-sig")
        except UnicodeDecodeError:      # R scripts saved on Windows: latin-1
            code = raw.decode("latin-1")
    out = translate(code)
    if args.output:
        Path(args.output).write_text(out, encoding="utf-8")
    else:
        sys.stdout.write(out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``asr-py``; returns the exit code (argparse exits with 2 on usage errors)."""
    args = _parser().parse_args(argv)
    if args.command == "fit" and args.sed and not args.classify:
        args.subparser.error("--sed needs --classify (the SED matrix is of predictions)")
    handler = {"demo": _demo, "fit": _fit, "explain": _explain, "translate": _translate}
    try:
        return handler[args.command](args)
    except AsrError as exc:
        print(f"asr-py {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `asr-py demo | head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except (OSError, KeyError) as exc:
        print(f"asr-py {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
