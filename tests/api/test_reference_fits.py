"""asr.asreml() end to end against fits recorded from lme4 and sommer.

Numbers are the `best` entries of shared/reference/*.json (the highest full REML
log-likelihood any peer reached, lme4 1.1-31 / sommer 4.3.7, R 4.2.2), copied here so the
tests run without ../shared. Peers may stop early, so we require our log-likelihood to be at
least theirs (minus 1e-6) and the estimates within a relative tolerance that reflects the
spread between peers (1e-5 where lme4 is the best fit, looser where peers disagree).
"""

import numpy as np
import pandas as pd
import pytest

import asr_py as asr

# (model id, fixed, random, residual, best ll_full_reml, best estimates, rel tol)
CASES = [
    ("a_example_cs", "Yield ~ Env", "~ Name + Env:Name", None, -468.098492794096,
     [3.6819266613281, 5.17323378049107, 4.36621132637708], 1e-5),
    ("b_example_diag", "Yield ~ Env", "~ diag(Env):Name", None, -468.994686836277,
     [17.4933639356591, 5.33756172286969, 7.88382240497846, 4.38062636879795], 1e-4),
    ("c_example_us", "Yield ~ Env", "~ us(Env):Name", None, -462.16260921499,
     [15.9936761363793, 6.17271864542879, 5.27432796414104, 6.36604925347063,
      0.374546343528896, 7.68961900268604, 4.38617395238674], 1e-4),
    ("d_example_bivariate", "cbind(Yield, Weight) ~ trait + trait:Env", "~ us(trait):Name",
     "~ units:us(trait)", -466.684218641613,
     [4.85930892559314, 1.14323608884632, 0.273675207642469, 8.10169943400492,
      1.65230824232099, 0.379228137447552], 1e-5),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_dt_example_models(dt_example, case):
    _, fixed, random, residual, ll, est, tol = case
    m = asr.asreml(fixed, random, residual, data=dt_example)
    assert m.converged
    assert m.loglik >= ll - 1e-6
    assert m.loglik == pytest.approx(ll, abs=1e-4)
    np.testing.assert_allclose(m.varcomp["component"].to_numpy(), est, rtol=tol)


def test_sleepstudy_random_regression(sleepstudy):
    m = asr.asreml("Reaction ~ Days", "~ str(~ Subject + Days:Subject, ~ us(2):id(Subject))",
                   data=sleepstudy)
    # lme4: VarCorr(fm1) with REML; best recorded ll_full_reml -871.814135979246
    assert m.converged
    assert m.loglik >= -871.814135979246 - 1e-6
    np.testing.assert_allclose(m.varcomp["component"].to_numpy(),
                               [612.089850173488, 9.60434153058573, 35.0716741188724,
                                654.941010307751], rtol=1e-4)
    # lme4 fixef: (Intercept) 251.405104848485, Days 10.467285959596 (closed form for a
    # balanced design: the OLS estimates)
    np.testing.assert_allclose(m.coef_fixed["solution"].to_numpy(),
                               [251.405104848485, 10.467285959596], rtol=1e-8)


def test_gryphon_animal_model(gryphon, gryphon_ped):
    ainv = asr.ainverse(gryphon_ped)
    m = asr.asreml("BWT ~ SEX", "~ vm(ANIMAL, ainv) + MOTHER", data=gryphon, ainv=ainv)
    assert m.converged
    assert m.model.records.n == 854
    # shared/reference/g_gryphon_animal.json best (sommer mmer tight): ll -1934.75205473419
    assert m.loglik >= -1934.75205473419 - 1e-6
    # varcomp lists MOTHER (fewer levels) before vm(ANIMAL, ainv), as asreml does
    assert list(m.varcomp.index) == ["MOTHER", "vm(ANIMAL, ainv)", "units!R"]
    vc = m.varcomp.loc[["vm(ANIMAL, ainv)", "MOTHER", "units!R"]]
    np.testing.assert_allclose(vc["component"].to_numpy(),
                               [2.69600038240337, 1.07933310479795, 2.2607945509038],
                               rtol=1e-5)
    # lme4 fixed effects and standard errors recorded in the same file
    np.testing.assert_allclose(m.coef_fixed["solution"].to_numpy(),
                               [6.07400885283563, 2.2172906744898], rtol=1e-5)
    np.testing.assert_allclose(m.coef_fixed["std.error"].to_numpy(),
                               [0.171802147303013, 0.157896528102766], rtol=1e-4)
    # AI standard errors of the variance components (independent evaluation in the file)
    np.testing.assert_allclose(vc["std.error"].to_numpy(),
                               [0.583701720030641, 0.267016124161901, 0.447879629621097],
                               rtol=2e-3)


def test_gryphon_ped_function_matches_vm(gryphon, gryphon_ped):
    a = asr.asreml("BWT ~ SEX", "~ ped(ANIMAL) + MOTHER", data=gryphon, pedigree=gryphon_ped)
    b = asr.asreml("BWT ~ SEX", "~ vm(ANIMAL, A) + MOTHER", data=gryphon,
                   A=asr.ainverse(gryphon_ped))
    assert a.loglik == pytest.approx(b.loglik, abs=1e-8)


def test_user_data_not_mutated(dt_example):
    before = dt_example.copy()
    asr.asreml("Yield ~ Env", "~ Name", data=dt_example)
    pd.testing.assert_frame_equal(before, dt_example)
