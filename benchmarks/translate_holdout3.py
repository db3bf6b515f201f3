"""Measure ``asr.translate`` on the third hold-out: public asreml-R code of repositories
neither in the corpus nor in the earlier hold-outs (tests/translate/holdout/third/).

    python benchmarks/translate_holdout3.py [-v] [--run] [--match REGEX]

The scripts are read from the mirrors (``fetch`` each repository: it lands in
/work/.mirror/<owner>+<name>/), at the commits of ``third/index.csv``; nothing of them is
committed here. Run as a new user would: translated, then executed in a checkout of their
repository at that commit. A script whose data set is a public one the repository does not
ship reads it from the local copy of fetched data (``scripts/fetched_data.py``, not
committed) under the name it asks for (``TWINS``; only data are
pointed at, no line of a script is restated). Figures as ``translate_corpus.py`` prints
them; the printed numbers of the scripts are checked in
tests/translate/test_translate_holdout3.py.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import translate_corpus as tc  # noqa: E402
from _fetched import fetched_dir  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
INDEX = ROOT / "tests" / "translate" / "holdout" / "third" / "index.csv"
#: repository -> {path in its checkout: file of the local fetched-data copy} (public twins,
#: tests/data/README.md; built by scripts/fetched_data.py)
TWINS: dict[str, dict[str, str]] = {
    # data(butron.maize, package = 'agridat'): agridat's data set (kwstat/agridat 5919e3f)
    "yzhlinscau/my-R-blog": {"butron.maize.csv": "agridat_butron_maize.csv"},
    # data(Rail, package = "nlme"): nlme's Rail (via Rdatasets)
    "cran/lucid": {"tests/testthat/Rail.csv": "nlme_rail.csv",
                   "vignettes/Rail.csv": "nlme_rail.csv"},
}


def _with_twins(checkout):  # noqa: ANN001, ANN202 - wraps translate_corpus._checkout
    def run(gd: Path, commit: str, dest: Path) -> None:
        checkout(gd, commit, dest)
        repo = dest.name.replace("+", "/", 1)
        for rel, src in TWINS.get(repo, {}).items():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            if (fetched_dir() / src).is_file():
                shutil.copy(fetched_dir() / src, dest / rel)
    return run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--run", action="store_true", help="execute scripts whose data exist")
    ap.add_argument("--timeout", type=float, default=300.0, help="CPU seconds per script")
    ap.add_argument("-v", "--verbose", action="store_true", help="one line per script")
    ap.add_argument("--match", default="", help="only scripts whose repo/path matches this")
    args = ap.parse_args(argv)
    tc._checkout = _with_twins(tc._checkout)
    results = tc.public_corpus(args.run, args.timeout, args.verbose, args.match, 1, INDEX)
    if args.verbose:
        for r in results:
            for t in r.todos:
                print(f"        {r.name}: {t[:140]}")
    tc.print_summary(tc.summary(results))
    print(f"TODO lines: {sum(len(r.todos) for r in results)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
