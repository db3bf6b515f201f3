"""The parameter map (asr_py.reml.params), built once by the model stage: every row and every
structure span is checked against what the compiler built independently (the parameter names
it wrote as ``<term>!<suffix>``, each term's template), and the engine's map from templates
alone agrees with it on everything the engine uses."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.reml.params import ParamMap
from asr_py.reml.problem import MixedProblem
from asr_py.vcov.base import to_dense

MODELS = [
    ("Yield ~ Env", "~ Name + Env:Name", None),
    ("Yield ~ Env", "~ corgh(Env):Name + ar1v(Block)", None),
    ("Yield ~ Env", "~ cor(Env):Name", None),
    ("Yield ~ Env", "~ diag(Env):us(Block)", None),  # a held (confounded) scale
    ("cbind(Yield, Weight) ~ trait + trait:Env", "~ us(trait):Name", "~ units:us(trait)"),
    ("cbind(Yield, Weight) ~ trait + trait:Env", "~ diag(trait):Name",
     "~ dsum(~ units:us(trait) | Env)"),
]


@pytest.fixture(scope="module", params=range(len(MODELS)))
def model(request, dt_example: pd.DataFrame):
    f, r, e = MODELS[request.param]
    return asr.compile_model(f, r, e, data=dt_example)


def test_rows_follow_the_compiled_names_kinds_and_bounds(model) -> None:
    pm = model.param_map
    assert len(pm) == model.n_params
    assert pm.names == list(model.param_names)
    assert pm.kinds == list(model.param_kinds)
    assert pm.constraints == list(model.constraints)
    lo = np.concatenate([t.lower() for t in model.templates()])
    hi = np.concatenate([t.upper() for t in model.templates()])
    np.testing.assert_array_equal(pm.lower, lo)
    np.testing.assert_array_equal(pm.upper, hi)
    for r in pm.rows:  # the compiler writes every name as <term>!<suffix>, or the scale's
        assert r.name.startswith(r.term + "!") or (r.leaf == -1 and r.name.endswith(r.term))


def test_structure_spans_hold_their_structures_parameters(model) -> None:
    pm = model.param_map
    theta = model.theta0
    covered = np.zeros(len(pm), dtype=bool)
    for s in pm.structures:
        t = s.template
        rows = pm.rows[s.start:s.stop]
        assert [r.term for r in rows] == [s.term] * t.n_params
        assert [r.index for r in rows] == list(range(t.n_params))
        assert len({r.leaf for r in rows}) == 1 and rows[0].leaf >= 0
        assert [r.kind for r in rows] == list(t.param_kinds)
        # the names end with the structure's own parameter suffixes
        assert all(r.name.endswith("!" + sfx) for r, sfx in zip(rows, t.param_names))
        assert len(s.levels) == t.n
        assert t.is_valid(theta[s.start:s.stop])
        covered[s.start:s.stop] = True
        if s.scale is not None:
            assert pm.rows[s.scale].leaf == -1 and pm.kinds[s.scale] == "variance"
            assert s.scale < s.start
    for i in np.flatnonzero(~covered):  # the rest are the terms' scales
        assert pm.rows[i].leaf == -1


def test_scale_is_carried_by_the_first_structure_of_a_term(dt_example) -> None:
    m = asr.compile_model("Yield ~ Env", "~ cor(Env):Name", data=dt_example)
    (s,) = [s for s in m.param_map.structures if not s.residual]
    assert s.scale == 0 and s.start == 1 and m.param_map.rows[0].leaf == -1
    # σ² C at θ0: the span's scale times the correlation matrix
    c = to_dense(s.template.matrix(m.theta0[s.start:s.stop]))
    np.testing.assert_allclose(np.diag(c), 1.0)


def test_dsum_rows_name_their_sections(dt_example) -> None:
    m = asr.compile_model(*MODELS[-1], data=dt_example)
    res_terms = [r.term for r in m.param_map.rows if r.term.endswith("units:trait")]
    assert sorted(set(res_terms)) == [f"Env_{e}!units:trait"
                                      for e in ("CA.2011", "CA.2012", "CA.2013")]
    sl = m.param_map.term_slice("Env_CA.2012!units:trait")
    assert all(n.startswith("Env_CA.2012!") for n in m.param_names[sl])


def test_engine_map_from_templates_agrees(model) -> None:
    p = model.problem()
    assert p.param_map is model.param_map
    q = MixedProblem(y=p.y, X=p.X, random=p.random, residual=p.residual, theta0=p.theta0,
                     constraints=p.constraints, names=p.names)
    a, b = p.param_map, q.param_map
    assert a.kinds == b.kinds and a.names == b.names
    np.testing.assert_array_equal(a.lower, b.lower)
    np.testing.assert_array_equal(a.upper, b.upper)
    assert [(s.start, s.template) for s in a.structures] == [
        (s.start, s.template) for s in b.structures]


def test_params_edit_updates_the_constraint_column(dt_example) -> None:
    m = asr.compile_model("Yield ~ Env", "~ Name", data=dt_example)
    assert m.param_map.constraints[0] == "P"
    m.apply_params(pd.DataFrame({"Component": [m.param_names[0]], "Value": [0.5],
                                 "Constraint": ["F"]}))
    assert m.param_map.constraints[0] == "F"


def test_a_map_of_the_wrong_length_is_refused(dt_example) -> None:
    p = asr.compile_model("Yield ~ Env", "~ Name", data=dt_example).problem()
    short = ParamMap(p.param_map.rows[:-1])
    with pytest.raises(ValueError, match="parameter map"):
        MixedProblem(y=p.y, X=p.X, random=p.random, residual=p.residual, theta0=p.theta0,
                     constraints=p.constraints, names=p.names, param_map=short)


def test_between_trait_mask_marks_the_trait_covariances(dt_example) -> None:
    """The staged start's mask: exactly the covariances between traits (their compiler
    names pair two different traits), none of a dsum residual's sections."""
    m = asr.compile_model(*MODELS[4], data=dt_example)  # us(trait):Name, units:us(trait)
    want = [n.endswith("trait_Weight:Yield") for n in m.param_names]
    assert sum(want) == 2 and m.cross_trait == want
    d = asr.compile_model(*MODELS[5], data=dt_example)  # diag(trait):Name, dsum residual
    assert not any(d.cross_trait) and len(d.cross_trait) == d.n_params
    u = asr.compile_model("Yield ~ Env", "~ us(Env):Name", data=dt_example)
    assert not any(u.cross_trait)  # one trait: no between-trait parameter
