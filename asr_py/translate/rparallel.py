"""Parallel apply functions of R packages (parallel, pbapply, future.apply, BiocParallel)
read as their serial ``lapply``/``sapply``: the translated script runs them one element
after the other, with the same values (R's parallel apply returns what lapply returns;
only the worker options differ, and those are dropped).

``mclapply(X, FUN, ..., mc.cores = 23)``, ``pblapply(X, FUN, ..., cl = cl)``,
``future_lapply(X, FUN, ..., future.seed = TRUE)``, ``bplapply(X, FUN, ..., BPPARAM = p)``
-> ``lapply(X, FUN, ...)``; ``parLapply(cl, X, fun, ...)`` / ``parSapply(cl, X, FUN, ...)``
-> ``lapply``/``sapply`` without the cluster; ``pbsapply``/``future_sapply`` -> ``sapply``.
"""
from __future__ import annotations

from dataclasses import replace

from .parser import R

#: parallel apply -> (serial apply, takes a cluster as its first argument)
PARALLEL_APPLY: dict[str, tuple[str, bool]] = {
    "mclapply": ("lapply", False),
    "pblapply": ("lapply", False),
    "future_lapply": ("lapply", False),
    "bplapply": ("lapply", False),
    "pbsapply": ("sapply", False),
    "future_sapply": ("sapply", False),
    "parLapply": ("lapply", True),
    "parLapplyLB": ("lapply", True),
    "parSapply": ("sapply", True),
    "parSapplyLB": ("sapply", True),
}

#: worker options of those functions (R's names; ``mc.*`` of mclapply by prefix)
_WORKER_ARGS = {"cl", "BPPARAM", "BPREDO", "BPOPTIONS", "chunk.size", "future.seed",
                "future.globals", "future.packages", "future.scheduling", "future.chunk.size",
                "future.stdout", "future.conditions", "future.label", "future.lazy"}


def as_serial(e: R) -> R | None:
    """The serial apply call standing for the parallel apply call ``e``; None when ``e`` is
    not one (or its cluster argument cannot be told apart)."""
    if e.kind != "call" or e.value not in PARALLEL_APPLY:
        return None
    serial, has_cluster = PARALLEL_APPLY[e.value]
    args = list(e.args)
    if has_cluster:      # parLapply(cl, X, fun, ...): drop the cluster
        named = [i for i, (n, _) in enumerate(args) if n == "cl"]
        pos = [i for i, (n, _) in enumerate(args) if n is None]
        if not named and not pos:
            return None
        drop = named[0] if named else pos[0]
        # the function is named fun there (lapply's FUN)
        args = [("FUN" if n == "fun" else n, a) for i, (n, a) in enumerate(args) if i != drop]
    args = [(n, a) for n, a in args if not (n and (n in _WORKER_ARGS or n.startswith("mc.")))]
    return replace(e, value=serial, args=args)
