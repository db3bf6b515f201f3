"""asremlPlus for translated scripts: the functions live in :mod:`asr_py.compat.asremlplus`
(``asr.plus``); this module keeps the name translated scripts of earlier versions import,
and maps asremlPlus's prediction, alldiffs, estimateV and chooseModel calls (R's S3 method
names included) to them (:data:`PLUS_CALLS`, merged into the translator's table of
asremlPlus/dae calls; argument names are converted there: dots become underscores, partial
names are completed)."""

from __future__ import annotations

from typing import Any

__all__ = ["AsrTests", "PLUS_CALLS", "as_asrtests"]  # noqa: F822 (bound lazily, below)


def __getattr__(name: str) -> Any:  # PEP 562: asr_py.compat (scipy.stats, ~45 MiB) on use
    if name in ("AsrTests", "as_asrtests"):
        from asr_py.compat import asremlplus

        return getattr(asremlplus, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

_SAME = ("predictPlus", "estimateV", "chooseModel", "allDifferences", "validAlldiffs",
         "redoErrorIntervals", "recalcLSD", "addBacktransforms", "renewClassify",
         "linTransform", "plotPvalues", "plotPredictions", "facRecast", "facRename",
         "attr", "findLSDminerrors", "exploreLSDs", "facCombine", "ratioTransform",
         "pairdiffsTransform", "plotLSDs", "plotLSDerrors", "pickLSDstatistics")

#: R function (and S3 method) -> asr.plus function
PLUS_CALLS: dict[str, str] = {
    **{f: f"asr.plus.{f}" for f in _SAME},
    **{f"{f}.alldiffs": f"asr.plus.{f}" for f in (
        "redoErrorIntervals", "recalcLSD", "addBacktransforms", "renewClassify",
        "linTransform", "plotPvalues", "facRecast", "facRename", "findLSDminerrors",
        "exploreLSDs", "facCombine", "ratioTransform", "pairdiffsTransform", "plotLSDs",
        "plotLSDerrors", "pickLSDstatistics")},
    "predictPlus.asreml": "asr.plus.predictPlus",
    "predictPresent": "asr.plus.predictPresent",
    "predictPresent.asreml": "asr.plus.predictPresent", "estimateV.asreml": "asr.plus.estimateV",
    "chooseModel.asrtests": "asr.plus.chooseModel",
    "R2adj": "asr.plus.R2adj", "R2adj.asreml": "asr.plus.R2adj",
    "chooseModel.data.frame": "asr.plus.chooseModel",
    "allDifferences.data.frame": "asr.plus.allDifferences",
    "plotPredictions.data.frame": "asr.plus.plotPredictions",
    "as.alldiffs": "asr.plus.as_alldiffs", "is.alldiffs": "asr.plus.is_alldiffs",
    "sort.alldiffs": "asr.plus.sort_alldiffs", "sort": "asr.plus.sort",
    "sort.predictions.frame": "asr.plus.sort",
    # dae's marginality of a formula's terms (what chooseModel's scripts take from dae)
    "pstructure": "asr.dae.pstructure", "pstructure.formula": "asr.dae.pstructure",
    "marginality": "asr.dae.marginality", "marginality.pstructure": "asr.dae.marginality",
    "changeModelOnIC": "asr.plus.changeModelOnIC",
    "changeModelOnIC.asrtests": "asr.plus.changeModelOnIC",
    # asremlPlus 3's constructor asrtests(asreml.obj, wald.tab, test.summary)
    "asrtests": "asr.plus.as_asrtests",
    # dae's factor generators
    "fac.nested": "asr.dae.fac_nested", "fac.gen": "asr.dae.fac_gen",
    "fac.multinested": "asr.dae.fac_multinested", "fac.recast": "asr.dae.fac_recast",
    "mat.ginv": "asr.dae.mat_ginv",
    "addSpatialModel": "asr.plus.addSpatialModel",
    "addSpatialModel.asrtests": "asr.plus.addSpatialModel",
    # asremlPlus's simulated envelopes (compat/simulate_asreml.py, compat/variofaces.py)
    "simulate": "asr.plus.simulate", "simulate.asreml": "asr.plus.simulate_asreml",
    "variofaces": "asr.plus.variofaces", "variofaces.asreml": "asr.plus.variofaces",
    "plotVariofaces": "asr.plus.plotVariofaces",
    "plotVariofaces.data.frame": "asr.plus.plotVariofaces",
    "asr_varioGram": "asr.plus.asr_varioGram", "asreml.variogram": "asr.plus.asr_varioGram",
    "newfit": "asr.plus.newfit", "newfit.asreml": "asr.plus.newfit",
    "reparamSigDevn": "asr.plus.reparamSigDevn",
    "reparamSigDevn.asrtests": "asr.plus.reparamSigDevn",
}
