"""``fit.call`` reads as R's ``fit$call``: an argument the call did not name is None (R's
NULL), the ones given keep their values (asremlPlus's ``is.null(obj$call$setvparameters)``)."""

from __future__ import annotations

import pytest

import asr_py as asr
from asr_py.translate import translate


def test_call_argument_not_given_is_none(dt_example) -> None:
    m = asr.asreml("Yield ~ Env", random="~ Name", data=dt_example)
    assert m.call["setvparameters"] is None and "setvparameters" not in m.call
    assert m.call["random"] == "~ Name"
    with pytest.raises(KeyError):
        m.call[0]


def test_translated_is_null_of_a_call_component(dt_example) -> None:
    py = translate("m <- asreml(Yield ~ Env, random = ~ Name, data = d)\n"
                   "a <- is.null(m$call$setvparameters)\nb <- is.null(m$call$random)\n")
    ns = {"d": dt_example}
    exec(py, ns)
    assert ns["a"] is True and ns["b"] is False
