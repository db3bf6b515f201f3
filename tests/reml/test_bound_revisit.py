"""reml/bound_revisit.py: which variances get a fit on their boundary face.

The rule reads the iteration path: a free variance that ended inside (code 'P') but whose
path was cut to at most VISIT_REL of its final value and of the iterate before (the
fraction-to-boundary step). Checked here on a real fit's problem and result with the path
written by hand (the expected answer follows from the definition); the face start holds the
variance at HOLD_REL x its final value from the problem's start, the rest untouched.
"""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.reml.bound_revisit import HOLD_REL, MAX_FACES, revisit_starts, visited


@pytest.fixture(scope="module")
def fitted() -> tuple:
    rng = np.random.default_rng(2)
    g = np.repeat(np.arange(12), 4)
    h = np.tile(np.arange(4), 12)
    y = rng.normal(0, 1.5, 12)[g] + rng.normal(0, 0.8, 4)[h] + rng.normal(0, 1.0, g.size)
    d = pd.DataFrame({"g": pd.Categorical(g), "h": pd.Categorical(h), "y": y})
    fit = asr.asreml("y ~ 1", random="~ g + h", data=d)
    assert fit.converged
    return fit.model.problem(), fit.result


def _with_path(res, path: np.ndarray, **changes):
    hist = [{"iteration": i, "theta": th} for i, th in enumerate(path)]
    return replace(res, history=hist, **changes)


def test_a_variance_cut_to_its_bound_that_came_back_is_visited(fitted) -> None:
    problem, res = fitted
    th = np.asarray(res.theta, dtype=float)
    path = np.array([th * 3, th * 2, th * 2, th, th])
    path[2, 1] = path[1, 1] * 1e-3          # the fraction-to-boundary cut of 'h'
    r = _with_path(res, path)
    assert visited(problem, r) == [1]
    (theta, cons, k), = revisit_starts(problem, r)
    assert k == 1 and cons[1] == "F" and theta[1] == pytest.approx(HOLD_REL * th[1])
    keep = [j for j in range(th.size) if j != 1]
    np.testing.assert_array_equal(theta[keep], np.asarray(problem.theta0)[keep])
    assert [c for j, c in enumerate(cons) if j != 1] == [
        c for j, c in enumerate(problem.constraints) if j != 1]


def test_a_slow_decline_a_bound_code_or_an_unconverged_fit_is_not_visited(fitted) -> None:
    problem, res = fitted
    th = np.asarray(res.theta, dtype=float)
    # small, but never cut by VISIT_REL in one step: no face fit
    slow = np.array([th * 10.0 ** -k for k in (0, 1, 2, 3)] + [th])
    assert visited(problem, _with_path(res, slow)) == []
    cut = np.array([th * 2, th * 2, th, th])
    cut[1, 0] = 2e-3 * th[0]
    assert visited(problem, _with_path(res, cut)) == [0]
    ended_b = list(res.constraints)
    ended_b[0] = "B"
    assert visited(problem, _with_path(res, cut, constraints=ended_b)) == []
    assert visited(problem, _with_path(res, cut, converged=False)) == []


def test_at_most_max_faces_deepest_first(fitted) -> None:
    problem, res = fitted
    th = np.asarray(res.theta, dtype=float)
    path = np.array([th * 2, th * 2, th, th])
    path[1, 0] = 1e-3 * th[0]
    path[1, 1] = 1e-5 * th[1]
    starts = revisit_starts(problem, _with_path(res, path))
    assert [k for _, _, k in starts] == [1, 0][:MAX_FACES]


@pytest.fixture(scope="module")
def fitted_idh() -> tuple:
    rng = np.random.default_rng(5)
    f = np.tile(np.arange(3), 40)
    g = np.repeat(np.arange(20), 6)
    y = rng.normal(0, 1.0, (20, 3))[g, f] * np.array([0.8, 1.2, 1.6])[f] + rng.normal(
        0, 1.0, g.size)
    d = pd.DataFrame({"f": pd.Categorical(f), "g": pd.Categorical(g), "y": y})
    fit = asr.asreml("y ~ f", random="~ idh(f):g", data=d)
    assert fit.converged and all(c == "P" for c in fit.result.constraints)
    return fit.model.problem(), fit.result


def test_a_step_that_cut_the_whole_template_is_not_a_face(fitted_idh) -> None:
    # s34fa: one step holding every variance of idh(f) on its bound (a start whose scale is
    # far too large) is no sign for one variance's face; the residual is another template
    problem, res = fitted_idh
    th = np.asarray(res.theta, dtype=float)
    idh = list(range(problem.slices()[0].start, problem.slices()[0].stop))
    assert len(idh) == 3
    path = np.array([th * 5, th * 5, th * 2, th, th])
    path[2, idh] = 1e-12 * path[1, idh]            # the whole template, one step
    assert visited(problem, _with_path(res, path)) == []
    assert revisit_starts(problem, _with_path(res, path)) == []
    alone = path.copy()
    alone[2, idh[1:]] = path[1, idh[1:]]           # only the first variance cut there
    assert visited(problem, _with_path(res, alone)) == [idh[0]]
    again = np.vstack([path, th])
    again[4, idh[1]] = 1e-3 * th[idh[1]]           # later cut alone: a face of its own
    assert visited(problem, _with_path(res, again)) == [idh[1]]
