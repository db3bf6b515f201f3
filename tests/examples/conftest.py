"""Loading the scripts of examples/ (and scripts/) as modules for the example tests."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def load_module(path: Path) -> ModuleType:
    """The Python file ``path`` executed as a module named after it, with its folder
    importable meanwhile (the examples import their shared ``_common`` helpers)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.path.remove(str(path.parent))
    return mod


@pytest.fixture(scope="session")
def load_example() -> Callable[[str], ModuleType]:
    """``load_example(name)``: examples/<name>.py as a module."""
    return lambda name: load_module(EXAMPLES / f"{name}.py")
