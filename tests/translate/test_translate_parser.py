"""asr_py.translate.parser helpers used by the call modules."""
from __future__ import annotations

from asr_py.translate.parser import bind_formals, parse_expr


def _args(code: str) -> list:
    return parse_expr(code).args


def test_bind_formals_matches_names_then_positions() -> None:
    """R's matching: a named argument takes its formal wherever it stands, positional ones
    fill the remaining formals in order; an unknown name or a surplus position is None."""
    got = bind_formals(("fm", "scale", "logdet"), _args("icREML(scale = 2, m1, TRUE)"))
    assert got is not None
    assert got["fm"].value == "m1" and got["scale"].value in (2, 2.0, "2")
    assert got["logdet"].kind != "name" or got["logdet"].value == "TRUE"
    assert set(got) == {"fm", "scale", "logdet"}
    assert bind_formals(("fm", "scale"), _args("icREML(m1, k = 1)")) is None
    assert bind_formals(("fm",), _args("icREML(m1, m2)")) is None
