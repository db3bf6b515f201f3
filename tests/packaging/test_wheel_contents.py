"""The built wheel (and sdist) hold every asr_py package of the source tree.

A package listed by hand was once left out (asr_py.reml.backends: CHOLMOD silently replaced
by SuperLU, 70x slower). The expected list is read from the tree here, so a new subpackage is
covered without editing this test. CI builds dist/ once and passes it as ASR_PY_DIST; without
it the wheel is built here (pip wheel, ~15 s).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _tree_modules() -> set[str]:
    """Every .py file of every package under asr_py/ (dirs with __init__.py), as wheel paths,
    plus the grammar installed as asr_py/grammar."""
    out: set[str] = set()
    for init in (ROOT / "asr_py").rglob("__init__.py"):
        pkg = init.parent
        if "__pycache__" in pkg.parts:
            continue
        out.update(p.relative_to(ROOT).as_posix() for p in pkg.glob("*.py"))
    out.update("asr_py/grammar/" + p.name for p in (ROOT / "grammar").glob("*.py"))
    out.update("asr_py/grammar/" + p.name for p in (ROOT / "grammar").glob("*.lark"))
    return out


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("ASR_PY_DIST")
    if given:
        return Path(given)
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w",
                    str(out), str(ROOT)], check=True, capture_output=True)
    return out


def test_tree_has_the_packages_we_know() -> None:
    pkgs = {Path(m).parent.as_posix() for m in _tree_modules()}
    assert {"asr_py", "asr_py/reml", "asr_py/reml/backends", "asr_py/grammar"} <= pkgs


def test_wheel_holds_every_package_and_the_license(dist: Path) -> None:
    (wheel,) = dist.glob("asr_py-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(_tree_modules() - names)
    assert not missing, f"not in the wheel: {missing}"
    assert "asr_py/data/DT_example.csv" in names
    meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
    meta = Parser().parsestr(zipfile.ZipFile(wheel).read(meta_name).decode())
    assert meta["License-Expression"] == "MIT"
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert any(r.startswith("scipy>=1.11") for r in meta.get_all("Requires-Dist"))


def test_sdist_holds_the_sources_when_built(dist: Path) -> None:
    sdists = list(dist.glob("asr_py-*.tar.gz"))
    if not sdists:  # the local fallback builds only the wheel; CI's dist/ has both
        assert not os.environ.get("ASR_PY_DIST"), "ASR_PY_DIST has no sdist"
        return
    with tarfile.open(sdists[0]) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    expected = {m.replace("asr_py/grammar/", "grammar/") for m in _tree_modules()}
    missing = sorted(expected - names)
    assert not missing, f"not in the sdist: {missing}"
    assert {"LICENSE", "pyproject.toml", "setup.py"} <= names
