"""Measure ``asr.translate`` on real asreml-R scripts (issue 14).

Two corpora:

* the **public corpus**: scripts of public repositories listed in
  ``tests/translate/corpus/index.csv`` (repo, path, commit, licence). Their text is not
  committed here; bring each repository in first with the search tool's ``fetch`` (it lands
  in ``/work/.mirror/<owner>+<name>/``), then run this script by hand::

      python benchmarks/translate_corpus.py            # translate + measure
      python benchmarks/translate_corpus.py --run      # also execute scripts whose data exist
      python benchmarks/translate_corpus.py --index    # rebuild index.csv from the mirrors
      python benchmarks/translate_corpus.py --from-index tests/translate/holdout/index.csv
                                                       # the hold-out set (not tuned on)

* the **snippet corpus**: ``tests/translate/corpus/snippets/*.R``, small scripts written
  here reproducing each construct seen in the public scripts; CI measures these
  (tests/translate/test_corpus.py).

Figures printed: scripts translated without an exception, outputs that are valid Python
(``compile()``: the parser's and the compiler's checks, so a repeated keyword argument
counts too), ``asreml()`` calls in the R code against ``asr.asreml()`` calls in the
output (the rest must carry a TODO saying why), and with ``--run`` the scripts whose data
files are in the repository that run end to end as translated; of those, the runs that used
no placeholder of untranslated code (asr_py.translate.checks); and the outcome of the
scripts' testthat expectations (expect_equal against the numbers asreml gave their authors:
agree within the script's tolerance, differ, unchecked when the value depends on untranslated
code). Run it with ``asr_py[rdata]`` installed (pyreadr for .rda/.rds data).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_differs import CATEGORIES, Differ, differs_of, write_report  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "translate" / "corpus"
INDEX = CORPUS / "index.csv"
MIRROR = Path(os.environ.get("ASR_MIRROR", "/work/.mirror"))

_R_CALL = re.compile(r"(?<![\w.$@])(?:asreml::)?asreml\s*\(")
_PY_CALL = re.compile(r"\basr\.asreml\(")
_TODO_ASREML = re.compile(r"#\s*TODO\(asr_py\).*")
_INPUT = re.compile(r"\b(?:read\.csv|read\.table|read\.delim|read_csv|read_excel|read\.xlsx|"
                    r"fread|load|readRDS|read_delim)\s*\(\s*(?:file\s*=\s*)?"
                    r"[\"']([^\"']+)[\"']")
_CHUNK = re.compile(r"^```\s*\{r[^}]*\}[^\n]*\n(.*?)^```", re.M | re.S)


@dataclass
class Result:
    """One script's figures."""
    name: str
    crashed: str = ""
    valid: bool = False
    r_calls: int = 0
    py_calls: int = 0
    #: asreml() calls built as text and run by eval(parse()) (count_r_text_calls), and of
    #: those the ones the translation runs through its run-time translation
    r_text_calls: int = 0
    py_text_calls: int = 0
    data: bool = False
    ran: bool | None = None
    error: str = ""
    #: untranslated values the run used (asr_py.translate.checks placeholders)
    placeholders: int = 0
    #: testthat expectations: agree, differ, unchecked, error
    expectations: tuple[int, int, int, int] = (0, 0, 0, 0)
    #: wall-clock and CPU seconds of the run; which limit cut it ("cpu", "wall" or "")
    seconds: float = 0.0
    cpu: float = 0.0
    limit: str = ""
    #: why the script fails in R too (index.csv's ``fails_in_r``; empty: runnable in R)
    fails_in_r: str = ""
    #: the testthat expectations that differ, as the run printed them
    differs: list[str] = field(default_factory=list)
    #: the same, with their R expression and category (benchmarks/corpus_differs.py)
    differ_rows: list[Differ] = field(default_factory=list)
    todos: list[str] = field(default_factory=list)


def r_code_of(text: str, path: str) -> str:
    """The R code of a script: the whole file, or the R chunks of an .Rmd/.qmd; of a knitted
    document (knitr's .md, a pre-knit vignette .Rmd: asr_py.translate.rknitted) its R code
    blocks."""
    low = path.lower()
    if low.endswith((".rmd", ".qmd", ".md", ".rmd_orig", ".rmd.orig")):
        chunks = [m.group(1) for m in _CHUNK.finditer(text)]
        if chunks:
            return "\n".join(chunks)
        knit = _rknitted()
        return knit.to_r(text) if knit.is_knitted(text) else ""
    return text


def _rknitted():  # noqa: ANN202 - a module
    """asr_py.translate.rknitted of this checkout (read by path: the measure stays the same
    when the asr_py measured is another one, e.g. main's for a before/after)."""
    spec = importlib.util.spec_from_file_location(
        "_asr_rknitted", ROOT / "asr_py" / "translate" / "rknitted.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def strip_comments(code: str) -> str:
    """R code without ``#`` comments (strings respected)."""
    out, quote, i = [], "", 0
    while i < len(code):
        ch = code[i]
        if quote:
            out.append(ch)
            if ch == "\\" and i + 1 < len(code):
                out.append(code[i + 1])
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'`":
            quote = ch
            out.append(ch)
        elif ch == "#":
            while i < len(code) and code[i] != "\n":
                i += 1
            continue
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def count_r_calls(text: str, path: str) -> int:
    """asreml() calls in the R code (not in comments, not inside strings: a call built as
    text for eval(parse()) is counted apart, count_r_text_calls)."""
    code = _STRING.sub('""', strip_comments(r_code_of(text, path)))
    return len(_R_CALL.findall(code))


_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')
_EVAL_TEXT = re.compile(r"(?<![\w.])eval\s*\(\s*(?:parse|str2lang|str2expression)\s*\(")
_PY_EVAL_TEXT = re.compile(r"\br_eval_text\(")


def count_r_text_calls(text: str, path: str) -> int:
    """asreml() calls built as text: the rule is, in a script whose code runs text as R
    code (``eval(parse(text = ))``, ``eval(str2lang())``, ``eval(str2expression())``), each
    ``asreml(`` written inside a string literal (``paste("m <- asreml(fixed = ", ...)``,
    a template ``sub()`` fills in). count_r_calls leaves them out (not code)."""
    code = strip_comments(r_code_of(text, path))
    if not _EVAL_TEXT.search(_STRING.sub('""', code)):
        return 0
    return sum(len(_R_CALL.findall(lit)) for lit in _STRING.findall(code))


def count_py_text_calls(py: str, r_text_calls: int) -> int:
    """Of ``r_text_calls``, those the translation routes to its run-time translation of the
    text (renv.r_eval_text: the text is translated, its asreml() call to asr.asreml(), when
    the script runs): one for each r_eval_text() call of the Python, at most r_text_calls."""
    n = sum(len(_PY_EVAL_TEXT.findall(ln)) for ln in py.splitlines()
            if not ln.lstrip().startswith("#"))
    return min(n, r_text_calls)


def count_py_calls(py: str) -> int:
    return sum(len(_PY_CALL.findall(ln)) for ln in py.splitlines()
               if not ln.lstrip().startswith("#"))


def measure(name: str, text: str) -> tuple[Result, str]:
    """Translate one script and measure it; returns the figures and the Python."""
    from asr_py.translate import translate

    res = Result(name, r_calls=count_r_calls(text, name),
                 r_text_calls=count_r_text_calls(text, name))
    try:
        py = translate(text)
    except Exception as exc:  # noqa: BLE001 - a crash is what is measured
        res.crashed = f"{type(exc).__name__}: {exc}"
        return res, ""
    try:
        compile(py, name, "exec")      # ast.parse alone misses f(a=1, a=2)
        res.valid = True
    except SyntaxError as exc:
        res.error = f"SyntaxError line {exc.lineno}: {exc.msg}"
    res.py_calls = count_py_calls(py)
    res.py_text_calls = count_py_text_calls(py, res.r_text_calls)
    res.todos = [m.group(0) for m in _TODO_ASREML.finditer(py)]
    return res, py


# ----- the public corpus -------------------------------------------------------------------

def _git_dir(repo: str) -> Path | None:
    base = MIRROR / repo.replace("/", "+", 1) / "repo"
    if (base / ".git").is_dir():
        return base / ".git"
    return base if base.is_dir() else None


def _git(gd: Path, *args: str) -> bytes:
    return subprocess.run(["git", f"--git-dir={gd}", *args], capture_output=True,
                          check=True).stdout


def read_index(index: Path | None = None) -> list[dict[str, str]]:
    """The rows of ``index`` (default: the corpus index.csv)."""
    with (index or INDEX).open(newline="") as fh:
        return list(csv.DictReader(fh))


def _licence(gd: Path, files: list[str]) -> str:
    text = ""
    if "DESCRIPTION" in files:
        desc = _git(gd, "show", "HEAD:DESCRIPTION").decode(errors="replace")
        m = re.search(r"^License:\s*(.*)$", desc, re.M)
        if m:
            return m.group(1).strip()
    for f in files:
        if re.fullmatch(r"(?i)(licen[cs]e|copying)(\.\w+)?", f):
            text = _git(gd, "show", f"HEAD:{f}").decode(errors="replace")[:4000].lower()
            for key, name in (("mit license", "MIT"), ("permission is hereby granted", "MIT"),
                              ("unencumbered", "Unlicense"), ("apache license", "Apache-2.0"),
                              ("gnu general public", "GPL"), ("redistribution and use", "BSD"),
                              ("creative commons", "CC")):
                if key in text:
                    return name
            return f"see {f}"
    return "none"


def build_index() -> None:
    known = {(r["repo"], r["path"]): r.get("fails_in_r", "") or "" for r in read_index()} \
        if INDEX.exists() else {}
    rows = []
    for d in sorted(MIRROR.iterdir()):
        repo = d.name.replace("+", "/", 1)
        gd = _git_dir(repo)
        if gd is None:
            continue
        commit = _git(gd, "rev-parse", "HEAD").decode().strip()
        files = _git(gd, "ls-tree", "-r", "--name-only", "-z", "HEAD").decode().split("\0")
        lic = _licence(gd, files)
        for f in files:
            if not re.search(r"(?i)\.(r|rmd|qmd)$", f):
                continue
            text = _git(gd, "show", f"HEAD:{f}").decode(errors="replace")
            if count_r_calls(text, f):
                rows.append({"repo": repo, "path": f, "commit": commit, "licence": lic,
                             "fails_in_r": known.get((repo, f), "")})
    with INDEX.open("w", newline="") as fh:
        w = csv.DictWriter(fh, ["repo", "path", "commit", "licence", "fails_in_r"])
        w.writeheader()
        w.writerows(rows)
    print(f"{len(rows)} scripts from {len({r['repo'] for r in rows})} repositories -> {INDEX}")


#: a raw GitHub file URL: owner, repo, path (the ref may be written refs/heads/<branch>/)
_RAW_GITHUB = re.compile(r"(?i)https?://(?:raw\.githubusercontent\.com/([^/]+)/([^/]+)/"
                         r"(?:refs/(?:heads|tags)/)?[^/]+/"
                         r"|github\.com/([^/]+)/([^/]+)/raw/(?:refs/(?:heads|tags)/)?[^/]+/)(.+)")


def prefill_source_cache(text: str, gd: Path, commit: str, cache: Path,
                         depth: int = 0) -> list[str]:
    """Put into the download cache ``cache`` (rsource_url.cache_path) the files the script
    ``text`` (of the repo ``gd`` at ``commit``) names by GitHub URLs (source(), read.csv())
    whose repository is fetched: each at the commit of that repository nearest before the
    script's commit date (its first commit with the file if all are later), as the script's
    author would have downloaded it (this machine has no network). Returns one note a file."""
    from asr_py.translate.rsource_url import URL_LITERAL, cache_path

    date = _git(gd, "show", "-s", "--format=%cI", commit).decode().strip()
    notes = []
    for url in dict.fromkeys(URL_LITERAL.findall(text)):
        m = _RAW_GITHUB.match(url)
        src = _git_dir(f"{m.group(1) or m.group(3)}/{m.group(2) or m.group(4)}") if m else None
        if m is None or src is None:
            if m is not None:
                notes.append(f"{url}: not in the mirrors")
            continue
        path = urllib.parse.unquote(m.group(5).split("?")[0].split("#")[0])
        at = _git(src, "rev-list", "-1", f"--before={date}", "HEAD", "--", path).decode().strip()
        if not at:
            log = _git(src, "log", "--reverse", "--format=%H", "HEAD", "--", path).decode().split()
            at = log[0] if log else ""
        if not at:
            notes.append(f"{url}: no such file in the mirror")
            continue
        body = _git(src, "show", f"{at}:{path}")
        dest = cache_path(url, cache)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(body)
        notes.append(f"{url}: mirror commit {at[:10]} (script {date[:10]})")
        if depth < 3 and re.search(r"(?i)\.r$", path):
            notes += prefill_source_cache(body.decode(errors="replace"), gd, commit, cache,
                                          depth + 1)
    return notes


def _checkout(gd: Path, commit: str, dest: Path) -> None:
    """The files of ``commit`` under ``dest``; blobs the snapshot lacks (large files) are
    skipped."""
    listing = _git(gd, "ls-tree", "-r", "-z", commit).decode().split("\0")
    entries = [ln.split("\t", 1) for ln in listing if "\t" in ln]
    blobs = [(meta.split()[2], path) for meta, path in entries if meta.split()[1] == "blob"]
    p = subprocess.Popen(["git", f"--git-dir={gd}", "cat-file", "--batch"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert p.stdin is not None and p.stdout is not None
    for sha, path in blobs:
        p.stdin.write(sha.encode() + b"\n")
        p.stdin.flush()
        head = p.stdout.readline().split()
        if len(head) < 3 or head[1] != b"blob":
            continue
        data = p.stdout.read(int(head[2]))
        p.stdout.read(1)
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    p.stdin.close()
    p.wait()


_DATA_CALL = re.compile(r"\bdata\(\s*[\"']?([\w.]+)[\"']?\s*[,)]")
_DATA_DIRS = (".", "data", "../data", "../../data")
_DATA_EXT = (".csv", ".rda", ".RData", ".rdata", ".rds", ".txt", ".tsv")


_TEST_PATH = re.compile(r"\btest_path\(\s*((?:[\"'][^\"'\n]+[\"']\s*,?\s*)+)\)")
_LAZY_DATA = re.compile(r"\br_lazy\('([\w.]+)', globals\(\)\)")
#: an input that is a data frame of R's datasets package (asr_py.translate.rdatasets)
_R_DATASETS = "R datasets::"


def _inputs(text: str, py: str = "") -> list[str]:
    """The data files a script reads: literal paths, and data(name) as one of the files
    asr_py.translate.runtime.r_data looks for (a pattern with '|' alternatives); with the
    translation ``py``, also the data sets of attached packages it reads by bare name
    (asr_py.translate.rlazy)."""
    from asr_py.translate import rdatasets

    code = strip_comments(text)
    files = [p for p in _INPUT.findall(code) if not p.startswith("http")]
    # testthat's test_path("data", "x.Rdata"): a file under the test file's folder
    files += ["/".join(re.findall(r"[\"']([^\"']+)[\"']", m.group(1)))
              for m in _TEST_PATH.finditer(code)]
    names = list(dict.fromkeys(_DATA_CALL.findall(code) + _LAZY_DATA.findall(py)))
    for name in names:
        if rdatasets.is_dataset(name):      # R's datasets package: bundled with asr_py
            files.append(f"{_R_DATASETS}{name}")
            continue
        files.append("|".join(f"{d}/{name}{x}" for d in _DATA_DIRS for x in _DATA_EXT))
    return files


#: a quoted data-file name (the first argument of a script's own reader, e.g.
#: ``preprocess("trial.xlsx")`` of a sourced file, or of ``file.path``)
_DATA_LITERAL = re.compile(r"[(,]\s*[\"']([^\"'\n/][^\"'\n]*\.(?:csv|xlsx|xls|txt|tsv|rds|rda|"
                           r"RData|rdata))[\"']")


def _data_literals(code: str, where: Path) -> list[str]:
    """Quoted data-file names in ``code`` that exist under ``where``: a script with no
    literal read.csv()/load()... still reads its data through its own function or a sourced
    one (the data it writes and reads again are there too when the repository ships them)."""
    names = dict.fromkeys(_DATA_LITERAL.findall(strip_comments(code)))
    return [n for n in names if (where / n).exists()]


def _exists(where: Path, pattern: str) -> bool:
    if pattern.startswith(_R_DATASETS):
        return True
    return any((where / p).exists() for p in pattern.split("|"))


_EXPECTS = re.compile(r"^asr_py\.translate expectations: (\d+) agree, (\d+) differ, "
                      r"(\d+) unchecked, (\d+) error$", re.M)
_DIFFERS = re.compile(r"^asr_py\.translate expectation differs: (.*)$", re.M)
_USED = re.compile(r"^asr_py\.translate untranslated values used: (\d+)$", re.M)
#: the line an uncaught exception prints: ``pkg.module.SomeError: message`` (not the lines of
#: source and caret asr_py's formula errors print after it)
_EXC_LINE = re.compile(r"^(?:[A-Za-z_][\w]*\.)*[A-Za-z_]\w*(?:Error|Exception|Interrupt|Exit)\b.*")


#: environment of a child run: non-interactive plots, one BLAS/OpenMP thread (the CPU-time
#: limit counts every thread of the process, so threads would only inflate it)
_CHILD_ENV = {"MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
              "MKL_NUM_THREADS": "1", "BLIS_NUM_THREADS": "1", "VECLIB_MAXIMUM_THREADS": "1",
              "NUMEXPR_NUM_THREADS": "1"}
#: the wall-clock backstop, as a multiple of the CPU-time limit (a loaded machine gives a
#: child a fraction of a core; the backstop only catches a child blocked off the CPU)
WALL_FACTOR = 6.0


def _cpu_limit(seconds: float):  # noqa: ANN202 - a preexec_fn
    """A ``preexec_fn`` setting RLIMIT_CPU in the child: SIGXCPU at ``seconds`` of CPU
    time (soft limit), SIGKILL 5 s of CPU later (hard limit)."""
    import resource

    soft = max(1, int(round(seconds)))

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 5))
    return limit


def _wait(pid: int, wall: float) -> tuple[int | None, float, bool]:
    """Wait for the child ``pid`` up to ``wall`` seconds (then kill it): its exit code (or
    minus the signal), its own CPU seconds (user + system, from wait4: right also when
    several children run at once) and whether the backstop killed it."""
    import signal

    t_end = time.monotonic() + wall
    killed = False
    while True:
        done, status, ru = os.wait4(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status), ru.ru_utime + ru.ru_stime, killed
        if not killed and time.monotonic() > t_end:
            os.kill(pid, signal.SIGKILL)
            killed = True
        time.sleep(0.1)


def _run_script(py: str, workdir: Path, timeout: float, res: Result, tag: str = "") -> None:
    """Run the translation in ``workdir`` under a CPU-time limit of ``timeout`` seconds
    (RLIMIT_CPU) and a wall-clock backstop of ``WALL_FACTOR * timeout``; fills ``res.ran``,
    ``error``, ``placeholders``, ``expectations``, ``seconds`` (wall), ``cpu`` and
    ``limit`` ("cpu" or "wall" when a limit cut the run). ``tag`` keeps the file names of
    scripts run at the same time in one folder apart."""
    import signal

    target = workdir / f"_asr_translated{tag}.py"
    target.write_text(py)
    env = dict(os.environ, **_CHILD_ENV)
    wall = WALL_FACTOR * timeout
    t0 = time.perf_counter()
    with tempfile.TemporaryFile("w+") as fo, tempfile.TemporaryFile("w+") as fe:
        p = subprocess.Popen([sys.executable, target.name], cwd=workdir, stdout=fo,
                             stderr=fe, text=True, env=env, preexec_fn=_cpu_limit(timeout))
        code, res.cpu, killed = _wait(p.pid, wall)
        p.returncode = code          # reaped by _wait
        fo.seek(0)
        fe.seek(0)
        out, err = fo.read(), fe.read()
    res.seconds = time.perf_counter() - t0
    keep = os.environ.get("ASR_CORPUS_KEEP_OUTPUT")   # a folder: each run's output, to read
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^\w.-]+", "_", res.name)[-150:]
        (Path(keep) / f"{stem}.out").write_text(out + "\n--- stderr ---\n" + err)
    if killed:
        res.limit = "wall"
    # SIGXCPU comes only from RLIMIT_CPU (the soft limit); SIGKILL at the hard limit
    elif code == -signal.SIGXCPU or code == -signal.SIGKILL and res.cpu >= timeout:
        res.limit = "cpu"
    if res.limit:
        res.ran = False
        res.error = (f"CPU-time limit {timeout:.0f}s" if res.limit == "cpu" else
                     f"wall-clock backstop {wall:.0f}s (CPU {res.cpu:.0f}s)")
        return
    res.differs = _DIFFERS.findall(out)
    m = _EXPECTS.search(out)
    if m:
        res.expectations = tuple(int(x) for x in m.groups())  # type: ignore[assignment]
    u = _USED.search(err)
    res.placeholders = int(u.group(1)) if u else 0
    res.ran = code == 0
    tail = [ln for ln in err.strip().splitlines() if ln.strip() and not _USED.match(ln)
            and not ln.startswith(("hint:", "asr_py.translate untranslated: "))]
    # the exception's own line: asr_py's errors print the formula and a caret line after it
    said = [ln for ln in tail if _EXC_LINE.match(ln)]
    res.error = "" if res.ran else (said[-1] if said else tail[-1] if tail else f"exit {code}")


def public_corpus(run: bool, timeout: float, verbose: bool, match: str = "",
                  jobs: int = 1, index: Path | None = None) -> list[Result]:
    """Translate (and with ``run`` execute) the scripts of ``index`` (default: the corpus
    index.csv; e.g. tests/translate/holdout/index.csv, same columns); ``jobs`` scripts run
    at a time (the limit is CPU time, so running several at once changes no outcome)."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    pending = []
    results: list[Result] = []
    trees: dict[str, Path] = {}
    tmp = Path(tempfile.mkdtemp(prefix="asr_corpus_"))
    _CHILD_ENV["ASR_PY_SOURCE_CACHE"] = str(tmp / "_source_cache")   # no network here
    missing: set[str] = set()
    for row in read_index(index):
        if match and not re.search(match, f"{row['repo']}/{row['path']}"):
            continue
        gd = _git_dir(row["repo"])
        if gd is None:
            missing.add(row["repo"])
            continue
        try:
            text = _git(gd, "show", f"{row['commit']}:{row['path']}").decode(errors="replace")
        except subprocess.CalledProcessError:
            missing.add(row["repo"])
            continue
        res, py = measure(f"{row['repo']}/{row['path']}", text)
        res.fails_in_r = row.get("fails_in_r", "") or ""
        ins = _inputs(r_code_of(text, row["path"]), py)
        if run and (ins or _DATA_LITERAL.search(r_code_of(text, row["path"]))):
            tree = trees.get(row["repo"])
            if tree is None:
                tree = tmp / row["repo"].replace("/", "+")
                _checkout(gd, row["commit"], tree)
                trees[row["repo"]] = tree
            here = tree / Path(row["path"]).parent
            ins = ins or _data_literals(r_code_of(text, row["path"]), here)
            where = here if all(_exists(here, p) for p in ins) else tree
            res.data = bool(ins) and all(_exists(where, p) for p in ins)
            if res.data and res.valid:
                for note in prefill_source_cache(text, gd, row["commit"],
                                                 tmp / "_source_cache"):
                    if verbose:
                        print(f"        source(): {note}", flush=True)
                def job(py: str = py, where: Path = where, res: Result = res,
                        tag: str = f"_{len(results)}", text: str = text) -> Result:
                    _run_script(py, where, timeout, res, tag)
                    res.differ_rows = differs_of(res.name, res.differs, text)
                    if verbose:
                        print(_line(res), flush=True)
                    return res
                results.append(res)
                pending.append(pool.submit(job))
                continue
        results.append(res)
        if verbose:
            print(_line(res), flush=True)
    for f in pending:
        f.result()
    pool.shutdown()
    shutil.rmtree(tmp, ignore_errors=True)
    if missing:
        print(f"not fetched (use the search tool's fetch): {', '.join(sorted(missing))}")
    return results


# ----- report ------------------------------------------------------------------------------

def _line(r: Result) -> str:
    state = ("CRASH " + r.crashed if r.crashed else "ok" if r.valid else "INVALID " + r.error)
    run = "" if r.ran is None else (" ran" if r.ran else f" FAILED: {r.error}")
    if r.ran is not None:
        a, d, u, e = r.expectations
        run += f" [{r.cpu:.0f}s CPU, {r.seconds:.0f}s wall" + (
            f", {r.placeholders} placeholder uses" if r.placeholders else "") + (
            f", expectations {a} agree/{d} differ/{u} unchecked/{e} error" if a + d + u + e
            else "") + "]"
    r_fails = f"  (fails in R too: {r.fails_in_r})" if r.fails_in_r else ""
    differs = "".join(f"\n        differs [{d.category}{'' if d.auto else '*'}]: line {d.line}: "
                      f"{d.expr[:120]} -- {d.detail}" for d in r.differ_rows)
    return f"{r.py_calls:3d}/{r.r_calls:<3d} {state}{run}  {r.name}{r_fails}{differs}"


def summary(results: list[Result]) -> dict[str, float]:
    n = len(results)
    r_calls = sum(r.r_calls for r in results)
    py_calls = sum(min(r.py_calls, r.r_calls) for r in results)
    with_data = [r for r in results if r.data]
    runnable = [r for r in with_data if not r.fails_in_r]
    return {
        "scripts": n,
        "repositories": len({"/".join(r.name.split("/")[:2]) for r in results}),
        "no_crash": sum(not r.crashed for r in results),
        "valid_python": sum(r.valid for r in results),
        "asreml_calls": r_calls,
        "asr_calls": py_calls,
        "call_rate": py_calls / r_calls if r_calls else 1.0,
        "asreml_text_calls": sum(r.r_text_calls for r in results),
        "asr_text_calls": sum(r.py_text_calls for r in results),
        "with_data": len(with_data),
        "ran": sum(bool(r.ran) for r in with_data),
        "runnable_in_r": len(runnable),
        "ran_runnable": sum(bool(r.ran) for r in runnable),
        "ran_complete": sum(bool(r.ran) and not r.placeholders for r in with_data),
        "agree": sum(r.expectations[0] for r in with_data),
        "differ": sum(r.expectations[1] for r in with_data),
        "unchecked": sum(r.expectations[2] for r in with_data),
        "expect_error": sum(r.expectations[3] for r in with_data),
        "scripts_expect": sum(1 for r in with_data if sum(r.expectations)),
        **{f"differ_{c}": sum(d.category == c for r in with_data for d in r.differ_rows)
           for c in CATEGORIES},
        "cpu_limit": sum(1 for r in with_data if r.limit == "cpu"),
        "wall_limit": sum(1 for r in with_data if r.limit == "wall"),
        "cpu_seconds": sum(r.cpu for r in with_data),
    }


def print_summary(s: dict[str, float]) -> None:
    print(f"scripts: {s['scripts']} from {s['repositories']} repositories")
    print(f"translated without crash: {s['no_crash']}/{s['scripts']}")
    print(f"valid Python (compile): {s['valid_python']}/{s['scripts']}")
    print(f"asreml() -> asr.asreml(): {s['asr_calls']}/{s['asreml_calls']} "
          f"({100 * s['call_rate']:.1f} %)")
    if s.get("asreml_text_calls"):
        print(f"asreml() built as text for eval(parse()) -> run-time translation: "
              f"{s['asr_text_calls']}/{s['asreml_text_calls']} (code and text together: "
              f"{s['asr_calls'] + s['asr_text_calls']}/"
              f"{s['asreml_calls'] + s['asreml_text_calls']})")
    if s["with_data"]:
        print(f"ran end to end (data in the repository): {s['ran']}/{s['with_data']} "
              f"({100 * s['ran'] / s['with_data']:.0f} %)")
        if s["runnable_in_r"]:
            print(f"ran end to end (data in the repository, runnable in R): "
                  f"{s['ran_runnable']}/{s['runnable_in_r']} "
                  f"({100 * s['ran_runnable'] / s['runnable_in_r']:.0f} %)")
        print(f"  of which no untranslated value was used: {s['ran_complete']}/"
              f"{s['with_data']}")
        print(f"  cut by the CPU-time limit: {s['cpu_limit']}; by the wall-clock backstop: "
              f"{s['wall_limit']}; CPU seconds of all runs: {s['cpu_seconds']:.0f}")
        print(f"testthat expectations in {s['scripts_expect']} scripts (the numbers the "
              f"scripts say asreml gives): {s['agree']} agree, {s['differ']} differ, "
              f"{s['unchecked']} unchecked (depend on untranslated code), "
              f"{s['expect_error']} error")
        if s["differ"]:
            print("  differ by category: " + ", ".join(
                f"{c} {s['differ_' + c]}" for c in CATEGORIES) + "  (F fit number, L layout, "
                "V written for an older asremlPlus, T translation, ? not classified)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", action="store_true", help="rebuild index.csv from the mirrors")
    ap.add_argument("--from-index", metavar="CSV", default="",
                    help="measure the scripts of this index instead of the corpus index.csv "
                         "(same columns, e.g. tests/translate/holdout/index.csv)")
    ap.add_argument("--run", action="store_true", help="execute scripts whose data exist")
    ap.add_argument("--timeout", type=float, default=300.0,
                    help="CPU-time limit per script in seconds (RLIMIT_CPU; the wall-clock "
                         f"backstop is {WALL_FACTOR:g} times this)")
    ap.add_argument("-v", "--verbose", action="store_true", help="one line per script")
    ap.add_argument("--match", default="", help="only scripts whose repo/path matches this regex")
    ap.add_argument("--jobs", type=int, default=1, help="scripts run at a time")
    ap.add_argument("--differ-report", metavar="FILE", default="",
                    help="write the differing expectations (script, R line, expression, "
                         "ours vs asreml, category) to FILE as a tab-separated table")
    args = ap.parse_args(argv)
    if args.index:
        build_index()
        return 0
    if args.run and importlib.util.find_spec("pyreadr") is None:
        print("note: pyreadr is not installed: scripts reading .rda/.rds/data() fail "
              "(pip install asr_py[rdata])")
    results = public_corpus(args.run, args.timeout, args.verbose, args.match, args.jobs,
                            Path(args.from_index) if args.from_index else None)
    print_summary(summary(results))
    if args.differ_report:
        write_report([d for r in results for d in r.differ_rows], Path(args.differ_report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
