"""Direct products of several variance structures: only the product of their scales is
estimable (c·Σ₁ ⊗ Σ₂/c = Σ₁ ⊗ Σ₂), so the compiler holds the first variance of every
variance structure after the first at 1 and says so."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def dt() -> pd.DataFrame:
    return pd.read_csv(DATA / "DT_example.csv",
                       dtype={c: str for c in ("Name", "Env", "Loc", "Year", "Block")})


def test_second_scale_is_held_at_one(dt):
    m = asr.compile_model("Yield ~ Env", random="~ diag(Env):idh(Block)", data=dt)
    sv = m.start_values()
    n_env, n_block = dt["Env"].nunique(), dt["Block"].nunique()
    assert len(sv) == n_env + n_block + 1
    held = sv[sv["Constraint"] == "F"]
    assert list(held["Component"]) == [m.param_names[n_env]]
    assert held["Value"].tolist() == [1.0]
    assert any("is held at 1" in w and "confounded" in w for w in m.warnings)
    # one variance structure: nothing held
    m1 = asr.compile_model("Yield ~ Env", random="~ diag(Env):Block", data=dt)
    assert "F" not in m1.start_values()["Constraint"].tolist()


def test_idv_scale_held_gives_the_single_structure_fit(dt):
    """diag(Env):idv(Name) with idv's variance held at 1 is the model diag(Env):Name."""
    a = asr.asreml("Yield ~ Env", random="~ diag(Env):idv(Name)", data=dt)
    b = asr.asreml("Yield ~ Env", random="~ diag(Env):Name", data=dt)
    assert a.converged and b.converged
    assert a.loglik == pytest.approx(b.loglik, abs=1e-6)
    va = a.varcomp["component"]
    np.testing.assert_allclose(va[va.index.str.contains("Env_")],
                               b.varcomp["component"].iloc[:3], rtol=1e-5)


def _crossed(seed: int = 3) -> pd.DataFrame:
    """u_abc ~ N(0, s_a · t_b) for sites a (3), groups b (4), lines c (25); 2 records each."""
    rng = np.random.default_rng(seed)
    s, t = np.array([1.0, 2.0, 4.0]), np.array([0.5, 1.0, 1.5, 3.0])
    rows = []
    for a in range(3):
        for b in range(4):
            u = rng.normal(0, np.sqrt(s[a] * t[b]), 25)
            for c in range(25):
                for _ in range(2):
                    rows.append((f"S{a}", f"G{b}", f"L{c}", 10 + a + u[c] + rng.normal()))
    return pd.DataFrame(rows, columns=["site", "group", "line", "y"])


def test_product_of_two_diag_structures_is_identified():
    """diag(site):idh(group):line: 3 + 4 − 1 free scales; the AI matrix of the free
    parameters is non-singular (standard errors exist) and the fit is at least as good as
    the nested diag(site):group:line (all group scales equal)."""
    df = _crossed()
    full = asr.asreml("y ~ site", random="~ diag(site):idh(group):line", data=df)
    nested = asr.asreml("y ~ site", random="~ diag(site):group:line", data=df)
    assert full.converged and nested.converged
    vc = full.varcomp
    assert (vc["bound"] == "F").sum() == 1 and (vc["bound"] == "P").sum() == 3 + 3 + 1
    assert np.all(np.isfinite(vc.loc[vc["bound"] == "P", "std.error"]))
    assert full.loglik >= nested.loglik - 1e-6
    assert not any("Singularity" in d for d in full.diagnostics)
