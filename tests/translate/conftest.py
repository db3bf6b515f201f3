"""The translate tests' working folder: the bundled DT_example as DT.csv and Yates' oats
(tests/data) as oats.csv, with the current directory there while a test runs."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def workdir(tmp_path: Path):
    ref = resources.files("asr_py.data").joinpath("DT_example.csv")
    (tmp_path / "DT.csv").write_bytes(ref.read_bytes())
    (tmp_path / "oats.csv").write_bytes((ROOT / "tests" / "data" / "DT_yatesoats.csv")
                                        .read_bytes())
    old = os.getcwd()
    os.chdir(tmp_path)
    yield tmp_path
    os.chdir(old)


@pytest.fixture(autouse=True)
def _graphics_devices_closed():
    """Translated code draws R's base graphics (asr_py.translate.rgraphics): the devices a
    test opened are written and closed when it ends, as a script's exit does, so none is
    left to the next test; a test must not leave R's Rplots.pdf in the checkout (draw in
    ``workdir``)."""
    from asr_py.translate import rgraphdevice

    stray = ROOT / "Rplots.pdf"
    had = stray.exists()
    yield
    rgraphdevice.graphics_off()
    if stray.exists() and not had:
        stray.unlink()
        pytest.fail("the test drew R graphics in the checkout (Rplots.pdf): use workdir")
