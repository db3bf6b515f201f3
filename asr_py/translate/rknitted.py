"""Knitted R Markdown -> an R program: the R code of a document that knitr has already run.

``knitr::knit()`` turns each ``{r}`` chunk into a fenced code block whose info string is
``r`` (``text`` when the chunk has ``highlight = FALSE``) followed by its printed output:
a plain fenced block (or, through pandoc's ``github_document``, a block indented by four
spaces) whose lines all start with knitr's ``comment`` prefix, ``##`` (``#>`` under
reprex/pkgdown settings). Package vignettes that need a licensed program are shipped this
way (``vignettes/x.Rmd`` knitted from ``x.Rmd.orig``), as are README.md files made from
README.Rmd and blog posts (``keep_md``).

Such a document has no ``{r}`` chunk, so :mod:`.rmd` would see none; here its code blocks
are the program and everything else, the printed output included, becomes ``#`` comments
(same number of lines). A ``text`` block is R code only in a knitted document, and only when
the document has no ``r`` block (the whole document knitted with ``highlight = FALSE``) or
when knitr's output follows it. Chunks knitted with ``echo = FALSE`` left no code behind and
cannot be recovered.

Notes written straight in Markdown (a README, an analysis write-up) often fence R code with
no language at all: when such a document has no ``r`` block and no printed output, its
untagged blocks are R code if one of them assigns with R's ``<-`` (:func:`_untagged_r`;
shell and Python blocks stay comments).
"""

from __future__ import annotations

import re

#: an opening or closing fence: indentation, the fence, the info string
_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*(.*?)\s*$")
#: info strings of R code: ``r``, ``R``, pandoc's ``{.r}`` / ``{.r .numberLines}``
_R_INFO = re.compile(r"^(?:[rR]|\{\s*\.[rR](?:\s[^}]*)?\})$")
_TEXT_INFO = re.compile(r"^(?:text|\{\s*\.text\s*\})$")
#: knitr's printed output: every non-blank line starts with its comment prefix
_OUTPUT = re.compile(r"^\s*(##|#>)")


def _blocks(lines: list[str]) -> list[tuple[int, int, str]]:
    """Fenced blocks as (opening line, closing line, info string); an unclosed fence runs to
    the end."""
    out: list[tuple[int, int, str]] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m is None:
            i += 1
            continue
        fence, info = m.group(2), m.group(3)
        j = i + 1
        while j < len(lines):
            c = _FENCE.match(lines[j])
            if c is not None and c.group(2).startswith(fence[0]) and \
                    len(c.group(2)) >= len(fence) and not c.group(3):
                break
            j += 1
        out.append((i, j, info))
        i = j + 1
    return out


def _is_output(body: list[str]) -> bool:
    filled = [ln for ln in body if ln.strip()]
    return bool(filled) and all(_OUTPUT.match(ln) for ln in filled)


def _indented_output_at(lines: list[str], i: int) -> bool:
    """pandoc's ``github_document``: output as a four-space indented block of ``##`` lines."""
    return i < len(lines) and lines[i].startswith("    ") and _OUTPUT.match(lines[i]) is not None


def _code_blocks(text: str) -> list[tuple[int, int]] | None:
    """The (opening, closing) lines of the R code blocks of a knitted document, or None when
    ``text`` is not one (it has ``{r}`` chunks, or no R code block)."""
    lines = text.splitlines()
    blocks = _blocks(lines)
    if any(info.startswith("{") and re.match(r"\{\s*[rR]\b", info) for _, _, info in blocks):
        return None                                   # an R Markdown source: rmd.py
    has_output = any(not info and _is_output(lines[a + 1:b]) for a, b, info in blocks) or \
        any(_indented_output_at(lines, k) for k in range(len(lines)))
    r_blocks = [(a, b) for a, b, info in blocks if _R_INFO.match(info)]
    if not has_output:
        return r_blocks or _untagged_r(lines, blocks) or None
    code = list(r_blocks)
    for n, (a, b, info) in enumerate(blocks):
        if not _TEXT_INFO.match(info):
            continue
        k = b + 1
        while k < len(lines) and not lines[k].strip():
            k += 1
        nxt = blocks[n + 1] if n + 1 < len(blocks) else None
        followed = (nxt is not None and nxt[0] == k and not nxt[2]
                    and _is_output(lines[nxt[0] + 1:nxt[1]])) or _indented_output_at(lines, k)
        if not r_blocks or followed:
            code.append((a, b))
    return sorted(code) or None


#: R's assignment arrow (``x <- f(y)``), which no shell or Python block writes
_ARROW = re.compile(r"[\w.)\]]\s*<<?-\s*\S")
#: a line of another language (a shell prompt or command, Python's import/def, a REPL) or
#: of an R console transcript (``> x <- 1``, prompts and printed output mixed)
_OTHER = re.compile(r"^\s*(?:\$\s|>>>|>\s|pip\s|conda\s|git\s|cd\s|sudo\s|apt(?:-get)?\s|"
                    r"import\s|from\s+\S+\s+import\s|def\s|#!)")
#: a statement that calls a function: ``summary(m)$varcomp``, ``wald(m)``
_CALL = re.compile(r"^\s*[A-Za-z.][\w.]*(?:::[\w.]+)?\s*\(")


def _untagged_r(lines: list[str], blocks: list[tuple[int, int, str]]
                ) -> list[tuple[int, int]]:
    """Notes written in Markdown with R code in fenced blocks that carry no language (```
    alone): when one of those blocks assigns with R's ``<-``, every untagged block that
    assigns or calls a function, and holds no line of another language, is R code."""
    untagged = [(a, b) for a, b, info in blocks if not info]
    if not any(_ARROW.search(ln) for a, b in untagged for ln in lines[a + 1:b]):
        return []
    out = []
    for a, b in untagged:
        body = [ln for ln in lines[a + 1:b] if ln.strip() and not ln.lstrip().startswith("#")]
        if body and not any(_OTHER.match(ln) for ln in body) and \
                any(_ARROW.search(ln) or _CALL.match(ln) for ln in body):
            out.append((a, b))
    return out


def is_knitted(text: str) -> bool:
    """Is ``text`` a knitted R Markdown document (R code in ``r``/``text`` code blocks, no
    ``{r}`` chunk)?"""
    return ("```" in text or "~~~" in text) and _code_blocks(text) is not None


def to_r(text: str) -> str:
    """The R program of a knitted document (same number of lines): its R code blocks as
    they are, every other line (prose, printed output, other blocks) as a ``#`` comment."""
    lines = text.splitlines()
    code = _code_blocks(text) or []
    keep = [False] * len(lines)
    for a, b in code:
        for k in range(a + 1, min(b, len(lines))):
            keep[k] = True
    return "\n".join(ln if keep[k] else (f"# {ln}".rstrip() if ln.strip() else "")
                     for k, ln in enumerate(lines)) + "\n"
