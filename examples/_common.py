"""The shared tail of the example scripts: the command line (an output directory) and the
plot (matplotlib on the non-interactive Agg backend, saved at 80 dpi). Not an example."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the Agg backend (imported only when a plot is made)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_or_note(plot: Callable[..., None], *args: Any) -> None:
    """``plot(*args)`` when matplotlib can be imported; else one line saying how to get the
    plot (the optional extra ``asr_py[plot]``), so that a run without it ends after its
    printed results instead of with a ModuleNotFoundError traceback."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("\n(plot skipped: matplotlib is not installed; pip install 'asr_py[plot]')")
        return
    plot(*args)


def save_figure(fig: Any, out: Path, name: str, *, tight: bool = True) -> None:
    """Save ``fig`` as ``out/name`` at 80 dpi (cropped with ``bbox_inches="tight"`` unless
    ``tight`` is False), creating ``out``, and close it."""
    plt = pyplot()
    out.mkdir(parents=True, exist_ok=True)
    fig.savefig(out / name, dpi=80, **({"bbox_inches": "tight"} if tight else {}))
    plt.close(fig)


def parser(doc: str | None) -> argparse.ArgumentParser:
    """An argument parser described by the first line of ``doc`` (the script's docstring),
    with the optional output directory ``out`` (default ./asr_py_output)."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    ap.add_argument("out", nargs="?", type=Path, default=Path("asr_py_output"),
                    help="directory for the plot (default ./asr_py_output)")
    return ap
