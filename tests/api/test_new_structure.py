"""A structure added from this module alone (no edit anywhere else in asr_py): registered with
its syntax and description, it parses, is explained, compiles and fits. The fit is checked
against an independent dense-V REML (numpy only): the log-likelihood at the estimates and
that the estimates maximise it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from _dense_reml import reml_loglik

import asr_py as asr
from asr_py.vcov.base import Matrix, Structure, StructureSyntax, label, register, unregister

DATA = Path(__file__).resolve().parents[1] / "data"


class ScaledIdentity(Structure):
    """``sidv(f)``: Σ = σ² I_n, one parameter ``{name}!sv``."""

    @property
    def param_names(self) -> list[str]:
        return [label(self.name, "sv", "!")]

    @property
    def param_kinds(self) -> list[str]:
        return ["variance"]

    def matrix(self, theta: np.ndarray) -> Matrix:
        return float(theta[0]) * sp.identity(self.n, format="csc")

    def derivatives(self, theta: np.ndarray) -> list[Matrix]:
        return [sp.identity(self.n, format="csc")]

    def initial(self, scale: float) -> np.ndarray:
        return np.array([float(scale)])


@pytest.fixture(scope="module")
def sidv() -> Iterator[str]:
    register("sidv", syntax=StructureSyntax(
        "test scaled identity", words="a scaled identity from a test module",
        math="s² I_{n}"))(ScaledIdentity)
    yield "sidv"
    unregister("sidv")


@pytest.fixture(scope="module")
def dt() -> pd.DataFrame:
    return pd.read_csv(DATA / "DT_example.csv",
                       dtype={c: str for c in ("Name", "Env", "Loc", "Year", "Block")})


def test_a_structure_registered_here_fits(sidv: str, dt: pd.DataFrame) -> None:
    e = asr.explain("~ sidv(Name)")
    assert "a scaled identity from a test module" in str(e)
    m = asr.asreml("Yield ~ Env", f"~ {sidv}(Name)", data=dt)
    assert m.converged
    assert list(m.varcomp.index) == ["Name!Name!sv", "units!R"]  # <term>!<factor>!<suffix>
    s2g, s2e = m.varcomp["component"].to_numpy()
    model = m.model
    y, X = model.y, np.asarray(model.X)
    Z = model.random[0].Z.toarray()
    V = lambda a, b: a * Z @ Z.T + b * np.eye(y.size)  # noqa: E731
    ll = reml_loglik(y, X, V(s2g, s2e))
    assert m.loglik == pytest.approx(ll, abs=1e-6)
    for da, db in ((1.02, 1), (0.98, 1), (1, 1.02), (1, 0.98)):  # a maximum
        assert reml_loglik(y, X, V(s2g * da, s2e * db)) < ll
    # the same model as the built-in idv (a separate implementation)
    ref = asr.asreml("Yield ~ Env", "~ idv(Name)", data=dt)
    assert m.loglik == pytest.approx(ref.loglik, abs=1e-8)
    np.testing.assert_allclose(m.varcomp["component"], ref.varcomp["component"], rtol=1e-6)


def test_unregistered_it_is_unknown_again(sidv: str) -> None:
    from asr_py.formula.functions import lookup

    assert lookup(sidv) is not None
    unregister(sidv)
    try:
        assert lookup(sidv) is None
        with pytest.raises(asr.FormulaError, match="unknown"):
            asr.compile_model("Yield ~ Env", f"~ {sidv}(Name)",
                              data=pd.DataFrame({"Yield": [1.0, 2, 3, 4], "Env": list("aabb"),
                                                 "Name": list("abab")}))
    finally:
        register("sidv", syntax=StructureSyntax(
            "test scaled identity", words="a scaled identity from a test module",
            math="s² I_{n}"))(ScaledIdentity)


def test_translate_spatial_list_follows_the_registry() -> None:
    """translate's spatial residual detection (``f(Row):g(Col)``) reads the registry: a
    structure registered here as spatial is one, an unregistered name is not; ASReml's
    spatial structures asr_py lacks (sph, sar) count too."""
    from asr_py.formula.functions import spatial_functions
    from asr_py.translate.asreml_rules import spatial_coords

    assert {"ar1", "ar1v", "ma2h", "expv", "gau", "sph", "sarv", "iexp"} <= spatial_functions()
    assert not {"us", "idv", "diag", "own", "xfa", "sidv2"} & spatial_functions()
    assert spatial_coords("~ ar1(Row):ar1v(Col)") == ("Row", "Col")
    assert spatial_coords("~ sidv2(Row):idv(Col)") is None
    register("sidv2", syntax=StructureSyntax("test spatial", words="a spatial test structure",
                                             math="s² I_{n}", spatial=True))(ScaledIdentity)
    try:
        assert "sidv2" in spatial_functions()
        assert spatial_coords("~ sidv2(Row):idv(Col)") == ("Row", "Col")
    finally:
        unregister("sidv2")
    assert "sidv2" not in spatial_functions()
