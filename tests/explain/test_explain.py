"""explain() validates formulas as parse_model does (same errors, same positions)."""

import pytest


def test_explain_validates_like_parse_model() -> None:
    import asr_py as asr

    with pytest.raises(asr.FormulaError, match="did you mean us") as e:
        asr.explain("~ uss(trait):id")
    assert e.value.column == 3


def test_public_functions_not_shadowed_by_their_modules() -> None:
    import importlib

    import asr_py as asr

    importlib.import_module("asr_py.explain")
    importlib.import_module("asr_py.translate")
    assert callable(asr.explain) and callable(asr.translate)
