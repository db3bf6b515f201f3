"""How many BLAS threads a fit uses: the cores actually free, not every core.

A multi-threaded BLAS on a busy machine loses more to threads waiting for a core than it gains
(the 2-thread eigendecomposition of a 2 000 x 2 000 G: 21.8 s with the cores busy, 1.8 s on a
quiet machine; a 400-line GBLUP fit: 2.1 s against 0.10 s with one thread). So

    free = (cores this process may run on, os.sched_getaffinity)
           − (1-minute load average, os.getloadavg, less the one this fit itself adds)

rounded down, at least 1 and at most the allowed cores; small problems use one thread
regardless (thread hand-offs cost more than they gain below :data:`MIN_PARALLEL`
equations). ``ASR_PY_BLAS_THREADS`` (an integer) overrides the choice.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any

#: below this many equations (or levels of K) BLAS runs on one thread
MIN_PARALLEL = 1500


def allowed_cores() -> int:
    """Cores this process may run on (its CPU affinity; os.cpu_count() where unsupported)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def free_cores(load: float | None = None, cores: int | None = None) -> int:
    """Cores not busy with other work: allowed cores − (load − 1), clipped to [1, cores].
    ``load``: the 1-minute load average (read from the OS when None; unknown counts as 0)."""
    cores = allowed_cores() if cores is None else max(1, int(cores))
    if load is None:
        try:
            load = os.getloadavg()[0]
        except (AttributeError, OSError):
            load = 0.0
    busy = max(0.0, float(load) - 1.0)  # this fit is (about) one of the running tasks
    return int(min(cores, max(1, int(cores - busy))))


def blas_threads(size: int) -> int:
    """BLAS threads for a problem of ``size`` equations / levels (see the module doc)."""
    env = os.environ.get("ASR_PY_BLAS_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    return 1 if size < MIN_PARALLEL else free_cores()


#: the BLAS thread-pool controller and the ``len(sys.modules)`` it was made at
_CONTROLLER: tuple[int, Any] | None = None


def blas_controller() -> Any:
    """threadpoolctl's controller of the loaded BLAS libraries, made once and reused.

    Making one scans the process's loaded libraries (/proc/self/maps: 4 ms of CPU and ~12 ms
    of wall time with pandas and pyarrow loaded, more than a small fit's REML iterations).
    It is made again when ``sys.modules`` has grown or shrunk since, which is how a new BLAS
    arrives (importing numpy, scipy, torch, ...). Thread counts are read live at each use.
    """
    global _CONTROLLER
    key = len(sys.modules)
    if _CONTROLLER is None or _CONTROLLER[0] != key:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = (key, ThreadpoolController().select(user_api="blas"))
    return _CONTROLLER[1]


@contextlib.contextmanager
def blas_limit(threads: int) -> Iterator[int]:
    """Run the block with BLAS (OpenBLAS/MKL/BLIS) limited to ``threads`` threads (the
    previous limits restored after it)."""
    with blas_controller().limit(limits=threads, user_api="blas"):
        yield threads
