"""The solver backend registry: register_backend / factorize / choose_backend / fit_reml."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from _reml_problems import penicillin

from asr_py.errors import ModelError
from asr_py.reml import fit_reml
from asr_py.reml import solver as solver_mod
from asr_py.reml.solver import (
    DenseFactor,
    available_backends,
    choose_backend,
    factorize,
    register_backend,
)


class _Counting(DenseFactor):
    """A dense factor that counts how often it is built (to see the name is passed through)."""

    calls = 0

    def __init__(self, c) -> None:
        type(self).calls += 1
        super().__init__(c)


@pytest.fixture
def counting():
    saved = dict(solver_mod._BACKENDS)
    _Counting.calls = 0
    register_backend("counting", _Counting)
    yield _Counting
    solver_mod._BACKENDS.clear()
    solver_mod._BACKENDS.update(saved)


def test_builtin_names_registered() -> None:
    assert {"dense", "sparse"} <= set(available_backends())
    c = sp.identity(4, format="csc") * 2.0
    for name in ("dense", "sparse"):
        f = factorize(c, name)
        assert f.name == name
        assert f.logdet() == pytest.approx(4 * np.log(2.0), rel=1e-14)


def test_registered_name_is_used_everywhere(counting) -> None:
    c = sp.identity(6, format="csc")
    assert choose_backend(c, "counting") == "counting"
    assert isinstance(factorize(c, "counting"), counting)
    n0 = counting.calls
    ref = fit_reml(penicillin(), solver="dense")
    res = fit_reml(penicillin(), solver="counting")
    assert counting.calls > n0
    assert res.solver == "counting"
    assert res.loglik == pytest.approx(ref.loglik, rel=1e-12)
    np.testing.assert_allclose(res.theta, ref.theta, rtol=1e-9)


def test_unknown_names_raise() -> None:
    c = sp.identity(3, format="csc")
    with pytest.raises(ValueError, match="solver"):
        choose_backend(c, "no-such-backend")
    with pytest.raises(ValueError, match="no-such-backend"):
        factorize(c, "no-such-backend")
    with pytest.raises(ModelError, match="unknown solver"):
        fit_reml(penicillin(), solver="no-such-backend")
    with pytest.raises(ValueError, match="auto"):
        register_backend("auto", DenseFactor)
    with pytest.raises(TypeError):
        register_backend("x", 3)  # type: ignore[arg-type]
