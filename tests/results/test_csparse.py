"""asreml's Csparse (``asreml.options(Csparse = ~ G + z1:G)``): the cells of C⁻¹ within each
term's block, checked against the inverse of the mixed-model coefficient matrix built here
in numpy from the fitted variance parameters (Henderson's C over [β; u] with R and G on
their absolute scale, so C⁻¹ holds Var(β̂) and the PEVs), and the translation of the
option and of ``fit$Csparse`` / ``fit[["Csparse"]]`` (m-hrachov's 'Proof that asreml C_inv
is similar to ours.R')."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import AsrError

NG, NE = 8, 6


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    d = pd.DataFrame([(g, e) for g in range(NG) for e in range(NE)], columns=["G", "E"])
    z = rng.normal(size=NE)
    a, b = rng.normal(0, 1.0, NG), rng.normal(0, 0.7, NG)
    env = rng.normal(0, 1.5, NE)
    d["z1"] = z[d["E"]]
    d["y"] = 5 + 0.5 * d["z1"] + a[d["G"]] + b[d["G"]] * d["z1"] + env[d["E"]] + \
        rng.normal(0, 0.5, len(d))
    d["G"] = pd.Categorical("g" + d["G"].astype(str))
    d["E"] = pd.Categorical("e" + d["E"].astype(str))
    return d.drop(index=[3, 17, 30]).reset_index(drop=True)      # unbalanced


def _fit() -> asr.AsremlFit:
    return asr.asreml("y ~ z1", random="~ str(~G + z1:G, ~us(2):id(G)) + E", data=_data())


def _dense_cinv(m: asr.AsremlFit) -> np.ndarray:
    """C⁻¹ of [X'R⁻¹X, X'R⁻¹Z; Z'R⁻¹X, Z'R⁻¹Z + G⁻¹] with Z = [Z_G, Z_{z1:G}, Z_E] and
    G = blockdiag(Σ ⊗ I_G, σ²_E I), R = σ² I, from the fit's variance components."""
    d = _data()
    vc = m.varcomp["component"]
    s = np.array([[vc["G+z1:G!us(2)_1:1"], vc["G+z1:G!us(2)_2:1"]],
                  [vc["G+z1:G!us(2)_2:1"], vc["G+z1:G!us(2)_2:2"]]])
    zg = pd.get_dummies(d["G"]).to_numpy(float)
    ze = pd.get_dummies(d["E"]).to_numpy(float)
    X = np.column_stack([np.ones(len(d)), d["z1"]])
    Z = np.hstack([zg, zg * d["z1"].to_numpy()[:, None], ze])
    G = np.zeros((2 * NG + NE, 2 * NG + NE))
    G[:2 * NG, :2 * NG] = np.kron(s, np.eye(NG))
    G[2 * NG:, 2 * NG:] = vc["E"] * np.eye(NE)
    ri = np.eye(len(d)) / vc["units!R"]
    C = np.block([[X.T @ ri @ X, X.T @ ri @ Z], [Z.T @ ri @ X, Z.T @ ri @ Z + np.linalg.inv(G)]])
    return np.linalg.inv(C)


def _dense_block(cs: pd.DataFrame, term: str, k: int) -> np.ndarray:
    sub = cs.loc[[term]]
    out = np.zeros((k, k))
    out[sub["row"] - 1, sub["column"] - 1] = sub["Cij"]
    return out + np.tril(out, -1).T


def test_csparse_is_the_inverse_coefficient_matrix() -> None:
    m = _fit()
    assert m.varcomp.loc["E", "bound"] == "P"          # interior: G is invertible
    cinv = _dense_cinv(m)
    cs = m.csparse("~ G + z1:G + E")
    assert list(dict.fromkeys(cs.index)) == ["G", "z1:G", "E"]
    assert list(cs.columns) == ["row", "column", "Cij"]
    assert (cs["row"] >= cs["column"]).all()           # the lower triangle, from 1
    assert len(cs.loc[["G"]]) == NG * (NG + 1) // 2
    p = 2
    for term, lo, k in (("G", p, NG), ("z1:G", p + NG, NG), ("E", p + 2 * NG, NE)):
        np.testing.assert_allclose(_dense_block(cs, term, k), cinv[lo:lo + k, lo:lo + k],
                                   rtol=1e-6, atol=1e-10)
    # the diagonal of a random term's block is its PEV: std.error² of its BLUPs
    se = m.coef_random["std.error"].to_numpy()
    g = cs.loc[["G"]]
    np.testing.assert_allclose(g.loc[g["row"] == g["column"], "Cij"], se[:NG] ** 2, rtol=1e-8)
    # a fixed term: Var(beta-hat), as Cfixed
    z = m.csparse(["z1"])
    assert z["Cij"].iloc[0] == pytest.approx(cinv[1, 1], rel=1e-6)


def test_csparse_unknown_term_says_which() -> None:
    with pytest.raises(AsrError, match="Gx is not a term"):
        _fit().csparse("~ Gx")


def test_csparse_option_translated_per_fit() -> None:
    """asreml.options(Csparse = ) holds for the fits made while it is set; fit[["Csparse"]]
    and fit$Csparse are the same; a fit made with no Csparse has NULL there."""
    py = asr.translate("""
m0 <- asreml(y ~ z1, random = ~ E, data = d)
asreml.options(Csparse = ~ G + z1:G)
m <- asreml(y ~ z1, random = ~ str(~G + z1:G, ~us(2):id(G)) + E, data = d)
asreml.options(Csparse = ~ E)
m2 <- asreml(y ~ z1, random = ~ E, data = d)
a <- m[["Csparse"]]
b <- m$Csparse
c2 <- m2$Csparse
n0 <- is.null(m0$Csparse)
""")
    assert "untranslated(" not in py
    ns: dict = {"d": _data()}
    exec(compile(py, "<translated>", "exec"), ns)  # noqa: S102
    a, b, c2 = ns["a"], ns["b"], ns["c2"]
    assert list(dict.fromkeys(a.index)) == ["G", "z1:G"]
    pd.testing.assert_frame_equal(a, b)
    assert list(dict.fromkeys(c2.index)) == ["E"] and len(c2) == NE * (NE + 1) // 2
    assert ns["n0"]
