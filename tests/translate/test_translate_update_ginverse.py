"""``update(fit, ginverse = list(id = A2))`` and ``asreml.Ainverse(ped, selfing = s)``: an
asreml 3 workflow of open-pollinated trees (the analysis of yzhlinscau/my-R-blog's self.md,
4a333ad, whose pine data are not public: written here on simulated half-sib families).

Before session 31 the update refitted the OLD inverse (a TODO said the entry was unused) and
``selfing`` was dropped: the script ran and printed the s = 0 fit as the s = 0.1 one.

Independent checks: the direct fit with ``vm(Treeid, ainverse(ped, selfing = s))``; and
asreml's own numbers. With records only on the offspring of unrelated, non-inbred mothers,
V = Vg (1 + s)²/4 J_family + (Vg (3 - s²)/4 + Ve) I (genetics/selfing.py), so the fits for
all s are one model reparametrised: Vg(s) = Vg(0)/(1 + s)², Ve(s) = Ve(0) + 3 Vg(0)/4 -
Vg(s) (3 - s²)/4, the same log-likelihood and z ratio of Vg. The post prints asreml-R 3's
Vg and Ve for s = 0, 0.1, ..., 1 (its table ``self Vg Ve Vp``, 3 decimals): they follow
these equations to their printed digits, which asreml's partial selfing rule (Dutkowski &
Gilmour 2001, as ASReml's manual states it) predicts and ignoring selfing does not.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py import translate
from tests.translate._translate_fixtures import run_py

#: my-R-blog self.md (asreml-R 3): self, Vg, Ve as printed
BLOG = np.array([[0.0, 0.894, 2.018], [0.1, 0.739, 2.136], [0.2, 0.621, 2.229],
                 [0.3, 0.529, 2.303], [0.4, 0.456, 2.364], [0.5, 0.397, 2.415],
                 [0.6, 0.349, 2.458], [0.7, 0.309, 2.494], [0.8, 0.276, 2.525],
                 [0.9, 0.248, 2.553], [1.0, 0.223, 2.576]])

SCRIPT = """
ped <- df[, 1:3]
pedinv <- asreml.Ainverse(ped)$ginv
tm <- asreml(height ~ Prov, random = ~ Block + ped(Treeid),
             ginverse = list(Treeid = pedinv), data = df)
pedinv1 <- asreml.Ainverse(ped, selfing = .1)$ginv
stm <- update(tm, ginverse = list(Treeid = pedinv1))
pedinv5 <- asreml.Ainverse(ped, self = 0.5)$ginv
stm5 <- update.asreml(tm, ginverse = list(Treeid = pedinv5))
vc0 <- summary(tm)$varcomp
vc1 <- summary(stm)$varcomp
"""


def _mapped(vg0: float, ve0: float, s: float) -> tuple[float, float]:
    vg = vg0 / (1 + s) ** 2
    return vg, ve0 + 0.75 * vg0 - vg * (3 - s * s) / 4


def _half_sibs(seed: int = 31, n_mum: int = 24, n_kid: int = 10) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    mum = [f"M{k + 170}" for k in range(n_mum)]
    n = n_mum * n_kid
    df = pd.DataFrame({"Treeid": [str(1001 + k) for k in range(n)],
                       "Female": np.repeat(mum, n_kid), "Male": "0"})
    df["Prov"] = np.repeat([f"P{k % 4}" for k in range(n_mum)], n_kid)
    df["Block"] = [f"B{k % 5 + 1}" for k in range(n)]
    df["height"] = (10 + np.repeat(rng.normal(0, 0.6, n_mum), n_kid)
                    + rng.normal(0, 0.3, 5)[np.arange(n) % 5] + rng.normal(0, 1.5, n))
    return df


def _family(s: float) -> tuple[float, float]:
    """(A_ii, A_ij) of two half sibs of one non-inbred mother, from asr.amatrix(selfing=s)."""
    A = asr.amatrix(pd.DataFrame({"id": ["k1", "k2"], "mum": "M", "pollen": "0"}),
                    selfing=s)
    i, j = A.ids.index("k1"), A.ids.index("k2")
    return float(A.matrix[i, i]), float(A.matrix[i, j])


def test_the_blogs_printed_asreml_table_is_asr_pys_partial_selfing() -> None:
    """V = Vg (c J_family + (a - c) I) + Ve I with a, c of asr_py's A: asreml's printed
    Vg(s), Ve(s) are its s = 0 fit mapped through asr_py's a(s), c(s)."""
    s, vg, ve = BLOG.T
    a0, c0 = _family(0.0)
    for k in range(len(s)):
        a, c = _family(float(s[k]))
        assert c == pytest.approx((1 + s[k]) ** 2 / 4) and a == pytest.approx(1 + s[k] / 2)
        pred_vg = vg[0] * c0 / c
        pred_ve = ve[0] + vg[0] * (a0 - c0) - pred_vg * (a - c)
        # printed to 3 decimals, predicted from the s = 0 row's rounded values
        assert abs(pred_vg - vg[k]) <= 1.5e-3 and abs(pred_ve - ve[k]) <= 1.5e-3
        assert _mapped(vg[0], ve[0], float(s[k])) == pytest.approx((pred_vg, pred_ve))
    # selfing ignored (Vg constant) or only the parent weight (1 + s)/2 with F = 0 are not
    assert np.abs(vg - vg[0]).max() > 0.5
    no_f_ve = ve[0] + 0.75 * vg[0] - vg[0] / (1 + s) ** 2 * (1 - (1 + s) ** 2 / 4)
    assert np.abs(no_f_ve - ve).max() > 0.1


def test_update_with_a_new_ginverse_refits_with_it() -> None:
    df = _half_sibs()
    py = translate(SCRIPT)
    assert "TODO(asr_py):" not in py
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ns = run_py(py, df=df)
        ped = df[["Treeid", "Female", "Male"]]
        direct = {s: asr.asreml(fixed="height ~ Prov", random="~ Block + vm(Treeid, K)",
                                data=df, K=asr.ainverse(ped, selfing=s)) for s in (0.1, 0.5)}
    tm, fits = ns["tm"], {0.1: ns["stm"], 0.5: ns["stm5"]}
    vc = tm.varcomp["component"]
    vg0, ve0 = float(vc.iloc[1]), float(vc.iloc[2])
    assert tm.converged and vg0 > 0.3 and ve0 > 0.3        # an interior optimum
    for s, fit in fits.items():
        assert fit.converged
        got = fit.varcomp["component"].to_numpy()
        np.testing.assert_allclose(got, direct[s].varcomp["component"].to_numpy(),
                                   rtol=1e-5)
        assert fit.loglik == pytest.approx(direct[s].loglik, abs=1e-7)
        # the reparametrisation: same likelihood, Vg and Ve mapped, Block unchanged
        assert fit.loglik == pytest.approx(tm.loglik, abs=1e-6)
        vg, ve = _mapped(vg0, ve0, s)
        assert got[1] == pytest.approx(vg, rel=1e-4)
        assert got[2] == pytest.approx(ve, rel=1e-4)
        assert got[0] == pytest.approx(float(vc.iloc[0]), rel=1e-4)
    # summary()$varcomp (asreml 3): z ratio of Vg unchanged, gamma = component / R!variance
    z0, z1 = ns["vc0"]["z.ratio"].iloc[1], ns["vc1"]["z.ratio"].iloc[1]
    assert z1 == pytest.approx(z0, rel=1e-3)
    # the row names self.md prints (asreml 3 names ped(Treeid) by the script's own term)
    for vc in (ns["vc0"], ns["vc1"]):
        assert list(vc.index) == ["Block!Block.var", "ped(Treeid)!ped", "R!variance"]


def test_update_keeps_the_fits_ginverse_for_a_new_ped_term() -> None:
    # asreml 3's update keeps ginverse = list(Treeid = pedinv) in the call: a new random
    # formula's ped(Treeid) still reads it
    py = translate(SCRIPT + "st2 <- update(tm, random = ~ ped(Treeid))\n")
    line = next(x for x in py.splitlines() if x.startswith("st2 = "))
    assert "vm(Treeid, pedinv)" in line and "pedinv=r_as_ginverse(pedinv)" in line


def test_an_update_ginverse_for_a_term_the_fit_lacks_stays_a_todo() -> None:
    py = translate("m <- asreml(y ~ 1, random = ~ vm(id, Ai), data = d)\n"
                   "m2 <- update(m, ginverse = list(id = A2))\n")
    assert "TODO(asr_py): ginverse entry id = A2 is not used" in py


def test_ainverse_options_are_translated_or_flagged() -> None:
    py = translate("A3 <- asreml.Ainverse(ped, mv = c('0', '*'), psort = TRUE)$ginv\n"
                   "A4 <- ainverse(ped, gpc = FALSE, mgs = FALSE, selfing = NA)\n"
                   "A5 <- ainverse(ped, fgen = list('Fgen', 0.01))\n"
                   "A6 <- asreml.Ainverse(pd, fgen = c('Selfing', 5))\n"
                   "A7 <- ainverse(ped, gender = 'sex')\n")
    assert "A3 = asr.ainverse(ped, check_roles=False, unknown=['0', '*'])" in py
    assert "psort = TRUE) dropped" in py
    assert "A4 = asr.ainverse(ped, check_roles=False)\n" in py     # defaults: the same
    assert "A5 = asr.ainverse(ped, check_roles=False, fgen=('Fgen', 0.01))" in py
    # asreml 3 scripts' c('Selfing', 5): f outside (0, 1) has no documented meaning
    assert "asreml.Ainverse(fgen = c('Selfing', 5)) is not translated" in py
    assert "ainverse(gender = 'sex') is not translated" in py
