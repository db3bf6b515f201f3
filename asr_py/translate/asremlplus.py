"""asremlPlus for translated scripts: the functions live in :mod:`asr_py.compat.asremlplus`
(``asr.plus``); this module keeps the name translated scripts of earlier versions import."""

from __future__ import annotations

from asr_py.compat.asremlplus import AsrTests, as_asrtests

__all__ = ["AsrTests", "as_asrtests"]
