"""Model functions' leading arguments written by name, as R matches them (ASReml-R 4's
argument lists): ``vm(g, source = K)``, ``ide(g, source = K)`` / ``ide(g, K)``,
``str(form = ~ ..., vmodel = ~ ...)`` (``form`` is R's partial match of ``formula``).

Corpus: jendelman/StageWise, rdcoletta/genomic_prediction_svs (``vm(genotype, source =
ginv)``), carysvjones/wytham_pedigree (``ide(Mother, ped_data_inv)``),
neyhartj/mixed_model_applications (``str(form = , vmodel = )``): all refused before.

Checked against the REML optimum of a dense V = σ²_a K_Z + σ²_m I_Z + σ²_e I built in numpy
(tests/_dense_reml.py), not against another asr_py fit alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import FormulaError
from asr_py.formula import parse_formula
from tests._dense_reml import fit_dense, indicator


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(29)
    ids = [f"a{k}" for k in range(12)]
    m = rng.standard_normal((12, 40))
    K = pd.DataFrame(m @ m.T / 40 + 0.1 * np.eye(12), index=ids, columns=ids)
    mother = rng.choice(ids, 72)
    d = pd.DataFrame({"mother": mother, "env": np.tile(["E1", "E2", "E3"], 24)})
    u = np.linalg.cholesky(K.to_numpy()) @ rng.standard_normal(12)
    d["y"] = (np.array([u[ids.index(v)] for v in mother]) + 0.7 * rng.standard_normal(12)[
        [ids.index(v) for v in mother]] + rng.standard_normal(72)
        + (d.env == "E2") * 0.5)
    return d, K


@pytest.mark.parametrize("text, canonical", [
    ("~ vm(g, source = K)", "~ vm(g, K)"),
    ("~ vm(g, source = K, singG = 'PSD')", "~ vm(g, K, singG = 'PSD')"),
    ("~ vm(source = K, g)", "~ vm(g, K)"),
    ("~ vm(obj = g, K)", "~ vm(g, K)"),
    ("~ ide(g, source = K)", "~ ide(g, K)"),
    ("~ str(form = ~ a + a:x, vmodel = ~ us(2):id(a))", "~ str(~ a + a:x, ~ us(2):id(a))"),
    ("~ str(vmodel = ~ us(2):id(a), ~ a + a:x)", "~ str(~ a + a:x, ~ us(2):id(a))"),
])
def test_named_leading_arguments_read_as_positions(text: str, canonical: str) -> None:
    assert str(parse_formula(text, "random")) == str(parse_formula(canonical, "random"))


def test_other_names_are_still_checked() -> None:
    with pytest.raises(FormulaError, match=r"vm\(\) has no argument 'foo'") as e:
        asr.parse_model("y ~ 1", "~ vm(g, source = K, foo = 1)")
    assert "^" in str(e.value) and "init, singG" in str(e.value)
    with pytest.raises(FormulaError, match="positional argument"):
        asr.parse_model("y ~ 1", "~ vm(g, source = K, source = K)")


def test_vm_source_and_ide_matrix_fit_dense_reml(data) -> None:
    """~ vm(mother, source = K) + ide(mother, K): the maternal genetic + permanent maternal
    model; ℓ and σ² equal the dense-V REML optimum, and the ide(mother) of asreml 4 (ids of
    the vm term) is the same model."""
    d, K = data
    named = asr.asreml("y ~ env", random="~ vm(mother, source = K) + ide(mother, K)", data=d,
                       K=K)
    plain = asr.asreml("y ~ env", random="~ vm(mother, K) + ide(mother)", data=d, K=K)
    assert named.converged and plain.converged
    assert named.loglik == pytest.approx(plain.loglik, abs=1e-9)
    assert list(named.varcomp.index) == ["vm(mother, K)", "ide(mother, K)", "units!R"]
    ids = list(K.index)
    Z = indicator(d.mother, ids)
    Kz, Iz = Z @ K.to_numpy() @ Z.T, Z @ Z.T
    X = np.column_stack([np.ones(len(d)), d.env == "E2", d.env == "E3"]).astype(float)
    y = d.y.to_numpy()

    def build(t: np.ndarray) -> np.ndarray | None:
        return None if min(t) <= 0 else t[0] * Kz + t[1] * Iz + t[2] * np.eye(len(d))

    t, ll = fit_dense(y, X, build, [np.array([0.5, 0.3, 1.0]), np.array([1.0, 0.1, 0.8])])
    assert named.loglik == pytest.approx(ll, abs=1e-6)
    np.testing.assert_allclose(named.varcomp.component.to_numpy(), t, rtol=2e-3, atol=1e-4)


def test_ide_matrix_ids_are_its_levels(data) -> None:
    """ide(mother, K) alone: one effect per id of K (even an id without records), iid — the
    same ℓ as the plain factor when every id has records; K's values are not used."""
    d, K = data
    ide = asr.asreml("y ~ env", random="~ ide(mother, K)", data=d, K=K)
    fac = asr.asreml("y ~ env", random="~ mother", data=d)
    assert ide.loglik == pytest.approx(fac.loglik, abs=1e-9)
    K2 = K.copy() * 7.0  # another matrix with the same ids: the same model
    ide2 = asr.asreml("y ~ env", random="~ ide(mother, K2)", data=d, K2=K2)
    assert ide2.loglik == pytest.approx(ide.loglik, abs=1e-9)
    extra = pd.DataFrame(np.eye(13), index=[*K.index, "zz"], columns=[*K.index, "zz"])
    m = asr.asreml("y ~ env", random="~ ide(mother, E)", data=d, E=extra)
    assert len(m.coef_random) == 13


def test_ide_matrix_errors_name_it(data) -> None:
    d, K = data
    with pytest.raises(FormulaError, match="matrix 'Q' is not given") as e:
        asr.asreml("y ~ env", random="~ ide(mother, Q)", data=d)
    assert "^" in str(e.value)
    with pytest.raises(FormulaError, match="by name, not as the string"):
        asr.asreml("y ~ env", random='~ ide(mother, "K")', data=d, K=K)
    short = K.iloc[:5, :5]
    with pytest.raises(asr.AsrError, match="not ids of the matrix"):
        asr.asreml("y ~ env", random="~ ide(mother, S)", data=d, S=short)


def test_str_form_vmodel_fits_as_positional() -> None:
    rng = np.random.default_rng(3)
    d = pd.DataFrame({"g": np.repeat([f"g{i}" for i in range(10)], 5),
                      "x": np.tile(np.arange(5.0), 10)})
    d["y"] = rng.standard_normal(50) + np.repeat(rng.standard_normal(10), 5)
    a = asr.asreml("y ~ x", random="~ str(~ g + g:x, ~ us(2):id(g))", data=d)
    b = asr.asreml("y ~ x", random="~ str(form = ~ g + g:x, vmodel = ~ us(2):id(g))", data=d)
    assert a.loglik == pytest.approx(b.loglik, abs=1e-10)


@pytest.mark.parametrize("text, canonical", [
    ("~ corgh(site, c(0.5, 1, 2)):g", "~ corgh(site, init = c(0.5, 1, 2)):g"),
    ("~ idv(g, 0.5)", "~ idv(g, init = 0.5)"),
    ("~ ar1v(t, c(0.3, 1)):site", "~ ar1v(t, init = c(0.3, 1)):site"),
    ("~ fa(site, 2):g", "~ fa(site, 2):g"),          # fa's second argument is its order
    ("~ corb(site, 1):g", "~ corb(site, 1):g"),
])
def test_positional_init_of_one_factor_structures(text: str, canonical: str) -> None:
    """R's ``idv(obj, init = NA)``: a second positional argument is init."""
    assert str(parse_formula(text, "random")) == str(parse_formula(canonical, "random"))


def test_positional_init_fits_as_named() -> None:
    rng = np.random.default_rng(5)
    d = pd.DataFrame({"site": np.repeat(["A", "B", "C"], 20),
                      "g": np.tile([f"g{i}" for i in range(10)], 6)})
    d["y"] = rng.standard_normal(60) + np.tile(rng.standard_normal(10), 6)
    a = asr.asreml("y ~ site", random="~ corv(site, init = c(0.4, 0.9)):g", data=d, maxit=1)
    b = asr.asreml("y ~ site", random="~ corv(site, c(0.4, 0.9)):g", data=d, maxit=1)
    assert a.loglik == pytest.approx(b.loglik, abs=1e-12)
    c = asr.asreml("y ~ site", random="~ corv(site):g", data=d, maxit=1)
    assert abs(c.loglik - a.loglik) > 1e-6    # the init was used (one iteration from it)
    with pytest.raises(FormulaError, match="init for corv"):
        asr.asreml("y ~ site", random="~ corv(site, c(0.4, 0.9, 1)):g", data=d)


@pytest.mark.parametrize("text", ["~ vs(gen)", "~ vsm(usm(trait), ism(gen))",
                                  "~ vsr(dsm(env), gen)"])
def test_sommer_syntax_is_named_with_the_asreml_form(text: str) -> None:
    with pytest.raises(FormulaError, match="unknown ASReml function") as e:
        asr.parse_model("y ~ 1", text)
    assert "^" in str(e.value) and "sommer's syntax" in str(e.value) \
        and "us(trait):gen" in str(e.value)


def test_vm_third_positional_is_singG(data) -> None:
    """R's vm(obj, source, singG): a third positional argument is singG (it was ignored, so
    vm(g, K, 'NSD') fitted silently as a positive definite K)."""
    d, K = data
    x = np.linspace(-1, 1, 12)
    S = pd.DataFrame(np.outer(x, x) + np.outer(x**2, x**2), index=K.index, columns=K.columns)
    named = asr.asreml("y ~ env", random="~ vm(mother, S, singG = 'PSD')", data=d, S=S)
    pos = asr.asreml("y ~ env", random="~ vm(mother, S, 'PSD')", data=d, S=S)
    assert pos.loglik == pytest.approx(named.loglik, abs=1e-10)
    with pytest.raises(FormulaError, match="singG = 'NSD'") as e:
        asr.asreml("y ~ env", random="~ vm(mother, K, 'NSD')", data=d, K=K)
    assert "^" in str(e.value)
    with pytest.raises(FormulaError, match="singG = 3 is not an option"):
        asr.asreml("y ~ env", random="~ vm(mother, K, 3)", data=d, K=K)


def test_init_of_a_part_without_parameters_starts_the_term_variance(data) -> None:
    """vm(g, K, init = v), pol(x, k, init = v):f, ped(g, init = v): init is the start value
    of the term's one variance (it was silently ignored). Checked on the start-values table
    (the value given, not the default), then the converged fit is the same optimum (ℓ and
    σ² equal the fit without init) and the names carry no init."""
    d, K = data
    d = d.assign(x=np.tile([1.0, 2.0, 3.0, 4.0], 18))
    sv = asr.asreml("y ~ env", random="~ vm(mother, K, init = 2.5) + pol(x, 1, init = 0.2):env",
                    data=d, K=K, start_values=True)
    assert sv.set_index("Component").loc["vm(mother, K)", "Value"] == 2.5
    assert sv.set_index("Component").loc["pol(x, 1):env", "Value"] == 0.2
    a = asr.asreml("y ~ env", random="~ vm(mother, K, init = 2.5)", data=d, K=K)
    b = asr.asreml("y ~ env", random="~ vm(mother, K)", data=d, K=K)
    assert a.converged and b.converged
    assert a.loglik == pytest.approx(b.loglik, abs=1e-7)
    assert list(a.varcomp.index) == list(b.varcomp.index) == ["vm(mother, K)", "units!R"]
    one = asr.asreml("y ~ env", random="~ vm(mother, K, init = 2.5)", data=d, K=K, maxit=1)
    two = asr.asreml("y ~ env", random="~ vm(mother, K)", data=d, K=K, maxit=1)
    assert abs(one.loglik - two.loglik) > 1e-6       # one iteration from another start
    ped = pd.DataFrame({"id": list(K.index), "sire": ["0"] * 6 + ["a0"] * 6,
                        "dam": ["0"] * 6 + ["a1"] * 6})
    sp_ = asr.asreml("y ~ env", random="~ ped(mother, init = 0.7)", data=d, pedigree=ped,
                     start_values=True)
    assert sp_.set_index("Component").loc["ped(mother)", "Value"] == 0.7


def test_init_errors_and_ped_var_false(data) -> None:
    d, K = data
    with pytest.raises(FormulaError, match="has 2 values, the term has one variance") as e:
        asr.asreml("y ~ env", random="~ vm(mother, K, init = c(1, 2))", data=d, K=K)
    assert "^" in str(e.value)
    with pytest.raises(FormulaError, match="nothing to start"):
        asr.asreml("y ~ env", random="~ us(env):vm(mother, K, init = 1)", data=d, K=K)
    ped = pd.DataFrame({"id": list(K.index), "sire": "0", "dam": "0"})
    with pytest.raises(FormulaError, match=r"ped\(var = FALSE\) is not supported") as e:
        asr.asreml("y ~ env", random="~ ped(mother, var = F)", data=d, pedigree=ped)
    assert "^" in str(e.value)
    ok = asr.asreml("y ~ env", random="~ ped(mother, var = T)", data=d, pedigree=ped)
    assert ok.converged
