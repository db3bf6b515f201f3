"""R's ``source("https://.../file.R")`` and ``read.csv("https://...")``: the file downloaded
once into a cache directory, then translated and run (source) or read as a local file.

The cache is ``$ASR_PY_SOURCE_CACHE`` (else ``~/.cache/asr_py/r_source``); a URL's file sits
at ``<cache>/<host>/<url path>`` (:func:`cache_path`), so a file put there by hand (a machine
with no network) is used as if downloaded.
"""

from __future__ import annotations

import os
import re
import urllib.error
import urllib.request
from pathlib import Path

from asr_py.errors import AsrError

#: a quoted http(s) URL in R text (what source() and the readers may download)
URL_LITERAL = re.compile(r"""["'](https?://[^"'\s]+)["']""")


def is_url(path: str) -> bool:
    """Whether ``path`` is an http(s) URL (R's source() downloads those)."""
    return bool(re.match(r"(?i)https?://", path))


def cache_dir() -> Path:
    """The folder downloaded R files are kept in (``$ASR_PY_SOURCE_CACHE`` or
    ``~/.cache/asr_py/r_source``)."""
    env = os.environ.get("ASR_PY_SOURCE_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "asr_py" / "r_source"


def cache_path(url: str, root: Path | None = None) -> Path:
    """Where ``url``'s file is kept under ``root`` (default :func:`cache_dir`):
    ``<root>/<host>/<path>`` with the query folded into the name, no ``..`` parts."""
    m = re.match(r"(?i)https?://([^/?#]+)([^?#]*)(\?[^#]*)?", url)
    if not m:
        raise AsrError(f"source(): {url!r} is not an http(s) URL")
    host, path, query = m.group(1), m.group(2), m.group(3) or ""
    parts = [re.sub(r"[^\w.+-]", "_", p) for p in path.split("/") if p not in ("", ".", "..")]
    if query:
        parts[-1:] = [(parts[-1] if parts else "index") + re.sub(r"[^\w.+-]", "_", query)]
    return (root or cache_dir()).joinpath(re.sub(r"[^\w.+-]", "_", host), *(parts or ["index"]))


def fetch_source(url: str, timeout: float = 30.0) -> Path:
    """The local copy of the file at ``url``: the cached one, else downloaded into the
    cache. A failed download raises an :class:`AsrError` naming the URL and the cache file."""
    dest = cache_path(url)
    if dest.is_file():
        return dest
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 - http(s) only
            body = r.read()
    except (urllib.error.URLError, OSError, ValueError) as err:
        raise AsrError(
            f"could not download {url!r} ({err})",
            hint=f"download it by hand to {dest} (the cache folder is set by "
                 "ASR_PY_SOURCE_CACHE), or copy the file next to the script and "
                 "source() it by name") from None
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    tmp.write_bytes(body)
    tmp.replace(dest)
    return dest


def r_url_file(url: str) -> str:
    """The local path of the file at ``url`` (downloaded into the cache once), for R's
    readers given a URL (read.csv("https://...")."""
    return str(fetch_source(url))
