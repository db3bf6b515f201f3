"""Count translate's ``# TODO(asr_py)`` lines over the public corpus, per kind.

A kind is the TODO text up to "original R code" (e.g. "not translated (indexed
assignment)"), cut at 45 characters as session 29 counted them
(/work/notes/s29/todos_main.txt). Translate only (fast)::

    python benchmarks/corpus_todo_kinds.py [--match REGEX] [--top N] [--out FILE]
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from translate_corpus import _git, _git_dir, measure, read_index  # noqa: E402

_KIND = re.compile(r"#\s*TODO\(asr_py\):?\s*(.*)")


def kinds(match: str = "") -> tuple[collections.Counter[str], dict[str, set[str]]]:
    """TODO-line counts per kind, and the scripts of each kind."""
    count: collections.Counter[str] = collections.Counter()
    where: dict[str, set[str]] = collections.defaultdict(set)
    for row in read_index():
        name = f"{row['repo']}/{row['path']}"
        if match and not re.search(match, name):
            continue
        gd = _git_dir(row["repo"])
        if gd is None:
            continue
        try:
            text = _git(gd, "show", f"{row['commit']}:{row['path']}").decode(errors="replace")
        except subprocess.CalledProcessError:
            continue
        res, _ = measure(name, text)
        for todo in res.todos:
            m = _KIND.match(todo)
            kind = (m.group(1) if m else todo)[:45]
            count[kind] += 1
            where[kind].add(name)
    return count, where


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--match", default="")
    ap.add_argument("--top", type=int, default=80)
    ap.add_argument("--out", default="")
    args = ap.parse_args(argv)
    count, where = kinds(args.match)
    lines = [f"TODO lines {sum(count.values())}"]
    lines += [f"{n} {k}  [{len(where[k])} scripts]" for k, n in count.most_common(args.top)]
    text = "\n".join(lines) + "\n"
    if args.out:
        Path(args.out).write_text(text)
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
