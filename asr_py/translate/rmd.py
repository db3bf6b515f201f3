"""R Markdown / Quarto (.Rmd, .qmd) -> an R program: R chunks kept, everything else (YAML
header, prose, chunks of other languages) as ``#`` comments; a chunk with ``eval = FALSE``
goes inside ``if (FALSE) { }`` so it is translated but not run."""

from __future__ import annotations

import re

from asr_py.translate import rknitted

_FENCE = re.compile(r"^(\s*)(`{3,})\s*\{([^}]*)\}\s*$")
_PLAIN_FENCE = re.compile(r"^\s*`{3,}")
_NOT_EVAL = re.compile(r"\beval\s*=\s*(FALSE|F)\b|#\|\s*eval:\s*false")


def is_markdown(text: str) -> bool:
    """Does ``text`` hold R Markdown/Quarto R chunks, or is it a knitted document
    (:mod:`.rknitted`)?"""
    return any(_FENCE.match(ln) and re.match(r"\s*r\b", _FENCE.match(ln).group(3))  # type: ignore[union-attr]
               for ln in text.splitlines()) or rknitted.is_knitted(text)


def to_r(text: str) -> str:
    """The R program of an .Rmd/.qmd file (same number of lines)."""
    if rknitted.is_knitted(text):
        return rknitted.to_r(text)
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        ln = lines[i]
        m = _FENCE.match(ln)
        if m is None:
            out.append(_comment(ln))
            i += 1
            if _PLAIN_FENCE.match(ln):       # a plain ``` block: verbatim text, not R
                while i < len(lines) and not _PLAIN_FENCE.match(lines[i]):
                    out.append(_comment(lines[i]))
                    i += 1
                if i < len(lines):
                    out.append(_comment(lines[i]))
                    i += 1
            continue
        fence, header = m.group(2), m.group(3).strip()
        is_r = re.match(r"r\b", header) is not None
        body: list[str] = []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            body.append(lines[i])
            i += 1
        i += 1
        if not is_r:
            out += [_comment(ln) for ln in [f"```{{{header}}}", *body, "```"]]
            continue
        skip = _NOT_EVAL.search(header) or any(_NOT_EVAL.search(b) for b in body
                                               if b.lstrip().startswith("#|"))
        label = f"# ---- chunk {header[1:].strip(' ,')} ----".rstrip(" -") + " ----"
        if skip:
            out += [label + " (eval = FALSE: translated, not run)", "if (FALSE) {", *body, "}"]
        else:
            out += [label, *body, ""]
    return "\n".join(out) + "\n"


def _comment(line: str) -> str:
    return f"# {line}".rstrip() if line.strip() else ""
