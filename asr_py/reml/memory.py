"""Memory: what is available, what a dense step needs, and the peak a fit reached.

* :func:`available_bytes`: ``MemAvailable`` of /proc/meminfo, lowered to the room left under a
  cgroup (v2 ``memory.max`` - ``memory.current``, v1 ``limit_in_bytes`` - ``usage_in_bytes``)
  when there is one; ``ASR_PY_MEMORY_LIMIT`` (bytes, or with a K/M/G/T suffix) overrides it.
  None where nothing is known (then no step is refused).
* :func:`check_dense`: before a dense n x n step (8 n² bytes per copy), raise a
  :class:`~asr_py.errors.ModelError` with the estimate when it cannot fit, instead of
  swapping for hours or being killed by the OOM killer.
* :func:`release_free_memory`: give the heap's free pages back to the system (glibc
  ``malloc_trim``) after a stage that built and dropped many temporaries of a few MB each
  (below glibc's adaptive mmap threshold they come from the heap, and the freed ones stay in
  the resident set: 100-300 MB of a 10^6-record crossed fit's C pattern);
* :func:`map_large_arrays`: glibc's mmap threshold fixed (4 MiB) for a large fit, so that
  every array above it is its own mapping, returned to the system when freed. Left dynamic,
  glibc raises the threshold to the size of each freed mapped block (up to 32 MiB): after
  that, arrays of a few MB come from the heap and the freed ones fragment it (issue 16: the
  10^6-record a+b+c fit's resident set grew by ~130 MiB across its evaluations).
* :func:`reset_peak` / :func:`peak_bytes`: the process's peak resident set (VmHWM of
  /proc/self/status, which writing '5' to /proc/self/clear_refs resets, so the peak is the
  fit's own; ``ru_maxrss`` — the whole process's life — where that is not available).
"""

from __future__ import annotations

import ctypes
import functools
import os
import resource
from collections.abc import Callable

from asr_py.errors import ModelError

__all__ = ["available_bytes", "check_dense", "reset_peak", "peak_bytes", "fmt_bytes",
           "release_free_memory", "map_large_arrays"]

_SUFFIX = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def _parse(text: str) -> int:
    t = text.strip().upper().removesuffix("B").removesuffix("I")
    mult = _SUFFIX.get(t[-1:], 1)
    num = t[:-1] if t[-1:] in _SUFFIX else t
    try:
        return int(float(num) * mult)
    except ValueError:
        raise ModelError(f"ASR_PY_MEMORY_LIMIT={text!r} is not a size",
                         hint="give bytes or a number with K, M, G or T, e.g. 8G") from None


def _read_int(path: str) -> int | None:
    try:
        with open(path) as fh:
            text = fh.read().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _meminfo_available() -> int | None:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _cgroup_room() -> int | None:
    for limit, usage in (("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                         ("/sys/fs/cgroup/memory/memory.limit_in_bytes",
                          "/sys/fs/cgroup/memory/memory.usage_in_bytes")):
        lim, use = _read_int(limit), _read_int(usage)
        if lim is not None and use is not None and lim < 2**60:
            return max(lim - use, 0)
    return None


def available_bytes() -> int | None:
    """Bytes this process can still allocate without swapping (None: unknown)."""
    env = os.environ.get("ASR_PY_MEMORY_LIMIT")
    if env:
        return _parse(env)
    found = [v for v in (_meminfo_available(), _cgroup_room()) if v is not None]
    return min(found) if found else None


def fmt_bytes(n: float) -> str:
    """1536 MiB -> '1.50 GiB'."""
    return f"{n / 2**30:.2f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"


def check_dense(n: int, *, copies: float, what: str, hint: str) -> None:
    """Refuse a dense step holding ``copies`` n x n float64 arrays (8 n² bytes each) when it
    needs more than :func:`available_bytes`."""
    need = 8.0 * n * n * copies
    have = available_bytes()
    if have is not None and need > have:
        raise ModelError(
            f"{what} ({n} x {n}) needs about {fmt_bytes(need)} ({copies:g} dense copies of "
            f"8 n² bytes) but only about {fmt_bytes(have)} of memory is available",
            hint=hint)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL("libc.so.6")
        fn = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    fn.argtypes, fn.restype = [ctypes.c_size_t], ctypes.c_int
    return fn


def release_free_memory() -> bool:
    """Return free heap memory to the system (glibc's ``malloc_trim(0)``; results are not
    affected, only the resident set). False where it is not available."""
    fn = _malloc_trim()
    return bool(fn(0)) if fn is not None else False


#: mallopt's M_MMAP_THRESHOLD parameter (malloc.h) and the threshold fixed for large fits
_M_MMAP_THRESHOLD, _M_TRIM_THRESHOLD = -3, -1
#: 4 MiB: above glibc's 128 KiB start, whose mmap/munmap and fresh page faults for every
#: chunk-sized temporary cost +60 % CPU on the 10^5-record a+b+c fit (2.3 -> 3.7 s); at 4 MiB
#: the fit's CPU time is the dynamic threshold's
MMAP_THRESHOLD = 4 * 2**20
#: free memory at the heap's top kept before it is given back (glibc: 128 KiB, raised with
#: the mmap threshold while that is dynamic)
TRIM_THRESHOLD = 32 * 2**20


@functools.cache
def map_large_arrays() -> bool:
    """Fix glibc's mmap threshold at :data:`MMAP_THRESHOLD` (glibc's own starting value; a
    fixed value turns its dynamic raising off) for the rest of the process, so freed large
    arrays leave the resident set at once. Results are not affected. Done once; False where
    it is not available (not glibc)."""
    try:
        fn = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    fn.argtypes, fn.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    ok = bool(fn(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    return bool(fn(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)) and ok


def reset_peak() -> bool:
    """Reset the process's peak resident set (Linux >= 4.0); False where it cannot."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def peak_bytes() -> int:
    """Peak resident set of this process since :func:`reset_peak` (VmHWM), else over the
    process's life (``ru_maxrss``)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
