"""Measure ``asr.translate`` on the hold-out pages: web documents that print asreml output.

    python benchmarks/translate_pages.py [-v] [--run] [--match REGEX]

``tests/translate/holdout/pages/*.R`` restate the asreml-R code of public web pages
(tutorials, a vendor's cookbook and manual, blog posts; the page, its address and the date
read are in each file's header and in ``tests/translate/holdout/pages/index.csv``). Where
the page prints asreml's numbers, the script ends with ``expect_lt(abs(x - printed), unit)``
lines holding them (one unit of the last printed digit). Data sets with a public twin are
taken from fetched repositories: not committed, built locally by ``scripts/fetched_data.py``
into ``$ASR_FETCHED_DATA`` (tests/data/README.md); pages whose data are the author's own are
measured by translation only.

Figures, as ``translate_corpus.py`` prints them: translated without a crash, valid Python,
asreml() calls translated; with ``--run`` the scripts whose data are here that run
end to end and their expectations (agree / differ / unchecked / error).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from _fetched import fetched_dir  # noqa: E402
from translate_corpus import (  # noqa: E402
    _exists,
    _inputs,
    _line,
    _run_script,
    measure,
    print_summary,
    summary,
)

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "tests" / "translate" / "holdout" / "pages"
DATA = ROOT / "tests" / "data"
#: the public twins (agridat, nlme's Rail, asreml's harvey/harvey.ped under their asreml names
#: from agridat's harvey.lsmeans): the local copy scripts/fetched_data.py builds
FETCHED = fetched_dir()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--run", action="store_true", help="execute scripts whose data exist")
    ap.add_argument("--timeout", type=float, default=300.0, help="CPU seconds per script")
    ap.add_argument("-v", "--verbose", action="store_true", help="one line per script")
    ap.add_argument("--match", default="", help="only scripts whose name matches this regex")
    args = ap.parse_args(argv)
    results = []
    for path in sorted(PAGES.glob("*.R")):
        if args.match and not re.search(args.match, path.name):
            continue
        text = path.read_text()
        res, py = measure(f"holdout/pages/{path.name}", text)
        ins = _inputs(text, py)
        res.data = bool(ins) and all(_exists(DATA, p) or _exists(FETCHED, p) for p in ins)
        if args.run and res.data and res.valid:
            with tempfile.TemporaryDirectory(prefix="asr_pages_") as tmp:
                for p in ins:
                    for alt in p.split("|"):
                        for where in (DATA, FETCHED):
                            if (where / alt).exists():
                                shutil.copy(where / alt, Path(tmp) / Path(alt).name)
                _run_script(py, Path(tmp), args.timeout, res)
        results.append(res)
        if args.verbose:
            print(_line(res), flush=True)
            for t in res.todos:
                print(f"        {t[:150]}")
    print_summary(summary(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
