"""check_fixed_size refuses X and two p x p matrices needing more than
max(MAX_DENSE_BYTES, half the free memory), and reads the free memory only when the design
is above MAX_DENSE_BYTES (a small fit, or a predict grid, pays no /proc reads)."""

from __future__ import annotations

import pytest

from asr_py.errors import ModelError
from asr_py.model import size


def _need(n: int, p: int) -> float:
    return 8.0 * n * p + 16.0 * p * p     # dense X plus two p x p matrices


@pytest.mark.parametrize("free,refused", [(None, True), (0, True), (2 * 9_000_000, True),
                                          (2 * 10_000_000, False), (10**12, False)])
def test_refused_above_the_larger_of_the_cap_and_half_the_free_memory(
        monkeypatch: pytest.MonkeyPatch, free: int | None, refused: bool) -> None:
    n, p = 1000, 100
    need = _need(n, p)                               # 960 000 bytes
    monkeypatch.setattr(size, "MAX_DENSE_BYTES", 500_000)
    monkeypatch.setattr(size, "available_bytes", lambda: None if free is None else
                        free * need / 10_000_000)    # half of it: 0.9 or 1.0 x need
    if refused:
        with pytest.raises(ModelError, match="100 columns for 1,000 records"):
            size.check_fixed_size(n, [("A", p)])
    else:
        size.check_fixed_size(n, [("A", p)])


def test_free_memory_not_read_below_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def free() -> int:
        calls.append(1)
        return 10**12

    monkeypatch.setattr(size, "available_bytes", free)
    size.check_fixed_size(100, [("A", 25)])
    assert calls == []
    monkeypatch.setattr(size, "MAX_DENSE_BYTES", 1000)
    size.check_fixed_size(100, [("A", 25)])      # above the cap: the free memory decides
    assert calls == [1]
