"""asreml-R calls -> asr_py: ``asreml()`` arguments, results (asreml 3 and 4 components),
``predict``/``wald``/``varioGram``/``vpredict``/``update``/``asreml.options``, plus the
base-R calls of :class:`Translator`.

An ``asreml()`` argument that cannot be translated never drops the call: the rest is
translated and the argument gets a TODO saying whether the emitted fit is the same model
(a memory or printing option) or a DIFFERENT one (``subset``, a non-Gaussian ``family``, an
edited G.param table that is not a start-values table...).
"""

from __future__ import annotations

import keyword
import re

from asr_py.formula.functions import spatial_functions
from asr_py.formula.toplevel import split_top
from asr_py.translate import (
    racast,
    raggregate,
    raov,
    rappend,
    rarray,
    rasmv,
    rasreml3read,
    rasremllrt,
    rave,
    rbroomasreml,
    rcapture,
    rcapwarn,
    rcasewhen,
    rcast,
    rchoose,
    rcld,
    rcoeflist,
    rcoefpattern,
    rcolorramp,
    rcomplete,
    rcount,
    rdcast,
    rddply,
    rdeltamethod,
    rdots,
    rdplyr,
    rdtquery,
    renv,
    requatelevels,
    reval,
    rexpectmore,
    rfactor,
    rfactorlevels,
    rfctrelevel,
    rfilterby,
    rfinite,
    rforcats,
    rformlevels,
    rgenherit,
    rggplot,
    rgraphcalls,
    rgrouped,
    rgtools,
    ricreml,
    ristype,
    rjoin,
    rlag,
    rlazy,
    rlm,
    rlme4,
    rlogltest,
    rlucid,
    rmatcharg,
    rmct,
    rmeantrim,
    rmulttest,
    rmutateall,
    rmvresponse,
    rnaomity,
    rnasubset,
    rnest,
    rnlme,
    rnull,
    rpackages,
    rparallel,
    rpascal,
    rpin,
    rplotmath,
    rpls,
    rplusold,
    rpossibly,
    rpronoun,
    rrange,
    rrank,
    rrecycle,
    rreduce,
    rreducef,
    rrenamewith,
    rreplace,
    rreplfun,
    rsave,
    rsequence,
    rsetattrs,
    rsetdt,
    rshapiro,
    rslice,
    rstats,
    rstop,
    rstring,
    rstructure,
    rsweep,
    rtempfile,
    rtidy,
    rtidyr,
    runique,
    rvector,
)
from asr_py.translate.asremlplus import PLUS_CALLS
from asr_py.translate.parser import EXACT, SLOT, R, Untranslatable, names_in, pkg_of
from asr_py.translate.printer import (
    _CONST,
    _IDENTITY,
    _NOOP,
    _SIMPLE_FUNCS,
    EXPECT_VALUE,
    BasePrinter,
    _mentions,
    _numeric_subscript,
    _paren,
    _partial,
    _pipe,
    _wrap,
    pyname,
)
from asr_py.translate.raghmatrix import FUNCS as _RAGHMATRIX_FUNCS
from asr_py.translate.rainverse import ainverse_call
from asr_py.translate.rallequal import FUNCS as _RALLEQUAL_FUNCS
from asr_py.translate.rarray import FUNCS as _RARRAY_FUNCS
from asr_py.translate.raslogical import FUNCS as _RASLOGICAL_FUNCS
from asr_py.translate.rasrgenomics import FUNCS as _RASRGENOMICS_FUNCS
from asr_py.translate.rasrgenomicskin import FUNCS as _RASRGENOMICSKIN_FUNCS
from asr_py.translate.rasrgenomicsqc import FUNCS as _RASRGENOMICSQC_FUNCS
from asr_py.translate.rbindcols import FUNCS as _RBINDCOLS_FUNCS
from asr_py.translate.rcoef import coef_order
from asr_py.translate.rcolpos import needs_position
from asr_py.translate.rcombn import FUNCS as _RCOMBN_FUNCS
from asr_py.translate.rcommandargs import FUNCS as _RCOMMANDARGS_FUNCS
from asr_py.translate.rcompare import track_list
from asr_py.translate.rcomplexassign import via_temporary
from asr_py.translate.rcopy import CONTAINER_CALLS, alias_copy
from asr_py.translate.rcullis import FUNCS as _RCULLIS_FUNCS
from asr_py.translate.rcvtools import FUNCS as _RCVTOOLS_FUNCS
from asr_py.translate.rdeparse import deparse
from asr_py.translate.rdiff import FUNCS as _RDIFF_FUNCS
from asr_py.translate.renvcols import formula_names
from asr_py.translate.rfdist import FUNCS as _RFDIST_FUNCS
from asr_py.translate.ristrue import FUNCS as _RISTRUE_FUNCS
from asr_py.translate.rmargins import FUNCS as _RMARGINS_FUNCS
from asr_py.translate.rmatchargs import ArgMatchError, match_args
from asr_py.translate.rmatnames import track, track_vector
from asr_py.translate.rownfun import own_function_names
from asr_py.translate.rpadjust import FUNCS as _RPADJUST_FUNCS
from asr_py.translate.rpkgcalls import CALLS as _PKG_CALLS
from asr_py.translate.rpkgcalls import UNAVAILABLE as _PKG_UNAVAILABLE
from asr_py.translate.rpkgcalls import set_diag as _pkg_set_diag
from asr_py.translate.rpkgcalls import translate_call as _pkg_call
from asr_py.translate.rplusvalid import FUNCS as _RPLUSVALID_FUNCS
from asr_py.translate.rprcomp import FUNCS as _RPRCOMP_FUNCS
from asr_py.translate.rquantile import FUNCS as _RQUANTILE_FUNCS
from asr_py.translate.rremoveempty import FUNCS as _RREMOVEEMPTY_FUNCS
from asr_py.translate.rremoverownames import FUNCS as _RREMOVEROWNAMES_FUNCS
from asr_py.translate.rreshape import FUNCS as _RRESHAPE_FUNCS
from asr_py.translate.rrowsum import FUNCS as _RROWSUM_FUNCS
from asr_py.translate.rsave import save_statement
from asr_py.translate.rsetattrs import FUNCS as _RSETATTRS_FUNCS
from asr_py.translate.rsets import FUNCS as _RSETS_FUNCS
from asr_py.translate.rsetwd import note_setwd
from asr_py.translate.rsignif import FUNCS as _RSIGNIF_FUNCS
from asr_py.translate.rstack import FUNCS as _RSTACK_FUNCS
from asr_py.translate.rsummary import summary_rhs
from asr_py.translate.rsystem import FUNCS as _RSYSTEM_FUNCS
from asr_py.translate.rtabulate import FUNCS as _RTABULATE_FUNCS
from asr_py.translate.rtransmute import mbf_arg, pluck_as_index, transmute
from asr_py.translate.rtrycatch import FUNCS as _RTRYCATCH_FUNCS
from asr_py.translate.ruserargs import bind_user_call
from asr_py.translate.rvarcomp3 import is_asreml3
from asr_py.translate.rvlookup import FUNCS as _RVLOOKUP_FUNCS

#: modules that translate a family of calls (each has ``FUNCTIONS``, the R names it knows,
#: disjoint between modules, and ``translate(translator, call) -> str | None``, None to fall
#: through to the general rules); a script's own function of the same name wins
_CALL_MODULES = (rgrouped, rjoin, rgenherit, ricreml, rlucid, rrenamewith, rmulttest, rtidy, rslice,
                 rtidyr, rstats, rpossibly, rreplfun, rcasewhen, rcount,
                 rfinite, rbroomasreml, rcomplete, rave, rreplace, rmutateall, rcld,
                 rgtools, rnlme, rsequence, rsweep, rnest, rfctrelevel,
                 racast, ristype, rstop, rcoefpattern, reval, rsave, rplusold, rasreml3read,
                 rlogltest, rasremllrt, rpin, rmct, rddply, rlag, rgraphcalls,
                 rmatcharg, rstructure, rplotmath, rsetdt, rcapture, rcapwarn,
                 rtempfile, rchoose)

_FIT_ATTRS = {"converge": "converged", "aic": "aic", "bic": "bic",
              "residuals": "residuals", "fitted.values": "fitted",
              "deviance": "deviance"}     # a GLM's deviance (asr_py.glmm)
#: the columns of asreml's Wald table (wald() without denDF; asr_py.results.wald)
_WALD_COLS = ("Df", "Sum of Sq", "Wald statistic", "Pr(Chisq)", "F.inc")
#: the elements of asreml 4's predict() list (R's $ matches a unique prefix of them)
_PREDICT_LIST = ("pvals", "sed", "vcov", "avsed")
_PREDICT_ATTRS = {"sed": ".attrs['sed']", "avsed": ".attrs['avsed']['mean']",
                  "vcov": ".attrs['vcov']"}
#: predict.asreml()'s arguments (for R's partial matching of their names)
_PREDICT_ARGS = ("classify", "levels", "present", "ignore", "use", "except", "only",
                 "associate", "margin", "average", "as.average", "vcov", "sed", "parallel",
                 "aliased", "inrandom", "exrandom", "trace", "maxit", "maxiter", "pworkspace",
                 "workspace", "data")
_DENDF = {"none": "none", "default": "default", "numeric": "numeric", "algebraic": "numeric"}
_SSTYPE = ("incremental", "conditional")
_SUMMARY_ATTRS = {"varcomp": "varcomp", "coef.fixed": "coef_fixed", "coef.random":
                  "coef_random", "loglik": "loglik", "aic": "aic", "bic": "bic",
                  "nedf": "result.n_minus_p"}     # nedf: n - rank(X), as fit$nedf
#: asreml()'s arguments, in its positional order first
_ASREML_POS = ("fixed", "random", "sparse", "residual")
_ASREML_ARGS = {"fixed": "fixed", "random": "random", "residual": "residual",
                "rcov": "residual", "sparse": "sparse", "data": "data", "maxit": "maxit",
                "maxiter": "maxit", "trace": "trace", "start.values": "start_values",
                "na.action": "na_action", "na.method.X": "na_action", "na.method.Y": "na_action",
                "weights": "weights", "group": "group", "ginverse": "ginverse",
                "G.param": "params", "R.param": "params", "knot.points": "knot_points",
                "keep.order": "keep_order"}
#: update.asreml()'s formula formals -> asreml()'s arguments
_UPDATE_FORMALS = {"fixed.": "fixed", "random.": "random", "sparse.": "sparse",
                   "residual.": "residual", "rcov.": "residual"}
#: asreml arguments that only size asreml's work space: a NOTE, not a TODO (nothing to review)
_MEMORY = {"workspace", "pworkspace"}
#: asreml arguments with no effect on the fitted model (memory, printing, output size)
#: ``x$name`` that only an asreml fit has (never a data column in the corpus): r_dollar
_FIT_ONLY_COMPONENTS = frozenset({"aom", "converge", "nedf", "Cfixed", "fitted.values"})
_HARMLESS = {"workspace", "pworkspace", "aom", "debug", "Cfixed", "Csparse",
             "y.fitted" + "", "ai.sing", "fail", "wald", "ai.loadings",
             "dense", "pxem", "random.order", "options", "control", "update", "converge",
             "stepsize", "tol", "tolerance", "extra", "fixgammas", "na.print", "loglik",
             "combine", "sigma"}
#: real asreml arguments that change the model; the call is emitted without them + TODO
#: mutate_at(d, vars(...), f): f as a pandas conversion of a column
#: plotting calls (ggplot2's and base graphics'): never a sourced file's function to look up
#: when the script runs (their bare column names would fail there); left as plots, untranslated
_PLOTTING = re.compile(r"ggplot|aes|aes_string|geom_\w+|stat_\w+|facet_\w+|"
                       r"scale_(?:x|y|fill|colou?r|shape|size|alpha|linetype)_\w+|"
                       r"coord_\w+|theme|theme_\w+|element_\w+|labs|xlab|ylab|ggtitle|"
                       r"guides|guide_\w+|annotate|ggsave|plot|hist|barplot|boxplot|lines|"
                       r"points|abline|legend|text|mtext|axis|title|View")
#: base R functions whose value is a vector of the input's length: c() flattens them
_VECTOR_VALUED = frozenset({"as.character", "as.numeric", "as.integer", "as.vector", "unique",
                            "levels", "names", "colnames", "rownames", "unlist", "sort", "rev",
                            "which", "paste", "paste0", "seq", "rep", "seq_len", "seq_along",
                            "na.omit", "match", "setdiff", "union", "intersect", "order",
                            # may give several values: c(prod(x), diff(y)) flattens them
                            "diff", "cumsum", "cumprod", "cummax", "cummin", "range",
                            "colMeans", "colSums", "rowMeans", "rowSums", "quantile", "head",
                            "tail", "dim", "fivenum", "pmax", "pmin"})
_MUTATE_FUNS = {"factor": "astype(str)", "as.factor": "astype(str)",
                "as.character": "astype(str)", "as.numeric": "astype(float)",
                "as.integer": "astype(int)"}
_MODEL = {"subset", "family", "equate.levels", "mbf", "knots", "predict",
          "offset", "asmv", "mef", "uid", "constraints", "include.levels", "at", "mv", "knot",
          "splines", "model.frame", "dispersion", "G.param", "R.param"}
_COORD = re.compile(r"^(?:([A-Za-z][\w]*)\(\s*([A-Za-z.][\w.]*)\s*(?:,.*)?\)|([A-Za-z.][\w.]*))$")
_KNOWN_CALL = re.compile(r"\b(ped|giv|ide)\(\s*([^\W\d][\w.]*)\s*((?:,[^(),]*(?:\([^()]*\))?)*)\)")
#: asreml 3's options of ped()/giv()/ide(): var = T (a variance is estimated: the default)
#: and init = v (its starting value)
_KNOWN_OPT = re.compile(r"\s*(var|init)\s*=\s*(.+?)\s*")
_VM_CALL = re.compile(r"\b(?:vm|ide)\(\s*[^\W\d][\w.]*\s*,\s*([^\W\d][\w.]*(?:\$[^\W\d][\w.]*)*)")
#: vm(g, source = K) / ide(g, source = K): asreml 4's argument name (the formula keeps K)
_SOURCE_ARG = re.compile(r"(\b(?:vm|ide)\(\s*[^\W\d][\w.]*\s*,\s*)source\s*=\s*")
_DOT = re.compile(r"(?<![\w.])\.(?![\w.])")
_INIT_VAR = re.compile(r"(\binit\s*=\s*)([^\W\d][\w.]*)(?![\w.]|\s*\()")
#: asreml 3's banded correlation ``corb(f, k = 4)`` is asreml 4's ``corb(f, b = 4)``
_CORB_K = re.compile(r"(\bcorb[vh]?\(\s*[^\W\d][\w.]*\s*,\s*)k(?=\s*=)")
_REP_NUM = re.compile(r"\brep\(\s*(-?(?:\d+\.?\d*|\.\d+)(?:[eE]-?\d+)?)\s*,\s*"
                      r"(?:times\s*=\s*)?(\d{1,3})L?\s*\)")
_GAUSSIAN = ("asreml.gaussian", "asr_gaussian", "gaussian")
#: asremlPlus and dae functions with a counterpart in asr_py.compat (asr.plus, asr.dae);
#: R's dotted argument names become Python's (``drop.ran.ns`` -> ``drop_ran_ns``)
_COMPAT = {
    **{f: f"asr.plus.{f}" for f in (
        "REMLRT", "infoCriteria", "getTestPvalue", "getTestEntry", "getFormulae",
        "printFormulae", "iterate", "recalcWaldTab", "rmboundary", "testranfix",
        "testswapran", "testresidual", "changeTerms", "setvarianceterms")},
    "setvarianceterms.call": "asr.plus.setvarianceterms",
    **{f"{f}.asrtests": f"asr.plus.{f}" for f in (
        "getTestPvalue", "getTestEntry", "iterate", "recalcWaldTab", "rmboundary",
        "testranfix", "testswapran", "testresidual", "changeTerms")},
    "REMLRT.asreml": "asr.plus.REMLRT", "infoCriteria.asreml": "asr.plus.infoCriteria",
    "infoCriteria.list": "asr.plus.infoCriteria", "info.crit.asreml":
    "asr.plus.infoCriteria", "getFormulae.asreml": "asr.plus.getFormulae",
    "printFormulae.asreml": "asr.plus.printFormulae", "as.asrtests": "asr.plus.as_asrtests",
    "addto.test.summary": "asr.plus.addto_test_summary",
    **{f"mat.{f}": f"asr.dae.mat_{f}" for f in (
        "I", "J", "ar1", "ar2", "ar3", "arma", "banded", "cor", "corg", "dirprod", "dirsum",
        "exp", "gau", "ma1", "ma2", "sar", "sar2")},
    "fac.combine": "asr.dae.fac_combine", "as.numfac": "asr.dae.as_numfac",
    "fac.vcmat": "asr.dae.fac_vcmat", "fac.ar1mat": "asr.dae.fac_ar1mat",
    "fac.sumop": "asr.dae.fac_sumop",
    "vpc.char": "asr.plus.vpc_char",
    **PLUS_CALLS,   # predictPlus, estimateV, chooseModel, the alldiffs family
}


#: components of summary(lm) and summary(lmer) (R's ``$`` matches a unique prefix)
_LM_SUMMARY = ("call", "terms", "residuals", "coefficients", "aliased", "sigma", "df",
               "r.squared", "adj.r.squared", "fstatistic", "cov.unscaled", "varcor",
               "logLik", "ngrps", "AICtab", "vcov")
#: components of an asreml fit object (R's ``$`` matches a unique prefix of one of them)
_FIT_COMPONENTS = ("loglik", "converge", "aic", "bic", "residuals", "fitted.values",
                   "vparameters", "vparameters.table", "vparameters.con", "vparameters.type",
                   "vparameters.se", "gammas", "gammas.table", "gammas.con", "gammas.type",
                   "sigma2", "components", "nedf", "coefficients", "call", "formulae",
                   "predictions", "linear.predictors", "monitor", "mf", "G.param", "R.param",
                   "noeff", "hat", "deviance", "errtxt", "warning", "trace", "factor.names",
                   "design", "Cfixed", "ai", "aom",   # ai: the inverse AI matrix (not aic)
                   "vcoeff")


def _compat_arg(target: str, name: str) -> str:
    """An R argument name of an asremlPlus/dae call as the Python function's parameter:
    dots become underscores, and R's partial matching (``positive = TRUE`` is
    ``positive.zero``) picks the one parameter the name is a prefix of."""
    import importlib
    import inspect

    mod, fn = target.split(".")[1:]
    func = getattr(importlib.import_module("asr_py.compat"), {"plus": "asremlplus"}.get(
        mod, mod)).__dict__[fn]
    params = [p for p in inspect.signature(func).parameters if p not in ("other", "self")]
    py = name.replace(".", "_")
    if py in params:
        return py
    hits = [p for p in params if p.startswith(py)]
    return hits[0] if len(hits) == 1 else py


#: uses that make a function's parameter an asreml fit: components only a fit has
#: (``p$coefficients$fixed``, ``p$vparameters``, ``p$loglik``...), ``predict(p, classify =)``,
#: ``wald(p)``, ``vpredict(p, ...)``
_FIT_USE = (r"\b{p}\$(?:coefficients\$(?:fixed|random)|vparameters|gammas|loglik|converge"
            r"|Cfixed|sigma2|nedf|G\.param|R\.param)\b"
            r"|\bpredict(?:\.asreml)?\(\s*{p}\s*,[^)]*\bclassify\b"
            r"|\b(?:wald|wald\.asreml|vpredict)\(\s*{p}\s*[,)]")


#: base R summaries a script passes by name (sapply(x, mean), tapply(y, g, sd))
_R_SUMMARY_FUNS = ("mean", "sum", "max", "min", "median", "sd", "var", "length", "range")


def _fit_params(fn: R, body: str) -> set[str]:
    """The parameters of ``fn`` its body uses as an asreml fit (see _FIT_USE)."""
    names = {n for n, _ in fn.args if n and n != "..."}
    return {n for n in names if re.search(_FIT_USE.format(p=re.escape(n)), body)}


def _fit_component(name: str) -> str:
    """R's ``$`` on a list: the exact name, else the one component it is a unique prefix of
    (``m$conv`` is ``m$converge``), else the name as given."""
    if name in _FIT_COMPONENTS:
        return name
    hits = [c for c in _FIT_COMPONENTS if c.startswith(name)]
    return hits[0] if len(hits) == 1 else name


def _positional_init_funcs() -> str:
    """Variance structures whose second positional argument is asreml's ``init`` (they take
    one object): ``corgh(trait, initf)`` is ``corgh(trait, init = initf)``."""
    from asr_py.formula.functions import functions

    names = sorted(n for n, f in functions().items()
                   if f.is_variance and f.max_args == 1 and "init" in f.named)
    return "|".join(re.escape(n) for n in names)


_POS_INIT = re.compile(rf"(?<![\w.])((?:{_positional_init_funcs()})\(\s*[^\W\d][\w.]*\s*,"
                       r"(?!\s*[\w.]+\s*=(?!=))\s*)")
#: R family names (asreml 4's asr_*, asreml 3's asreml.*, R's own) -> asr_py's asr_* suffix
_FAMILIES = {"binomial": "binomial", "poisson": "poisson", "Gamma": "Gamma",
             "gaussian": "gaussian", "negative.binomial": "negative_binomial",
             "inverse.gaussian": "inverse_gaussian"}


def family_source(a: R) -> str | None:
    """``asr_binomial(link = "probit", total = n)`` (asreml 4), ``asreml.binomial()``
    (asreml 3) or ``binomial()`` -> ``asr.asr_binomial(link='probit', total='n')``; the
    same for poisson, Gamma and gaussian. None when the family or an argument is not
    known."""
    if a.kind != "call":
        return None
    base = a.value.removeprefix("asreml.").removeprefix("asr_")
    if base not in _FAMILIES:   # asr_multinomial: not taken
        return None
    allowed = {"negative.binomial": ("link", "dispersion", "phi"),
               "inverse.gaussian": ("link", "dispersion")}.get(
        base, ("link", "dispersion", "total"))
    given = {k if k is not None else ("link" if i == 0 else "") for i, (k, _) in
             enumerate(a.args)}
    if base == "inverse.gaussian" and not {"link", "dispersion"} <= given:
        return None   # its defaults are not established (asr_py.glmm.family): a TODO
    parts = []
    for i, (k, v) in enumerate(a.args):
        key = k if k is not None else ("link" if i == 0 else None)
        if key not in allowed:
            return None
        if key == "phi" and v.kind == "num":
            parts.append(f"phi={v.value}")
            continue
        if key == "total" and v.kind in ("name", "str"):
            parts.append(f"total={v.value!r}")
        elif key == "dispersion" and v.kind == "name" and v.value == "NA":
            parts.append("dispersion=None")
        elif key == "link" and v.kind in ("name", "str"):
            parts.append(f"link={v.value!r}")
        elif key == "dispersion" and v.kind == "num":
            parts.append(f"dispersion={v.value}")
        else:
            return None
    return f"asr.asr_{_FAMILIES[base]}({', '.join(parts)})"


def spatial_coords(residual: str) -> tuple[str, str] | None:
    """(row, col) of the first two-factor term f(Row):g(Col) of a residual formula with a
    spatial correlation (ar1, ar2, ma1, exp, gau, ...) in at least one factor; None if none."""
    text = residual.strip().lstrip("~")
    for term in split_top(text, "+", strip=True):
        parts = split_top(term, ":", strip=True)
        if len(parts) != 2:
            continue
        found = [_COORD.match(x) for x in parts]
        if not all(found):
            continue
        names = [m.group(2) or m.group(3) for m in found if m is not None]
        funs = [m.group(1) or "" for m in found if m is not None]
        if set(funs) & spatial_functions() and "units" not in names:
            return names[0], names[1]
    return None


#: a rewrite_known() matrix key that is a ginverse= entry (an ide() factor's ids), not a keyword
_GINVERSE_KEY = "__ginverse__:"
#: a fit's record (Translator.formulas) of its asreml 3 ginverse entries, by factor
_GIV_REC = "__giv__:"


def ginverse_key(fac: str, mat: str) -> str:
    """The keyword that passes asreml 3's ``ginverse = list(fac = mat)`` to ``vm(fac, key)``:
    the matrix's R name as Python, else ``<fac>_ginv``."""
    return pyname(mat) if re.fullmatch(r"[^\W\d][\w.]*", mat) else pyname(fac) + "_ginv"


def ginverse_swaps(parent: dict[str, str], old: dict[str, str], new: dict[str, str],
                   mats: dict[str, str]) -> list[str]:
    """The factors whose inverse an ``update(fit, ginverse = list(...))`` replaces in a term
    of the fit's own formulas (``vm(fac, key)`` from ``ped(fac)``), where the update's own
    formulas do not already pass that key: their keyword must carry the new matrix."""
    texts = [v for k, v in parent.items() if isinstance(v, str)
             and k in ("fixed", "random", "residual", "sparse")]
    out = []
    for fac, mat in new.items():
        if fac not in old or old[fac] == mat:
            continue
        key = ginverse_key(fac, old[fac])
        if key not in mats and any(re.search(rf"\bvm\(\s*{re.escape(fac)}\s*,\s*"
                                             rf"{re.escape(key)}\b", t) for t in texts):
            out.append(fac)
    return out


def rewrite_known(text: str, giv: dict[str, str],
                  renamed: dict[str, str] | None = None) -> tuple[str, dict[str, str]]:
    """asreml 3's ``ped(id)``/``giv(id)`` with ``ginverse = list(id = M)`` -> ``vm(id, M)``;
    a positional init (``corgh(trait, initf)``) is named; a vm() matrix's dotted R name
    (``Ginv.sparse``) stays in the formula, as asreml names its components and effects by it,
    and is passed as ``**{'Ginv.sparse': Ginv_sparse}``. Returns
    the formula and {keyword: Python expression} of the matrices it needs."""
    mats: dict[str, str] = {}

    def sub(m: re.Match[str]) -> str:
        fac, func = m.group(2), m.group(1)
        opts = [o for o in m.group(3).split(",")[1:]] if m.group(3) else []
        found = [_KNOWN_OPT.fullmatch(o) for o in opts]
        if fac not in giv or not all(found):
            return m.group(0)
        kw = {f.group(1): f.group(2) for f in found if f is not None}
        if kw.get("var", "T") not in ("T", "TRUE"):
            return m.group(0)            # var = F: no variance parameter (left as written)
        init = f", init = {kw['init']}" if "init" in kw else ""
        if func == "ide":
            # asreml 3: the identity over the ginverse's ids (asr_py's ide(id) reads them
            # from ginverse={id: M}); init = v has no counterpart in ide()
            mats[f"{_GINVERSE_KEY}{fac}"] = giv[fac]
            return f"ide({fac})"
        name = ginverse_key(fac, giv[fac])
        mats[name] = giv[fac]
        if renamed is not None:      # the script's own text, for asreml's coef names
            renamed[f"vm({fac}, {name})"] = f"{func}({fac})"
        return f"vm({fac}, {name}{init})"

    text = _KNOWN_CALL.sub(sub, text)

    def vm(m: re.Match[str]) -> str:
        mat = m.group(1)
        if "$" in mat:              # vm(g, GINV$Ginv.sparse): a list element, by a new name
            key = pyname(mat.replace("$", "_"))
            mats.setdefault(key, mat)
            return m.group(0)[: m.start(1) - m.start(0)] + key
        if re.fullmatch(r"[^\W\d][\w.]*", mat) and "." in mat:
            mats.setdefault(mat, mat)   # an R name kept (asreml's component names carry it)
            return m.group(0)
        key = pyname(mat)
        mats.setdefault(key, key)
        return m.group(0)[: m.start(1) - m.start(0)] + key

    def init(m: re.Match[str]) -> str:
        name = m.group(2)
        if name in ("TRUE", "FALSE", "NULL", "NA"):
            return m.group(0)
        key = pyname(name)
        mats.setdefault(key, key)   # an R variable holding init values: passed by keyword
        return m.group(1) + key

    text = _POS_INIT.sub(lambda m: m.group(1) + "init = ", text)
    text = _CORB_K.sub(lambda m: m.group(1) + "b", text)      # asreml 3's corb(f, k = 4)
    # init = rep(0.5, 4) of literal numbers: the values written out (the formula reads c())
    text = _REP_NUM.sub(lambda m: "c(" + ", ".join([m.group(1)] * int(m.group(2))) + ")",
                        text)
    text = _INIT_VAR.sub(init, _VM_CALL.sub(vm, _SOURCE_ARG.sub(r"\1", text)))
    return text, mats



def _plain_names(e: R) -> set[str]:
    """The variables an expression reads as values (not call heads, not ``d$x``'s ``x``)."""
    if e.kind == "name":
        return {e.value} if e.value not in ("TRUE", "FALSE", "T", "F", "NA", "NULL",
                                            "Inf", "NaN", "pi") else set()
    if e.kind == "dollar":
        return set()                       # d$a: a column, compared elementwise already
    if e.kind == "call" and e.value in ("names", "colnames", "rownames", "levels", "nrow",
                                        "ncol", "length", "dim"):
        return set()                       # names(d) %in% v: d is read whole, not compared
    out: set[str] = set()
    for sub in (e.left, e.right):
        if sub is not None:
            out |= _plain_names(sub)
    if e.kind in ("call", "index"):
        for _, a in e.args:
            out |= _plain_names(a)
    if e.kind == "index" and e.left is not None:
        out.discard(e.left.value)          # d[i] > 2: d indexed, not compared whole
    return out


#: base-R calls done by rvector.py: helper and the argument names it takes (None: by position)
_RVECTOR_CALLS: dict[str, tuple[str, tuple[str | None, ...]]] = {
    "which": ("r_which", (None, "x")),
    "complete.cases": ("r_complete_cases", (None,)),
    "cor": ("r_cor", (None, "x", "y", "use", "method")),
    "stopifnot": ("r_stopifnot", (None,)),
    "class": ("r_class", (None, "x")),          # rclass.py
}

#: asreml.options() (asreml-R 4 reference manual, ``asreml.options``) that need nothing in
#: the translation, and why; maxit, keep.order, na.action, Csparse, gammaPar set globals
#: (``options()``); any other option is a TODO saying what is not done
_NO_EFFECT_OPTIONS: dict[str, str] = {
    "trace": "printing only", "colourise": "printing only",
    "workspace": "memory: asr_py sizes its own", "pworkspace": "memory: asr_py sizes its own",
    "threads": "cores: asr_py's BLAS threads (asr_py/threads.py)",
    # asr_py always continues past a singular average information matrix (a damped AI/EM
    # step) and reports it in the fit's diagnostics (docs/method.md, 'Scaled model')
    "ai.sing": "asr_py continues past a singular AI matrix and reports it",
    # fit$aom (standardised conditional residuals and BLUPs) is computed when read
    "aom": "fit$aom is computed when read (rasremlaom.py)",
    "design": "fit$design is built when read (rdesign.py)",
    "Cfixed": "fit$Cfixed is always there (rcfixed.py)",
    # fail = "soft": asreml returns instead of stopping; asr_py returns an unconverged fit
    # with an AsrWarning and raises AsrError (what and where) on a model it cannot fit
    "fail": "asr_py warns on non-convergence, raises on a model it cannot fit",
    # iteration-path controls: asr_py stops at its own convergence test (a stationary point
    # of the REML log-likelihood), whatever path asreml's step controls take to it
    "extra": "asr_py iterates to its own convergence test",
    "step.size": "asr_py's step control is its own (docs/method.md)",
    "ai.loadings": "asr_py's fa updates have their own safeguards (docs/method.md)",
    "ai.penalty": "asr_py's fa updates have their own safeguards (docs/method.md)",
    "pxem": "asr_py's fa updates have their own safeguards (docs/method.md)",
    "dense": "sparse/dense storage: the same fit",
}
#: asreml.options() asr_py does not do, with the reason the TODO gives
_TODO_OPTIONS: dict[str, str] = {
    "aodev": "asreml's analysis of deviance of a GLM fit (fit$aodev) is not computed",
}


def _bind_args(formals: tuple[str, ...], pos: list[R], args: list[tuple[str | None, R]]
               ) -> dict[str, R]:
    """R's argument matching for a call whose names were checked: positional arguments
    fill ``formals`` in order, named ones by name."""
    got = dict(zip(formals, pos))
    got.update({n: a for n, a in args if n is not None})
    return got


def _upper_tri_target(t: R) -> bool:
    """Whether an assignment target is ``x[upper.tri(x, diag = TRUE)]``."""
    if not (t.kind == "index" and t.value == "[" and len(t.args) == 1):
        return False
    a = t.args[0][1]
    return a.kind == "call" and a.value == "upper.tri" and any(
        (n == "diag" or n is None and k == 1) and v.kind == "name" and v.value in ("TRUE", "T")
        for k, (n, v) in enumerate(a.args))


#: dplyr verbs whose named arguments make columns of the data they are piped (rdplyr)
_MASK_VERBS = frozenset({"mutate", "transmute", "summarise", "summarize", "reframe"})
#: verbs that put each group's rows into a list-column named "data"
_NEST_VERBS = frozenset({"nest_by", "nest", "group_nest"})


def _assigned_inside(s: R) -> set[str]:
    """The names a statement assigns below its top level (``df <- .`` inside
    ``do({...})``, a loop's or a function's variables)."""
    out: set[str] = set()
    stack: list[R] = [x for x in (s.right, s.alt, *(a for _, a in s.args), *s.body)
                      if x is not None] if s.kind == "bin" and s.value in ("<-", "=") \
        else [s]
    while stack:
        e = stack.pop()
        if e.kind == "bin" and e.value in ("<-", "=", "<<-") and e.left is not None and \
                e.left.kind in ("name", "str"):
            out.add(e.left.value)
        if e.kind == "for" and e.left is not None and e.left.left is not None:
            out.add(e.left.left.value)
        if e.kind == "function":
            out.update(n for n, _ in e.args if n)
        if e.kind == "call" and e.value in _MASK_VERBS:
            # mutate(data = ..., fit = ...): columns of the pipeline, read by the calls
            # after it in the same data mask, not variables of the script
            out.update(n for n, _ in e.args if n and n not in (".by", "by", ".keep"))
        if e.kind == "call" and e.value in _NEST_VERBS:
            out.add("data")           # nest_by()/nest(): the list-column "data" (?nest_by)
        stack.extend(x for x in (e.left, e.right, e.alt) if x is not None)
        stack.extend(a for _, a in e.args if isinstance(a, R))
        stack.extend(e.body)
    return out


def _reads_any(call: R, names: set[str]) -> bool:
    """Whether an asreml() call reads one of ``names`` as a variable outside its formulas."""
    if not names:
        return False
    for _, a in call.args:
        if a.kind in ("bin", "unary") and a.value == "~":
            continue
        if names_in(a) & names:
            return True
    return False


#: R function -> (runtime function, argument names accepted, packages it may be called from)
_TMM_FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "qr": ("r_qr", ("x", "tol"), ("base",)),
    "eigen": ("r_eigen", ("x", "symmetric", "only.values"), ("base",)),
    "model.frame": ("r_model_frame", ("formula", "data"), ("stats",)),
    "crossprod": ("r_crossprod", ("x", "y"), ("base",)),
    "tcrossprod": ("r_tcrossprod", ("x", "y"), ("base",)),
    "split": ("r_split", ("x", "f", "drop"), ("base",)),
    "qr.Q": ("r_qr_q", ("qr", "complete"), ("base",)),
    "qr.R": ("r_qr_r", ("qr", "complete"), ("base",)),
    "qr.qty": ("r_qr_qty", ("qr", "y"), ("base",)),
    "qr.qy": ("r_qr_qy", ("qr", "y"), ("base",)),
    "qr.coef": ("r_qr_coef", ("qr", "y"), ("base",)),
    "rnorm": ("r_rnorm", ("n", "mean", "sd"), ("stats",)),
    "runif": ("r_runif", ("n", "min", "max"), ("stats",)),
    "A.mat": ("r_A_mat_markers", ("X", "min.MAF", "endelman", "return.imputed",
                                  "impute.method", "max.missing", "tol"), ("sommer", "rrBLUP")),
    "bdiag": ("r_bdiag", ("...",), ("Matrix",)),
    "A_mat": ("r_A_mat_pedigree", ("ped", "ploidy", "order.ped"), ("polyBreedR",)),
    "makeA": ("r_makeA", ("pedigree",), ("nadiv",)),             # rgenetics.py
    "dist": ("r_dist_matrix", ("x", "method", "diag", "upper", "p"), ("stats",)),     # rdist.py
}
_TMM_FUNCS.update(_RMARGINS_FUNCS)                         # rowSums(), colMeans(), ...
_TMM_FUNCS.update(_RSETS_FUNCS)            # union(), setdiff(), duplicated(), ... (rsets.py)
_TMM_FUNCS.update(_RPLUSVALID_FUNCS)  # asremlPlus validAsrtests(), isCompoundSymmetric()
_TMM_FUNCS.update(_RFDIST_FUNCS)                           # pf(), qf() (rfdist.py)
_TMM_FUNCS.update(_RVLOOKUP_FUNCS)                      # expss::vlookup() (rvlookup.py)
_TMM_FUNCS.update(_RTRYCATCH_FUNCS)                    # conditionMessage() (rtrycatch.py)
_TMM_FUNCS.update(_RSYSTEM_FUNCS)          # file.exists(), Sys.time(), ... (rsystem.py)
_TMM_FUNCS.update(_RISTRUE_FUNCS)                      # isTRUE(), isFALSE() (ristrue.py)
_TMM_FUNCS.update(_RCOMMANDARGS_FUNCS)       # commandArgs(trailingOnly = TRUE) (rcommandargs.py)
_TMM_FUNCS.update(_RASLOGICAL_FUNCS)                       # as.logical() (raslogical.py)
_TMM_FUNCS.update(_RAGHMATRIX_FUNCS)               # AGHmatrix's Gmatrix(), Amatrix()
_TMM_FUNCS.update(_RASRGENOMICS_FUNCS)             # ASRgenomics' full2sparse(), sparse2full()
_TMM_FUNCS.update(_RASRGENOMICSKIN_FUNCS)    # ASRgenomics' G.matrix(), G.tuneup(), G.inverse()
_TMM_FUNCS.update(_RASRGENOMICSQC_FUNCS)                  # ASRgenomics' qc.filtering()
_TMM_FUNCS.update(_RCVTOOLS_FUNCS)                              # cvTools' cvFolds()
_TMM_FUNCS.update(_RPADJUST_FUNCS)                         # p.adjust() (rpadjust.py)
_TMM_FUNCS.update(_RBINDCOLS_FUNCS)                      # dplyr's bind_cols() (rbindcols.py)
_TMM_FUNCS["identical"] = ("r_identical", ("x", "y"), ("base",))      # ridentical.py
_TMM_FUNCS.update(_RDIFF_FUNCS)                                   # diff() (rdiff.py)
_TMM_FUNCS.update(_RTABULATE_FUNCS)                       # tabulate() (rtabulate.py)
_TMM_FUNCS.update(_RRESHAPE_FUNCS)            # base R reshape(direction = 'wide')
_TMM_FUNCS.update(_RCOMBN_FUNCS)                                # combn() (rcombn.py)
_TMM_FUNCS.update(_RPRCOMP_FUNCS)                             # prcomp() (rprcomp.py)
_TMM_FUNCS.update(_RSIGNIF_FUNCS)                             # signif() (rsignif.py)
_TMM_FUNCS.update(_RSETATTRS_FUNCS)                           # unclass() (rsetattrs.py)
_TMM_FUNCS.update(_RARRAY_FUNCS)                              # array() (rarray.py)
_TMM_FUNCS.update(_RROWSUM_FUNCS)                             # rowsum() (rrowsum.py)
_TMM_FUNCS.update(_RSTACK_FUNCS)                              # stack() (rstack.py)
_TMM_FUNCS.update(_RQUANTILE_FUNCS)                       # quantile() (rquantile.py)
_TMM_FUNCS.update(_RCULLIS_FUNCS)                   # agriutilities h_cullis() (rcullis.py)
_TMM_FUNCS.update(_RALLEQUAL_FUNCS)                           # all.equal() (rallequal.py)
_TMM_FUNCS.update(_RREMOVEEMPTY_FUNCS)              # janitor's remove_empty() (rremoveempty.py)
_TMM_FUNCS.update(_RREMOVEROWNAMES_FUNCS)        # tibble's remove_rownames() (rremoverownames.py)

def _exact(e: R) -> str:
    """``, exact=True`` for a dollar node written ``x[["a"]]`` (no partial matching)."""
    return ", exact=True" if EXACT in e.comments else ""


class Translator(BasePrinter):
    """Statement-by-statement translation with a little state (which names are fits)."""

    def coef_random_of(self, fit: R) -> str:
        """``fit$coefficients$random``: the BLUPs under asreml's names (rcoefrandom.py)."""
        extra = f", {self.term_renamed!r}" if self.term_renamed else ""
        return f"{self.runtime('r_coef_random')}({self.py(fit)}{extra})['solution']"

    def _lm_like(self, e: R | None) -> bool:
        """Whether ``e`` is known to be another package's fit (lm, lmer, LMMsolve, gls)."""
        return e is not None and (e.kind == "name" and e.value in self.lm_fits or
                                  e.kind == "call" and e.value in {"lm", *rlme4.FITS})

    def compound(self, s: R, depth: int) -> list[str]:
        """A pipe from a bare name the script never defines (``besag.met |> mutate(...)``)
        reads that name as R's lazy data (rlazy.py), as ``data = name`` and ``d <- name``
        do: bound just before the statement, so every verb of the chain reads it (not in
        a script that calls load(), whose names translate cannot see)."""
        for head in ([] if self.loads else _pipe_heads(s)):
            lazy = self.lazy_data(head)
            if lazy is not None:
                self._note_once(f"{pyname(head.value)} = {lazy}")
        return super().compound(s, depth)

    def py(self, e: R) -> str:
        """A dae/asremlPlus function named as a value (``list(ar1 = mat.ar1)``,
        ``FUN = mat.ar1``) is its asr_py.compat counterpart, unless the script defines it."""
        if e.kind == "name" and e.value in _COMPAT and e.value not in self.assigned \
                and e.value not in self.functions and not self.data_cols:
            return _COMPAT[e.value]
        if e.kind == "name" and self.asreml_data and e.value in rlazy.ASREML_DATA and \
                e.value not in self.defined and not self.data_cols:
            # asreml's own data set (LazyData), used as a value: ainverse(harvey.ped)
            return f"{self.runtime('r_lazy')}({e.value!r}, globals())"
        if e.kind in ("call", "bin", "paren"):      # a ggplot2 plot: a note (rggplot.py)
            plot = rggplot.translate(self, e)
            if plot is not None:
                return plot
        return super().py(e)

    def __init__(self, code: str, comment_spans: list[tuple[int, int]]) -> None:
        super().__init__(code, comment_spans)
        self.fits: set[str] = set()
        #: random terms the translation rewrote -> the script's text (rcoefrandom.py)
        self.term_renamed: dict[str, str] = {}
        #: fit$coefficients$fixed: every level, in the script's asreml version's order (rcoef.py)
        # (read in the code without its comments: a comment inside summary(...) or one
        # that mentions rcov = says nothing of the script's asreml)
        self.coef_fixed = ("coef_fixed_all('reverse')" if coef_order(self.bare) == "reverse"
                           else "coef_fixed_all()")
        self.preds: dict[str, set[str]] = {}
        #: data frames read with check.names = FALSE: their names are the file's ("TBFM "),
        #: which scripts reach by R's partial ``$`` (``d$TBFM``)
        self.raw_names: set[str] = set()
        self.walds: set[str] = set()
        self.variograms: set[str] = set()
        self.startvals: set[str] = set()
        self.spatial: dict[str, tuple[str, str]] = {}
        self.maxit = False
        self.keep_order = False     # asreml.options(keep.order = ) seen: KEEP_ORDER
        self.na_option = False      # asreml.options(na.action = ) seen: NA_ACTION
        self.csparse_opt = False    # asreml.options(Csparse = ) seen: CSPARSE (rcsparse.py)
        self.gamma_par_opt = False  # asreml.options(gammaPar = ) seen: GAMMA_PAR (rgammapar)
        self.hoisted = 0
        self.formulas: dict[str, dict[str, str]] = {}   # fit -> its formulas (for update)
        self.last_formulas: dict[str, str] = {}
        self.lm_fits: set[str] = set()          # names bound to lm() fits (rlm.py)
        #: every name the whole script defines, and whether it may define others unseen
        #: (rlazy.py: a bare name it never defines is an attached package's data set)
        self.defined: set[str] = set()
        self.opaque = True
        self.asreml_data = False     # only asreml attached: its data sets (rlazy.ASREML_DATA)
        self.called: set[str] = set()
        self.loads = True            # the script calls load(): no pipe-head lazy data

    # ----- simple statements ---------------------------------------------------------------
    def top(self, e: R, depth: int) -> str:
        if e.kind == "bin" and e.value in ("<-", "=", "<<-"):
            return self.assign(e)
        if e.kind == "call" and e.value == "asreml.options":
            return self.options(e)
        if e.kind == "call" and e.value == "return":
            return "return" + (f" {self.py(e.args[0][1])}" if e.args else "")
        if e.kind == "call" and e.value in ("stop", "abort"):
            msg = self.paste(R("call", "paste0", [(n, a) for n, a in e.args if n is None]))
            return f"raise RuntimeError({msg})"
        if e.kind == "call" and e.value in ("message", "warning", "cat"):
            return self.call(R("call", e.value, e.args, start=e.start, end=e.end))
        if e.kind == "call" and e.value in ("data",) and e.args:
            return self.data_call(e)
        if e.kind == "call" and e.value == "load" and e.args:
            path = [a for n, a in e.args if n in (None, "file")][0]
            return f"globals().update({self.runtime('load_rdata')}({self.py(path)}))"
        if e.kind == "call" and e.value in ("save", "saveRDS") and e.args and \
                e.value not in self.functions:
            return save_statement(self, e)              # rsave.py
        if e.kind == "call" and e.value == "set.seed" and e.args:
            return self.np(f"np.random.seed({self.py(e.args[0][1])})")
        if e.kind == "call" and e.value in ("source", "sys.source") and e.args and \
                e.args[0][0] in (None, "file") and e.args[0][1].kind == "str":
            # the R file translated and run here when the script runs, as R's source();
            # its functions are called through r_sourced (a placeholder if it lacks one)
            self.sourced = True
            return f"{self.runtime('r_source')}({self.py(e.args[0][1])}, globals())"
        if e.kind == "call" and e.value in ("source",):
            raise Untranslatable("source(): translate that file too and import it")
        if e.kind == "call" and e.value == "remove" and "remove" not in self.functions:
            e = R("call", "rm", e.args, left=e.left, start=e.start, end=e.end,
                  comments=e.comments)                 # base R: remove() is rm()
        if e.kind == "call" and e.value == "rm" and e.args and "rm" not in self.functions \
                and all(n is None and a.kind in ("name", "str") for n, a in e.args) and \
                renv.asks_names(self.code):
            # rm(a, b) in a script that asks ls()/exists(): gone from them. Otherwise kept
            # (a column looked up as subset(d, x == 1) falls back on a variable x: r_col_or)
            return renv.rm_statement(self, e)
        if e.kind == "call" and self.src(e.left or e).endswith("opts_knit$set") and \
                all(n in ("root.dir", "progress", "verbose") for n, _ in e.args):
            # knitr's root.dir: the chunks' working folder, as setwd() (rsetwd.py)
            root = [a for n, a in e.args if n == "root.dir"]
            if root:
                note_setwd(self, R("call", "setwd", [(None, root[0])]))
            return f"# {self.src(e)}: nothing to do in Python"
        if e.kind == "call" and e.value in ("system", "system2", "shell") and \
                e.value not in self.functions:
            # a shell command (an external program: gcta64, rm): not run from Python
            return (f"# NOTE(asr_py): {e.value}(): a shell command, not run by the "
                    f"translation: {' '.join(self.src(e).split())}")
        gfx = rgraphcalls.statement(self, e)       # base graphics (rgraphcalls.py)
        if gfx is not None:
            return gfx
        got = rsetdt.statement(self, e)            # setDT(d): d rebound (rsetdt.py)
        if got is not None:
            return got
        silenced = rcapture.statement(self, e, depth)   # capture.output(x <- f(), file =)
        if silenced is not None:
            return "\n".join(silenced)
        if e.kind == "call" and (e.value in _NOOP or self.src(e.left or e).endswith(
                "opts_chunk$set")):
            if e.value == "setwd":
                note_setwd(self, e)          # paths under that folder: rsetwd.py
            return f"# {self.src(e)}: nothing to do in Python"
        out = self.py(e)
        if out == "__IMPORT__":
            return out
        if depth == 0 and e.kind == "call" and e.value == "eval" and \
                out.startswith(self.runtime("r_eval_text") + "(") and out.endswith(")"):
            return out[:-1] + ", show=True)"     # R prints its value unless it is assigned
        if depth > 0 or out.startswith(("print(", "asr.plot_variogram(", "r_glimpse(")) or (
                e.kind == "call" and e.value in ("print", "cat", "plot", "library", "write.csv",
                                                 "str", "write.table", "write_csv", "ggsave",
                                                 "fwrite", "stopifnot")) or (
                e.kind == "call" and e.value in (*EXPECT_VALUE, "expect_is", "expect_s3_class",
                                                 *rexpectmore.FUNCTIONS)):
            return out
        return f"print({out})"  # R prints the value of a top-level expression

    def data_call(self, e: R) -> str:
        names = [a.value for n, a in e.args if n is None and a.kind in ("name", "str")]
        if not names:
            raise Untranslatable("data()")
        helper = self.runtime("r_data")
        pkg = [a for n, a in e.args if n == "package" and a.kind in ("name", "str")]
        extra = f", package={pkg[0].value!r}" if pkg else ""
        for n in names:
            self.assigned.add(n)
        return "; ".join(f"{pyname(n)} = {helper}({n!r}, globals(){extra})" for n in names)

    def assign(self, e: R) -> str:
        try:
            return self._assign(e)
        except Untranslatable as exc:    # f(g(x)) <- v through a temporary (rcomplexassign)
            if str(exc) not in ("assignment target", "indexed assignment") or \
                    e.left is None or e.right is None:
                raise
            self.__dict__["_tmp_n"] = n = self.__dict__.get("_tmp_n", 0) + 1
            parts = via_temporary(e.left, e.right, f".asr_tmp{n}")
            if parts is None:
                raise
            try:
                return "\n".join(self.assign(p) for p in parts)
            except Untranslatable:
                raise exc from None
        finally:           # after the value is translated: which columns are factors now
            if e.left is not None and e.right is not None:
                r = _pipe(e.right) if e.right.kind == "bin" and e.right.value in (
                    "|>", "%>%") else _undo_docall(e.right)
                rfactor.note(self, e.left, r)

    def _assign(self, e: R) -> str:
        assert e.left is not None and e.right is not None
        target, r = e.left, _undo_docall(e.right)
        if r.kind == "bin" and r.value in ("|>", "%>%"):
            r = _pipe(r)
        if r.kind == "bin" and r.value in ("<-", "=", "<<-") and r.left is not None:
            inner = self.assign(r)              # a <- b <- value
            outer = self.assign(R("bin", "<-", left=target, right=r.left, start=e.start,
                                  end=e.end))
            last = r
            while last.kind == "bin" and last.value in ("<-", "=", "<<-") and \
                    last.right is not None:
                last = last.right
            if last.kind == "call" and last.value in CONTAINER_CALLS and \
                    target.kind in ("name", "str") and r.left.kind in ("name", "str"):
                # R copies: a <- b <- list() are two lists (rcopy.py), not one dict
                lhs, _, rhs = outer.partition(" = ")
                if rhs == pyname(r.left.value):
                    outer = f"{lhs} = {self.runtime('r_copy')}({rhs})"
            return f"{inner}\n{outer}"
        if target.kind in ("name", "str"):
            name = target.value
            rpossibly.note(self, name, r)       # g <- possibly(f, v): g(...) as f(...)
            rhs = (None if name in self.called else self.lazy_data(r)) or self.py(r)
            rggplot.note_binding(self, name, r)     # p <- ggplot(...): a plot (rggplot.py)
            rcolorramp.note_binding(self, name, r)  # pal <- colorRampPalette(cols)
            rhs = alias_copy(r, rhs, self.assigned | set(self.params), self.functions, pyname,
                             self.runtime)      # d2 <- d: R copies on modify (rcopy.py)
            rhs = summary_rhs(self, r) or rhs   # s <- summary(fit); s$varcomp (rsummary.py)
            self.assigned.add(name)
            track(self.matrices, name, r)       # positional arithmetic of matrices
            track_vector(self.vectors, name, r)  # and of vectors held as lists
            track_list(self, name, r)           # R lists compared by element (rcompare)
            rdtquery.track(self, name, r)       # a data.table: DT[i], DT[, j, by]
            text_kind = renv.text_fit_kind(self, r)     # eval(parse(text = "asreml(..."))
            is_fit = _is_fit_call(r, self.fits) or _fit_alias(r, self.fits) or \
                text_kind == "fit"
            coords = self.spatial_of(r) if is_fit else None
            self._asreml3_predictions(r)
            # x <- p$predictions of a prediction p (asreml 3's list) is that prediction;
            # x <- p$pvals is its table (x$predicted.value a column, x$sed R's NULL)
            pred_of = self.preds.get(r.left.value) if r.kind == "dollar" and \
                r.value == "predictions" and r.left is not None and \
                r.left.kind == "name" else None
            for group in (self.fits, self.walds, self.variograms, self.startvals,
                          self.raw_names):
                group.discard(name)
            self.lm_fits.discard(name)
            if r.kind == "call" and rlme4.base_name(r.value) in {"lm", "aov", "LMMsolve",
                                                                  *rlme4.FITS, *rnlme.FITS} or \
                    r.kind == "bin" and r.value in ("|>", "%>%") and r.right is not None and \
                    r.right.kind == "call" and r.right.value in {"lm", *rlme4.FITS}:
                self.lm_fits.add(name)
            rlme4.note_binding(self, name, r)   # emmeans() results: vcov(x) is theirs
            if r.kind == "call" and r.value == "list":
                self.raw_names.add(name)        # a list: x$absent is NULL (r_dollar)
            if r.kind == "call" and r.value in ("read.csv", "read.table", "read.delim",
                                                "read.csv2") and any(
                    n is not None and _partial(n, ("check.names",)) == "check.names"
                    and a.kind == "name" and a.value in ("FALSE", "F") for n, a in r.args):
                self.raw_names.add(name)
            self.preds.pop(name, None)
            self.spatial.pop(name, None)
            if is_fit:
                self.fits.add(name)
                self.formulas[name] = dict(self.formulas.get(r.value, {})) if \
                    _fit_alias(r, self.fits) else dict(self.last_formulas)
                if coords:
                    self.spatial[name] = coords
            elif r.kind == "call" and r.value in ("asreml", "asreml.fit") or \
                    text_kind == "startvals":
                self.startvals.add(name)
            elif r.kind == "dollar" and r.left is not None and (
                    r.left.kind == "name" and r.left.value in self.startvals or
                    r.left.kind == "call" and r.left.value == "asreml"):
                self.startvals.add(name)
                if r.value in ("G.param", "R.param"):     # an R list (rparamlist.py)
                    self.__dict__.setdefault("param_lists", set()).add(name)
            elif pred_of is not None:
                self.preds[name] = set(pred_of)
            elif r.kind == "call" and r.value in ("predict", "predict.asreml") or (
                    r.kind == "dollar" and r.value == "predictions" and r.left is not None
                    and r.left.kind == "call" and r.left.value in ("predict",
                                                                   "predict.asreml")):
                # asreml 3's predict(...)$predictions is the list of pvals, sed, ...
                call = r if r.kind == "call" else r.left
                assert call is not None
                self.preds[name] = {n for n, a in call.args if n in ("sed", "vcov")
                                    and a.kind == "name" and a.value in ("TRUE", "T")}
            elif r.kind == "call" and r.value in ("wald", "wald.asreml"):
                self.walds.add(name)
            elif r.kind == "call" and r.value in ("varioGram", "varioGram.asreml"):
                self.variograms.add(name)
            return f"{pyname(name)} = {rhs}"
        if target.kind == "dollar" and target.left is not None and r.kind == "name" and \
                r.value == "NULL":                 # d$x <- NULL removes the column
            obj = self.py(target.left)
            return f"if {target.value!r} in {obj}:\n    del {obj}[{target.value!r}]"
        cols_fn = self._lapply_cols(target, r)
        if cols_fn is not None:
            return cols_fn
        rhs = self.py(r)
        if _upper_tri_target(target) and r.kind == "dollar" and r.value == "Cfixed" and \
                r.left is not None and self.is_fit(r.left):
            # C[upper.tri(C, diag = TRUE)] <- fit$Cfixed: asreml 3's packed triangle
            rhs = (f"{self.runtime('r_cfixed')}({self.py(r.left)}, packed=True"
                   + (", order='reverse')" if "reverse" in self.coef_fixed else ")"))
        if target.kind == "dollar" and target.left is not None and \
                target.left.kind == "name" and target.left.value == ".GlobalEnv":
            # .GlobalEnv$x <- v (in a function or a foreach body): the script's variable
            self.assigned.add(target.value)
            return f"globals()[{pyname(target.value)!r}] = {rhs}"
        if target.kind == "dollar" and target.left is not None and \
                target.left.kind == "index" and target.left.value == "[":
            # d[rows, ]$a <- v: d[rows, ] is a copy here; R's *tmp* rule (rcomplexassign)
            raise Untranslatable("assignment target")
        if target.kind == "dollar" and target.left is not None:
            return f"{self._dollar_lvalue(target)} = {self.by_position(target.left, r, rhs)}"
        if target.kind == "index" and target.value == "[" and len(target.args) == 1 and \
                target.left is not None and target.left.kind == "call" and \
                target.left.value in ("names", "colnames") and len(target.left.args) == 1:
            # names(d)[3] <- "Yield", colnames(d)[d == "x"] <- "y"
            inner = target.left.args[0][1]
            obj = self.py(inner)
            value = (f"{self.runtime('r_rename_at')}({obj}, "
                     f"{self.py(target.args[0][1])}, {rhs})")
            if inner.kind not in ("name", "str"):
                # colnames(l[[1]])[2:4] <- v: renamed, written back into l[[1]]
                return self.assign_into(inner, value)
            return f"{obj} = {value}"
        if target.kind == "index" and target.value == "[" and len(target.args) == 1 and \
                target.left is not None and target.left.kind == "call" and \
                target.left.value == "levels" and len(target.left.args) == 1 and \
                target.left.args[0][0] is None and not (r.kind == "call" and r.value == "list"):
            # levels(f)[i] <- v: `levels<-`(f, `[<-`(levels(f), i, v)) (rsetlevels.py)
            inner = target.left.args[0][1]
            obj = self.py(inner)
            lv = (f"{self.runtime('r_sub_assign')}({self.runtime('r_levels')}({obj}), "
                  f"{self.py(target.args[0][1])}, {rhs})")
            return self._set_levels(inner, lv)
        if target.kind == "index" and target.left is not None:
            self.__dict__["_col_value"] = r      # the R value, for by_position (rcolpos)
            return self.assign_index(target, rhs)
        part = self._replace_part(target, rhs)
        if part is not None:
            return part
        if target.kind == "call" and target.value in ("rownames", "row.names", "colnames") \
                and len(target.args) == 1:
            # rownames(m) <- v / colnames(m) <- v on a matrix or data frame (rmatrix.py)
            inner = target.args[0][1]
            obj = self.py(inner)
            helper = "set_colnames" if target.value == "colnames" else "set_rownames"
            if inner.kind not in ("name", "str"):
                # colnames(l[[1]]) <- v: written back into l[[1]]
                return self.assign_into(inner, f"{self.runtime(helper)}({obj}, {rhs})")
            return f"{obj} = {self.runtime(helper)}({obj}, {rhs})"
        if target.kind == "call" and target.value == "names" and target.args:
            inner = target.args[0][1]
            if inner.kind not in ("name", "str"):
                # names(x[i]) <- v: R's `names<-` applied to x[i], written back into x[i]
                return self.assign_into(inner, f"{self.runtime('set_names')}("
                                        f"{self.py(inner)}, {rhs})")
            obj = self.py(inner)
            return f"{obj} = {self.runtime('set_names')}({obj}, {rhs})"
        if target.kind == "call" and target.value == "attr" and len(target.args) == 2 and \
                target.args[1][1].kind == "str":     # attr(x, "INVERSE") <- TRUE
            inner = target.args[0][1]
            obj = self.py(inner)
            value = f"{self.runtime('r_set_attr')}({obj}, {target.args[1][1].value!r}, {rhs})"
            if inner.kind not in ("name", "str"):
                # attr(l[[i]], "a") <- v: R's `attr<-` on l[[i]], written back into l[[i]]
                return self.assign_into(inner, value)
            return f"{obj} = {value}"
        if target.kind == "call" and target.value == "dimnames" and len(target.args) == 1 \
                and target.args[0][1].kind == "name":
            obj = self.py(target.args[0][1])           # dimnames(m) <- list(rows, cols)
            return f"{obj} = {self.runtime('r_set_dimnames')}({obj}, {rhs})"
        if target.kind == "call" and target.value == "dimnames" and len(target.args) == 1 \
                and target.args[0][0] is None:
            # dimnames(l[[j]]) <- list(rows, cols): set on l[[j]], written back into it
            inner = target.args[0][1]
            return self.assign_into(inner, f"{self.runtime('r_set_dimnames')}("
                                    f"{self.py(inner)}, {rhs})")
        if target.kind == "call" and target.value == "diag" and len(target.args) == 1:
            return _pkg_set_diag(self, target, rhs)           # diag(V) <- diag(V) + 1e-14
        if target.kind == "call" and target.value == "levels" and len(target.args) == 1 and \
                target.args[0][0] is None and not (r.kind == "call" and r.value == "list"):
            return self._set_levels(target.args[0][1], rhs)    # rsetlevels.py
        if target.kind == "call" and target.value == "levels" and target.args:
            raise Untranslatable("levels(x) <- ...")
        setter = rsetattrs.assign_call(self, target, rhs, r)    # class(x) <- v, dim(x) <- d
        if setter is not None:
            return setter
        raise Untranslatable("assignment target")

    def _mapply(self, args: list[tuple[str | None, R]]) -> str:
        """``mapply(FUN, ..., MoreArgs, SIMPLIFY = FALSE, USE.NAMES)`` (rmapply.py): FUN by
        name or first position; the ``...`` arguments in order, positional before named."""
        opts = {n: a for n, a in args if n in ("FUN", "MoreArgs", "SIMPLIFY", "USE.NAMES")}
        rest = [(n, a) for n, a in args if n not in opts]
        if "FUN" not in opts:
            if not rest or rest[0][0] is not None:
                raise Untranslatable("mapply() without FUN")
            opts["FUN"], rest = rest[0][1], rest[1:]
        simplify = opts.get("SIMPLIFY")
        if simplify is not None and not (simplify.kind == "name" and simplify.value in (
                "FALSE", "F", "TRUE", "T")):
            raise Untranslatable("mapply(SIMPLIFY = <not TRUE or FALSE>)")
        simple = simplify is None or simplify.value in ("TRUE", "T")
        names = [n for n, _ in rest]
        if any(n is None for n in names[names.index(next((n for n in names if n), None)):]
               ) if any(names) else False:
            raise Untranslatable("mapply() with a positional argument after a named one")
        fun = opts["FUN"]
        if not (fun.kind == "function" or fun.kind == "name" and fun.value in self.functions):
            # a function mapped to Python by name is not known to take these arguments
            raise Untranslatable(f"mapply() of {self.src(fun)}")
        fn = self.fun_ref(fun)
        rest = [(pyname(n) if n else n, a) for n, a in rest]   # its Python parameters
        kw = self.kwargs(rest)
        if "MoreArgs" in opts:
            kw.append(f"more_args={self.py(opts['MoreArgs'])}")
        use = opts.get("USE.NAMES")
        if use is not None:
            kw.append(f"use_names={self.py(use)}")
        if simple:
            kw.append("simplify=True")
        return f"{self.runtime('r_mapply')}({', '.join([fn] + kw)})"

    def _set_levels(self, inner: R, levels: str) -> str:
        """``inner <- `levels<-`(inner, levels)``, written back where ``inner`` lives."""
        value = f"{self.runtime('r_set_levels')}({self.py(inner)}, {levels})"
        if inner.kind in ("name", "str"):
            return f"{self.py(inner)} = {value}"
        return self.assign_into(inner, value)

    def _lapply_cols(self, target: R, r: R) -> str | None:
        """``d[cols] <- lapply(d[cols], f)`` (or ``d[, cols]``): f applied to each of those
        columns (R's idiom for ``factor``/``as.numeric`` on several columns)."""
        if not (target.kind == "index" and target.value == "[" and target.left is not None
                and r.kind == "call" and r.value in ("lapply", "sapply")
                and len(r.args) == 2 and all(n in (None, "X", "FUN") for n, _ in r.args)):
            return None
        sel = [a for _, a in target.args]
        x, fun = (dict(r.args).get("X", r.args[0][1]), dict(r.args).get("FUN", r.args[1][1]))
        if len(sel) == 2 and sel[0].kind == "empty":
            sel = sel[1:]
        if len(sel) != 1 or sel[0].kind == "empty" or self.src(x) not in (
                self.src(target), f"{self.src(target.left)}[{self.src(sel[0])}]"):
            return None
        conv = {"factor": "r_labels", "as.factor": "r_labels", "as.character": "r_labels",
                "as.numeric": "lambda s: pd.to_numeric(s, errors='coerce')",
                "as.double": "lambda s: pd.to_numeric(s, errors='coerce')"}
        if fun.kind == "name" and fun.value in conv:
            fn = conv[fun.value]
            if fn == "r_labels":
                self.runtime("r_labels")
        elif fun.kind == "function" or fun.kind == "name" and fun.value in self.functions:
            fn = self.py(fun)
        else:
            return None
        d = self.py(target.left)
        return f"{d} = {self.runtime('r_lapply_cols')}({d}, {self.py(sel[0])}, {fn})"

    def assign_index(self, target: R, rhs: str) -> str:
        """``d$x[cond] <- v`` -> ``d.loc[cond, 'x'] = v``; ``x[["a"]] <- v``."""
        assert target.left is not None
        value = self.__dict__.pop("_col_value", None)   # set by _assign: rhs's R value
        arr = rarray.assign(self, target, rhs)       # x[i, j, k] <- v of an array (rarray)
        if arr is not None:
            return arr
        args = [a for _, a in target.args]
        obj = target.left
        if target.value == "[[" and len(args) == 1:
            null = value is not None and value.kind == "name" and value.value == "NULL"
            if args[0].kind == "str" and not null:      # x[["a"]] <- NULL: r_set2 removes
                return f"{self.py(obj)}[{self.py(args[0])}] = {self.by_position(obj, value, rhs)}"
            # x[[i]] <- v, x[[v[k]]] <- v: R's 1-based position or a name (rlist.r_set2)
            new = f"{self.runtime('r_set2')}({self.py(obj)}, {self.py(args[0])}, {rhs})"
            if obj.kind == "name":
                self.assigned.add(obj.value)
                return f"{pyname(obj.value)} = {new}"
            return self.assign_into(obj, new)
        if target.value == "[[" and len(args) == 2 and "empty" not in (args[0].kind,
                                                                         args[1].kind):
            # m[[i, j]] <- v: one cell (of a list matrix: any object, a data frame too)
            frame = self.py(obj)
            col = (f"{frame}.columns[{int(float(args[1].value)) - 1}]"
                   if args[1].kind == "num" else self.py(args[1]))
            row = self._rows(frame, args[0]) if args[0].kind in ("num", "str") else \
                f"{self.runtime('r_rows')}({frame}, {self.py(args[0])})[0]"
            return f"{frame}.at[{row}, {col}] = {rhs}"
        if obj.kind == "dollar" and obj.left is not None and len(args) == 1 and \
                obj.left.kind == "name" and obj.left.value in getattr(self, "r_lists", ()):
            # l$a[i] <- v of a list: R's l$a <- `[<-`(l$a, i, v) (l$a partially matched)
            lst = self.py(obj.left)
            return (f"{lst}[{obj.value!r}] = {self.runtime('r_sub_assign')}("
                    f"{self.runtime('r_dollar')}({lst}, {obj.value!r}), "
                    f"{self.py(args[0])}, {rhs})")
        if obj.kind == "dollar" and obj.left is not None and len(args) == 1:
            # d$x[i] <- v is R's d$x <- `[<-`(d$x, i, v): positions, a mask (by position,
            # NA selecting nothing) or row names, v's values by position (never pandas'
            # alignment on v's index); a new column starts as R's NULL
            frame = self.py(obj.left)
            col = f"{self.runtime('r_dollar')}({frame}, {obj.value!r}, exact=True)"
            new = (f"{self.runtime('r_col_value')}({frame}, {self.runtime('r_sub_assign')}("
                   f"{col}, {self.py(args[0])}, {rhs}))")
            return self.assign_into(obj, new)
        if len(args) == 2 and args[0].kind != "empty" and args[1].kind != "empty" and \
                obj.kind in ("name", "dollar") and not (obj.kind == "dollar" and obj.left is None):
            # x[i, j] <- v of a data frame or a matrix: R's positions, names or masks for
            # both (a number j is the j-th column, not a column labelled j)
            new = (f"{self.runtime('r_ij_assign')}({self.py(obj)}, {self.py(args[0])}, "
                   f"{self.py(args[1])}, {rhs})")
            if obj.kind == "name":
                self.assigned.add(obj.value)
                return f"{pyname(obj.value)} = {new}"
            assert obj.left is not None
            return f"{self.py(obj.left)}[{obj.value!r}] = {new}"
        if len(args) == 2 and args[0].kind != "empty" and args[1].kind != "empty":
            frame = self.py(obj)
            return f"{frame}.loc[{self._rows(frame, args[0])}, {self.py(args[1])}] = {rhs}"
        if len(args) == 2 and args[0].kind == "empty" and obj.kind == "name" and (
                args[1].kind == "call" and args[1].value in ("match", "which", "grep") or
                _numeric_subscript(args[1])):
            # x[, 2:4] <- v, x[, match("a", v)] <- 0, x[, -c(1:7)] <- round(x[, -c(1:7)]):
            # the columns at those positions (R counts from 1; negative ones excluded) of a
            # data frame or a matrix (a matrix is copied: R's x is rebound)
            self.assigned.add(obj.value)
            return (f"{pyname(obj.value)} = {self.runtime('r_ij_assign')}({self.py(obj)}, "
                    f"None, {self.py(args[1])}, {rhs})")
        if len(args) == 2 and args[0].kind == "empty" and args[1].kind == "call" and \
                args[1].value in ("match", "which", "grep"):
            # x[, match("a", v)] <- 0: the columns at those positions (R counts from 1)
            pos = self.np(f"np.atleast_1d({self.py(args[1])})")
            return f"{self.py(obj)}.iloc[:, {pos} - 1] = {rhs}"
        if len(args) == 2 and args[0].kind == "empty" and _numeric_subscript(args[1]) and \
                not (args[1].kind == "unary" and args[1].value == "-"):
            # x[, 2:4] <- v: the columns at those positions, R's values by position
            pos = self.np(f"np.atleast_1d({self.py(args[1])})")
            return f"{self.py(obj)}.iloc[:, {pos} - 1] = np.asarray({rhs})"
        if len(args) == 2 and args[0].kind == "empty" and args[1].kind == "name" and \
                obj.kind == "name" and args[1].value not in ("T", "F", "TRUE", "FALSE"):
            # x[, j] <- v with j a variable: a position (for (i in 2:ncol(x))) or a name,
            # known when it runs (a number j is the j-th column, not a column labelled j)
            self.assigned.add(obj.value)
            return (f"{pyname(obj.value)} = {self.runtime('r_ij_assign')}({self.py(obj)}, "
                    f"None, {self.py(args[1])}, {rhs})")
        if len(args) == 2 and args[0].kind == "empty":
            return f"{self.py(obj)}[{self.py(args[1])}] = {self.by_position(obj, value, rhs)}"
        vec = self._assign_vector(target, rhs)
        if vec is not None:
            return vec
        if target.value == "[" and len(args) == 1 and args[0].kind != "empty":
            return self.assign_sub(target, rhs)
        if target.value == "[" and len(args) == 2 and args[0].kind != "empty" and \
                args[1].kind == "empty" and all(n is None for n, _ in target.args) and (
                obj.kind == "name" or obj.kind == "dollar" and obj.left is not None):
            # x[i, ] <- v (semivar[j, ] <- c(...), sel[is.na(p), ] <- 0): the rows at R's
            # positions, names or mask, every column, the values recycled (r_ij_assign)
            new = (f"{self.runtime('r_ij_assign')}({self.py(obj)}, {self.py(args[0])}, "
                   f"None, {rhs})")
            if obj.kind == "name":
                self.assigned.add(obj.value)
                return f"{pyname(obj.value)} = {new}"
            assert obj.left is not None
            return f"{self.py(obj.left)}[{obj.value!r}] = {new}"
        raise Untranslatable("indexed assignment")

    def by_position(self, frame: R, value: R | None, rhs: str,
                    columns_by_name: bool = False) -> str:
        """``rhs`` (the Python of ``value``) as a new column of ``frame``: R puts it by
        position (rcolpos.py); unchanged when ``value`` keeps the frame's rows (constants,
        the frame's own columns; None: unknown)."""
        if value is not None and not needs_position(value, frame, columns_by_name):
            return rhs
        return f"{self.runtime('r_col_value')}({self.py(frame)}, {rhs})"

    def _dollar_lvalue(self, target: R) -> str:
        """``x$name`` as an assignment target; a prediction's ``$sed``/``$vcov`` is its
        attribute (``colnames(pred$sed) <- v``: fa_outs.R), not a column of its table."""
        assert target.left is not None
        if target.left.kind == "name" and target.left.value in self.preds and \
                target.value in ("sed", "vcov"):
            return f"{self.py(target.left)}.attrs[{target.value!r}]"
        return f"{self.py(target.left)}[{target.value!r}]"

    def assign_into(self, target: R, rhs: str) -> str:
        """``target <- <rhs, already Python>`` for a target that is itself a replacement
        (``x$a``, ``x[i]``, ``x[[k]]``, ``x[i, j]``); a target Python cannot assign to (a
        call's value) is a TODO, never an assignment to a function call."""
        if target.kind == "dollar" and target.left is not None:
            return f"{self._dollar_lvalue(target)} = {rhs}"
        if target.kind == "index" and target.left is not None:
            if target.value == "[" and len(target.args) == 2 and \
                    target.args[0][1].kind == "empty" and target.args[1][1].kind != "empty":
                # d[, cols]: R's `[<-` puts the values back by position
                obj = self.py(target.left)
                return (f"{obj} = {self.runtime('r_sub_assign')}({obj}, "
                        f"{self.py(target.args[1][1])}, {rhs})")
            return self.assign_index(target, rhs)
        raise Untranslatable("assignment target")

    def tri_mask(self, f: str, args: list[tuple[str | None, R]]) -> str:
        """``lower.tri(x, diag = FALSE)`` / ``upper.tri``: the logical matrix (rmatrix.r_tri),
        as used in ``m[lower.tri(m)] <- v``."""
        x = [a for n, a in args if n in (None, "x")][0]
        dg = [a for n, a in args if n == "diag"] + [a for n, a in args if n is None][1:]
        flag = f", diag={self.py(dg[0])}" if dg else ""
        up = "True" if f == "upper.tri" else "False"
        return f"{self.runtime('r_tri')}({self.py(x)}, upper={up}{flag})"

    def assign_sub(self, target: R, rhs: str) -> str:
        """R's ``x[i] <- v`` (a vector, matrix, list or data frame; positions, names or a
        mask; growing from NULL): ``x = r_sub_assign(x, i, v)`` (rassign.py), written back
        into ``x`` itself when x is ``d$a`` or ``l[[k]]``."""
        obj = target.left
        assert obj is not None
        new = (f"{self.runtime('r_sub_assign')}({self.py(obj)}, "
               f"{self.py(target.args[0][1])}, {rhs})")
        if obj.kind == "name":
            self.assigned.add(obj.value)
            return f"{pyname(obj.value)} = {new}"
        if obj.kind == "dollar" and obj.left is not None:
            return f"{self.py(obj.left)}[{obj.value!r}] = {new}"
        if obj.kind == "index" and obj.value == "[[" and len(obj.args) == 1:
            return self.assign_index(obj, new)
        raise Untranslatable("indexed assignment")

    def _replace_part(self, target: R, rhs: str) -> str | None:
        """``names(x[i]) <- v`` (``colnames``, ``rownames``) of a part of x: R's
        ``x[i] <- `names<-`(x[i], v)``, the part's new value stored back where it was."""
        helpers = {"names": "set_names", "colnames": "set_colnames",
                   "rownames": "set_rownames", "row.names": "set_rownames"}
        if not (target.kind == "call" and target.value in helpers and
                len(target.args) == 1 and target.args[0][0] is None):
            return None
        part = target.args[0][1]
        if part.kind == "dollar" and part.left is not None:
            new = f"{self.runtime(helpers[target.value])}({self.py(part)}, {rhs})"
            return f"{self._dollar_lvalue(part)} = {new}"
        if part.kind == "index" and part.left is not None:
            new = f"{self.runtime(helpers[target.value])}({self.py(part)}, {rhs})"
            return self.assign_index(part, new)
        return None

    def _assign_vector(self, target: R, rhs: str) -> str | None:
        """``x[i] <- v`` of a vector named x (positions, a mask or names; R's recycling and
        growth): ``x = r_assign(x, i, v)`` (rvector.py)."""
        args = [a for _, a in target.args]
        obj = target.left
        if target.value != "[" or len(args) != 1 or args[0].kind == "empty" or \
                obj is None or obj.kind != "name":
            return None
        sel = args[0]
        if sel.kind in ("bin", "unary") and _mentions(sel, obj.value):
            at = self.np(self.as_array(sel, obj.value))   # x[x > 3] <- 0: elementwise
        elif sel.kind == "unary" and sel.value == "-" and sel.right is not None:
            at = self.np(f"-np.atleast_1d({self.py(sel.right)})")   # x[-k] <- v
        else:
            at = self.py(sel)
        x = self.py(obj)      # in with(d, ...) the column or the variable: read as R reads
        return f"{pyname(obj.value)} = {self.runtime('r_assign')}({x}, {at}, {rhs})"

    def melt(self, e: R) -> str:
        """reshape2's ``melt(d, id.vars, measure.vars, variable.name, value.name)`` of a data
        frame -> ``pd.melt`` (columns 'variable' and 'value', stacked column by column); of a
        matrix, R's melt.matrix (runtime ``r_melt``)."""
        keys = {"id.vars": "id_vars", "measure.vars": "value_vars",
                "variable.name": "var_name", "value.name": "value_name",
                "variable_name": "var_name", "na.rm": "na_rm"}   # reshape 0.8: variable_name
        out = [self.py(e.args[0][1])]
        given: set[str] = set()
        for n, a in e.args[1:]:
            key = _partial(n, tuple(keys)) if n is not None else None
            if key is None:
                raise Untranslatable("melt() arguments")
            given.add(keys[key])
            out.append(f"{keys[key]}={self.py(a)}")
        out += [f"{k}={v!r}" for k, v in (("var_name", "variable"), ("value_name", "value"))
                if k not in given]
        # a matrix (asremlPlus's p.differences, ...) melts by cells: r_melt decides at run time
        return f"{self.runtime('r_melt')}({', '.join(out)})"

    def table(self, e: R, frame: bool = False) -> str:
        """R's ``table(x, ...)`` (every level or combination, zeros included; sorted as R
        sorts factor levels), and ``as.data.frame(table(...))`` with ``frame``."""
        args, dnn, given, use_na = [], [], None, "no"
        for n, a in e.args:
            if n == "dnn":
                given = self.py(a)
            elif n == "useNA" and a.kind == "str" and a.value == "no":
                continue
            elif n == "useNA" and a.kind == "str" and a.value in ("ifany", "always"):
                use_na = a.value             # NA counted as a level (runtime.r_table)
            elif n is not None and n in ("exclude", "deparse.level", "useNA"):
                raise Untranslatable(f"table({n} = )")
            else:
                # R's dimnames names (deparse.level = 1): an argument's name, a bare
                # variable's name, else none (as.data.frame: Var1, Var2, ...)
                sides = rnasubset.cmp_sides(a)
                args.append(self.py(a) if not sides else
                            # table(x > k): NA where x is (R), not FALSE (rnasubset.py)
                            f"{self.runtime('r_na_logical')}({self.py(a)}, "
                            f"{self.runtime('r_na_of')}("
                            f"{', '.join(self.py(x) for x in sides)}), logical=True)")
                dnn.append(n if n is not None else a.value if a.kind == "name" else "")
        extra = ", frame=True" if frame else ""
        extra += f", dnn={given}" if given else f", dnn={dnn!r}"
        extra += f", use_na={use_na!r}" if use_na != "no" else ""
        return f"{self.runtime('r_table')}({', '.join(args)}{extra})"

    def _rows(self, frame: str, e: R) -> str:
        """Rows of ``frame`` for ``.loc``: R's row numbers are positions (``d$x[1]`` is the
        first row, whatever the index), a condition selects as it is."""
        if e.kind == "num":
            return f"{frame}.index[{int(float(e.value)) - 1}]"
        if e.kind == "str":
            return self.py(e)   # a row name: the frame's label (data frames keep them)
        if e.kind == "bin" and e.value == ":" and e.left is not None and e.right is not None:
            return f"{frame}.index[{self.py(e.left)} - 1:{self.py(e.right)}]"
        if e.kind == "bin" and e.value in ("==", "!=", "<", ">", "<=", ">=", "&", "|",
                                           "%in%") or e.kind == "unary" and e.value == "!" \
                or e.kind == "call" and e.value in ("is.na", "grepl", "duplicated"):
            return self.py(e)   # a condition on the frame's own columns: a mask, as it is
        # positions (c(2, 4), a variable, which(...)) or row names: R's, not the index's
        return f"{self.runtime('r_rows')}({frame}, {self.py(e)})"

    def hoist(self, s: R, depth: int) -> list[str]:
        out: list[str] = []
        inner = _assigned_inside(s)
        for target, call in _asreml_calls(s):
            if _reads_any(call, inner):
                # data = df where df <- . inside do({...}): a value only the untranslated
                # code computes; on its own the call would read an undefined name
                continue
            self.todo = []
            try:
                if target is not None:
                    line = self.assign(R("bin", "<-", left=target, right=call,
                                         start=call.start, end=call.end))
                else:
                    self.hoisted += 1
                    line = f"asreml_fit_{self.hoisted} = {self.asreml(call)}"
            except Untranslatable:
                continue
            if not out:
                out.append("# the asreml() call(s) of the statement below, translated on "
                           "their own:")
            out += [f"# TODO(asr_py): {t}" for t in self.todo]
            out += [_wrap(ln, 100 - 4 * depth) for ln in line.split("\n")]
        self.todo = []
        return out

    # ----- $ components ----------------------------------------------------------------------
    def _is_prediction(self, e: R | None) -> bool:
        """Whether ``e`` is a predict() call or a name holding a prediction."""
        return e is not None and (
            e.kind == "call" and e.value in ("predict", "predict.asreml")
            or e.kind == "name" and e.value in self.preds)

    def _asreml3_predictions(self, e: R) -> None:
        """R's partial ``$``: asreml 3's ``predict(...)$pred`` (``$predi``...) is its
        ``$predictions`` list (asreml 4's prediction has no element starting "pred")."""
        if e.kind == "dollar" and len(e.value) >= 4 and e.value != "predictions" and \
                "predictions".startswith(e.value) and self._is_prediction(e.left):
            e.value = "predictions"

    def _null_safe(self, e: R) -> str:
        """``x$name`` read where R's NULL is expected (``is.null(d$x)``): a name the data
        frame or list does not have is None (runtime.r_dollar), not a KeyError."""
        code = self.py(e)
        if e.kind == "dollar" and e.left is not None:
            obj = self.py(e.left)
            if code == f"{obj}[{e.value!r}]":
                return f"{self.runtime('r_dollar')}({obj}, {e.value!r}{_exact(e)})"
        return code

    def index(self, e: R) -> str:
        """``fit[["Csparse"]]``: as ``fit$Csparse`` (R's ``[[`` with a name is ``$``
        without partial matching); other indexing as the base printer's."""
        if e.value == "[" and any(n == "with" and a.kind == "name" and a.value in ("FALSE", "F")
                                  for n, a in e.args):
            # data.table's DT[, j, with = FALSE]: j selects columns as a data frame's does
            return self.index(R("index", "[", [(n, a) for n, a in e.args if n != "with"],
                                left=e.left, start=e.start, end=e.end))
        args = [a for _, a in e.args]
        if e.value == "[[" and len(args) == 1 and args[0].kind == "str" and \
                e.left is not None and self.is_fit(e.left) and args[0].value == "Csparse":
            return self.dollar(R("dollar", args[0].value, left=e.left, start=e.start,
                                 end=e.end))
        if e.value == "[[" and len(args) == 1 and args[0].kind == "str" and \
                args[0].value in ("fixed", "random") and e.left is not None and \
                e.left.kind == "call" and e.left.value in ("coef", "coefficients") and \
                e.left.value not in self.functions and len(e.left.args) == 1 and \
                e.left.args[0][0] in (None, "object") and not self._lm_like(e.left.args[0][1]):
            # coef(m)[["random"]]: R's [[ with a name is $ (no partial matching); of a
            # function's parameter too (asreml's list, decided when run)
            return self.dollar(R("dollar", args[0].value, left=e.left, start=e.start,
                                 end=e.end))
        return super().index(e)

    def dollar(self, e: R) -> str:
        assert e.left is not None
        if e.comments[:1] == [SLOT]:          # x@slot: an S4 slot (lubridate's Period, ...)
            return f"{self.runtime('r_slot')}({self.py(e.left)}, {e.value!r})"
        got = rpronoun.pronoun(self, e)      # .data$a, .env$x in a data mask
        if got is not None:
            return got
        self._asreml3_predictions(e)
        self._asreml3_predictions(e.left)
        if e.value != "asreml.obj" and _is_asrtests_fit(e.value):
            # R's partial matching of $: x$asreml.ob is the asrtests' element asreml.obj
            e = R("dollar", "asreml.obj", left=e.left, start=e.start, end=e.end)
        obj = e.left
        if obj.kind == "dollar" and obj.value == "predictions" and \
                e.value in _PREDICT_ATTRS and self._is_prediction(obj.left):
            # asreml 3's predict(...)$predictions$sed (vcov, avsed): that of the prediction
            return self.dollar(R("dollar", e.value, left=obj.left, start=e.start, end=e.end))
        if obj.kind == "call" and obj.value in ("summary", "summary.asreml") and obj.args:
            m = self.py(obj.args[0][1])
            comp = _partial(e.value, tuple(_SUMMARY_ATTRS)) or e.value   # R's partial $
            if comp == "loglik":     # asreml's scale: without the 2π constant
                return f"{self.runtime('r_loglik')}({m})"
            if comp in ("aic", "bic") and self.is_fit(obj.args[0][1]):
                return f"{self.runtime('r_' + comp)}({m})"     # from that ℓ (rsummary.py)
            if comp == "coef.fixed" and any(
                    n == "all" and a.kind == "name" and a.value in ("TRUE", "T")
                    for n, a in obj.args):
                # asreml 3's summary(m, all = TRUE)$coef.fixed: its column names
                return (f"{m}.{self.coef_fixed}.set_axis(['solution', 'std error', "
                        "'z ratio'], axis=1)")
            if comp == "varcomp":    # asreml's rows: its fixed residual scale <term>!R too
                v3 = is_asreml3(self.bare)      # asreml 3's columns and names (rvarcomp3)
                ren = f", {self.term_renamed!r}" if v3 and self.term_renamed else ""
                return f"{self.runtime('r_varcomp3' if v3 else 'r_varcomp')}({m}{ren})"
            if comp == "coef.fixed" and self.is_fit(obj.args[0][1]):
                # every level (coef_layout.py); asreml 4's columns: solution, 'std error'
                # (with a space, unlike coef.random's std.error), z.ratio
                return f"{m}.{self.coef_fixed}.rename(columns={{'std.error': 'std error'}})"
            if comp == "coef.random" and self.is_fit(obj.args[0][1]):   # asreml's names
                extra = f", {self.term_renamed!r}" if self.term_renamed else ""
                return f"{self.runtime('r_coef_random')}({m}{extra})"     # rcoefrandom.py
            if comp in _SUMMARY_ATTRS and self.is_fit(obj.args[0][1]):
                return f"{m}.{_SUMMARY_ATTRS[comp]}"
            first = obj.args[0][1]
            if first.kind == "name" and first.value in self.lm_fits or \
                    first.kind == "call" and first.value == "lm" and "lm" not in self.functions:
                # summary(lm or lmer fit)$x; R's partial $: $coef is $coefficients
                part = _partial(e.value, _LM_SUMMARY) or e.value
                return f"{m}.describe()[{part!r}]"
            if comp in _SUMMARY_ATTRS:
                return f"{m}.{_SUMMARY_ATTRS[comp]}"
            raise Untranslatable(f"summary()${e.value}")
        fit_pred = self._fit_predict(obj if obj.kind == "dollar" and
                                     obj.value == "predictions" else e)
        if fit_pred is not None:
            # fit$predictions$pvals / fit$predictions of asreml(predict = predict.asreml(...))
            if e.value == "predictions":
                return self.predict(fit_pred)
            if e.value == "pvals":
                return f"{self.runtime('r_pvals3')}({self.predict(fit_pred)})"
            if e.value in _PREDICT_ATTRS:
                need = "vcov" if e.value == "vcov" else "sed"
                return self._pred_attr(self.predict(fit_pred, need), e.value)
        if obj.kind == "dollar" and obj.value == "predictions" and e.value == "pvals":
            # asreml 3's $predictions$pvals: its column names (standard.error, est.status)
            inner = self.dollar(R("dollar", "pvals", left=obj.left, start=e.start, end=e.end))
            return f"{self.runtime('r_pvals3')}({inner})"
        if (obj.kind == "call" and obj.value in ("predict", "predict.asreml") or
                obj.kind == "name" and obj.value in self.preds) and \
                e.value not in _PREDICT_LIST and _partial(e.value, _PREDICT_LIST):
            # R's $ matches a list element by a unique prefix: predict(...)$pval is $pvals
            e = R("dollar", _partial(e.value, _PREDICT_LIST), left=obj, start=e.start,
                  end=e.end)
        if obj.kind == "call" and obj.value in ("predict", "predict.asreml"):
            if e.value in ("pvals", "predictions"):
                return self.predict(obj)
            if e.value in _PREDICT_ATTRS:
                need = "vcov" if e.value == "vcov" else "sed"
                return self._pred_attr(self.predict(obj, need), e.value)
            raise Untranslatable(f"predict()${e.value}")
        if obj.kind == "name" and obj.value in self.preds:
            if e.value in ("pvals", "predictions"):
                return self.py(obj)
            need = "vcov" if e.value == "vcov" else "sed"
            if e.value in _PREDICT_ATTRS and need in self.preds[obj.value]:
                return self._pred_attr(self.py(obj), e.value)
            if e.value in _PREDICT_ATTRS:
                raise Untranslatable(f"{obj.value}${e.value}: add {need} = TRUE to the "
                                     f"predict() call that made {obj.value}")
            raise Untranslatable(f"predict()${e.value}")
        if (obj.kind == "call" and obj.value in ("wald", "wald.asreml")) or (
                obj.kind == "name" and obj.value in self.walds):
            if e.value == "Wald":
                return self.py(obj)
            col = _partial(e.value, _WALD_COLS)
            if col is not None and not any(n == "denDF" for n, _ in (
                    obj.args if obj.kind == "call" else [])):
                # wald(m)$`Pr(Chisq)`: a column of the table wald() gives without denDF
                return f"{self.py(obj)}[{col!r}]"
            raise Untranslatable(f"wald()${e.value} (asr_py's wald() is the Wald table)")
        if obj.kind == "call" and obj.value in ("coef", "coefficients") and \
                len(obj.args) == 1 and self.is_fit(obj.args[0][1]):   # R's alias of coef
            which = {"fixed": self.coef_fixed, "random": "coef_random"}.get(e.value)
            if which == "coef_random":                  # asreml's names (rcoefrandom.py)
                return self.coef_random_of(obj.args[0][1])
            if which:
                return f"{self.py(obj.args[0][1])}.{which}['solution']"
            raise Untranslatable(f"coef()${e.value}")
        if obj.kind == "call" and obj.value in ("coef", "coefficients") and \
                obj.value not in self.functions and e.value in ("fixed", "random") and \
                len(obj.args) == 1 and obj.args[0][0] in (None, "object") and \
                not self._lm_like(obj.args[0][1]):
            # coef(x)$random of a function's parameter x: asreml's list (decided when run)
            got = rcoeflist.translate(self, obj, unknown=True)
            if got is not None:
                return f"{got}[{e.value!r}]"
        if obj.kind == "call" and obj.value in ("asreml", "asreml.fit") and e.value in (
                "vparameters.table", "gammas.table", "G.param", "R.param") and any(
                n == "start.values" for n, _ in obj.args):
            return self.call(obj)
        if obj.kind == "name" and obj.value in self.startvals and e.value in (
                "G.param", "R.param"):          # asreml's list of the table (rparamlist.py)
            res = ", residual=True" if e.value == "R.param" else ""
            return f"{self.runtime('r_param_list')}({self.py(obj)}{res})"
        if obj.kind == "name" and obj.value in self.startvals and e.value in (
                "vparameters.table", "gammas.table"):
            return self.py(obj)
        if obj.kind == "call" and obj.value == "eval" and e.value in (
                "vparameters.table", "gammas.table"):
            # eval(parse(text = paste(model, "start.values = TRUE)")))$vparameters.table:
            # only asreml's start values have these; asr_py's are the table itself
            return self.py(obj)
        if obj.kind == "call" and obj.value == "asreml.Ainverse" and e.value == "ginv":
            return self.call(obj)
        if obj.kind == "dollar" and _fit_component(obj.value) == "coefficients" and \
                obj.left is not None and self.is_fit(obj.left):
            which = {"fixed": self.coef_fixed, "random": "coef_random"}.get(e.value)
            if which == "coef_random":                  # asreml's names (rcoefrandom.py)
                return self.coef_random_of(obj.left)
            if which:
                return f"{self.py(obj.left)}.{which}['solution']"
            raise Untranslatable(f"fit$coefficients${e.value}")    # $sparse: not kept apart
        if self.is_fit(obj):
            name = _fit_component(e.value)
            if name in ("aic", "bic"):     # asreml's scale, as summary(fit)$aic (rsummary)
                return f"{self.runtime('r_' + name)}({self.py(obj)})"
            if name == "aom":              # aom = TRUE's outlier statistics (rasremlaom.py)
                return f"{self.runtime('r_aom')}({self.py(obj)})"
            if name == "linear.predictors":     # Xb + Zu by data row (rlinpred.py)
                return f"{self.runtime('r_linear_predictors')}({self.py(obj)})"
            if name in _FIT_ATTRS:
                return f"{self.py(obj)}.{_FIT_ATTRS[name]}"
            if name in ("vparameters.con", "gammas.con"):   # constraint codes (vpcodes.py)
                return f"asr.plus.{name.replace('.', '_')}({self.py(obj)})"
            if name in ("vparameters", "gammas"):      # ratios to sigma2 (asreml's scale)
                return f"{self.runtime('r_vparameters')}({self.py(obj)})"
            if e.value == "last.message":    # asreml 3: the fit's last monitor message
                m = self.py(obj)
                return (f"('LogLikelihood Converged' if {m}.converged else "
                        "'LogLikelihood not converged')")
            if name == "sigma2":
                return f"{self.runtime('r_sigma2')}({self.py(obj)})"
            if name in ("G.param", "R.param"):    # {term: its parameters} (rdesign.py)
                res = ", residual=True" if name == "R.param" else ""
                return f"{self.runtime('r_gparam')}({self.py(obj)}{res})"
            if name == "design":      # asreml.options(design = TRUE): [X Z] (rdesign.py)
                return f"{self.runtime('r_design')}({self.py(obj)})"
            if name == "loglik":      # asreml's scale: without the 2π constant
                return f"{self.runtime('r_loglik')}({self.py(obj)})"
            if name == "components":
                return f"{self.py(obj)}.varcomp['component']"
            if name == "trace":       # the iteration history, asreml 4's matrix (rtrace.py)
                return f"{self.runtime('r_trace')}({self.py(obj)})"
            if name in ("vparameters.table", "gammas.table"):
                return f"{self.py(obj)}.params"
            if name == "nedf":
                return f"{self.py(obj)}.result.n_minus_p"
            if name == "Csparse":     # C-inverse cells of asreml.options(Csparse = ~ t)
                return f"{self.runtime('r_csparse')}({self.py(obj)})"
            if name == "Cfixed":      # the fixed effects' variance matrix (rcfixed.py)
                return f"{self.runtime('r_cfixed')}({self.py(obj)}" + (
                    ", order='reverse')" if "reverse" in self.coef_fixed else ")")
            if name == "mf":              # asreml 4's model frame (results/model_frame.py)
                return f"{self.py(obj)}.model_frame()"
            if name == "call":            # the asr.asreml() arguments (setvarianceterms)
                return f"{self.py(obj)}.call"
            if name == "formulae":        # fixed, random, residual, sparse (R's formulas)
                return f"asr.plus.getFormulae({self.py(obj)}, 'all')"
            if name in ("coefficients", "vcoeff"):
                # the whole list: $fixed and $random under asreml's names (rcoeflist.py);
                # vcoeff: their std.error^2 / sigma2, asreml's scale (rvcoeff.py)
                fn = "r_coef_asreml" if name == "coefficients" else "r_vcoeff"
                extra = f", renamed={self.term_renamed!r}" if self.term_renamed else ""
                order = "'reverse'" if "reverse" in self.coef_fixed else "'model'"
                return f"{self.runtime(fn)}({self.py(obj)}{extra}, order={order})"
            raise Untranslatable(f"fit${e.value}")
        if obj.kind == "name" and (obj.value in self.raw_names or obj.value in self.params) \
                or obj.kind == "index" and obj.value == "[[" or obj.kind == "dollar":
            # check.names = FALSE columns; a function's parameter (a list or data frame of
            # the caller's, whose absent element is R's NULL); a list's element
            # (fm[[i]]$nedf, diffs$predictions$upper.Confidence.limit: a fit, a frame or a
            # list, known when the script runs)
            return f"{self.runtime('r_dollar')}({self.py(obj)}, {e.value!r}{_exact(e)})"
        if obj.kind == "name" and e.value in _FIT_ONLY_COMPONENTS:
            # m$aom of a fit the translator lost track of (m <- myConverge(m)): read when
            # the script runs, a fit's component or a list's element (rsubname.fit_dollar)
            return f"{self.runtime('r_dollar')}({self.py(obj)}, {e.value!r}{_exact(e)})"
        return f"{self.lazy_data(obj) or self.py(obj)}[{e.value!r}]"   # gv_df$env: lazy data

    def _pred_attr(self, pred: str, name: str) -> str:
        """``pred$sed`` (NULL when nothing is estimable: rpredsed.py), ``$vcov``, ``$avsed``."""
        if name == "sed":
            return f"{self.runtime('r_pred_sed')}({pred})"
        return pred + _PREDICT_ATTRS[name]

    def fun_ref(self, fun: R, na_rm: R | None = None) -> str:
        """A function passed by name or written inline (``FUN = mean``, ``function(v) ...``)
        as a Python callable; base R's summaries by name through ``r_fun`` (na.rm kept)."""
        if fun.kind == "name" and fun.value in _R_SUMMARY_FUNS:
            flag = na_rm is not None and na_rm.kind == "name" and na_rm.value in ("TRUE", "T")
            return f"{self.runtime('r_fun')}({fun.value!r}" + (", na_rm=True)" if flag
                                                                 else ")")
        if na_rm is not None:
            raise Untranslatable("na.rm = for a function not in base R's summaries")
        if fun.kind == "function" or fun.kind == "name" and fun.value in self.functions:
            return self.py(fun)
        if fun.kind == "name" and fun.value == "I":      # R's identity (AsIs)
            return "(lambda _v: _v)"
        if fun.kind == "name" and fun.value == "round":
            return self.runtime("r_round")
        if fun.kind == "name" and fun.value in ("sqrt", "log", "exp", "abs"):
            return self.np(_SIMPLE_FUNCS[fun.value])
        if self._sourced_fun(fun):
            # a function of a source()d file, looked up when the script runs (r_sourced)
            return f"{self.runtime('r_sourced')}({fun.value!r}, globals())"
        if fun.kind == "name" and fun.value not in self.assigned:
            # lapply(x, is.null), apply(m, 2, as.integer): R calls FUN(element); the
            # translation of that one-argument call, as a function of the element
            arg = "asr_fun_arg_"
            try:
                body = self.py(R("call", fun.value, [(None, R("name", arg))],
                                 start=fun.start, end=fun.end))
            except Untranslatable:
                body = ""
            if arg in body:
                return f"(lambda {arg}: {body})"
        raise Untranslatable(f"{self.src(fun)} as a function argument")

    def _sourced_fun(self, fun: R) -> bool:
        """Whether ``fun`` names a function a source()d file may define (the script
        source()s an R file; not base R's, not the script's own)."""
        return getattr(self, "sourced", False) and fun.kind == "name" and \
            fun.value not in self.functions and fun.value not in _SIMPLE_FUNCS and \
            re.fullmatch(r"[A-Za-z.][\w.]*", fun.value) is not None and \
            not _PLOTTING.fullmatch(fun.value)

    def lambda_(self, e: R) -> str:
        """An inline function whose body uses a parameter as an asreml fit
        (``function(m) m$loglik``) translates it as one (see def_)."""
        body = self.src(e.right) if e.right is not None else ""
        added = _fit_params(e, body) - self.fits
        self.fits |= added
        try:
            return super().lambda_(e)
        finally:
            self.fits -= added

    def def_(self, name: str, fn: R, depth: int) -> list[str]:
        """A function whose body uses a parameter as an asreml fit (``model$coefficients``,
        ``predict(model, classify = )``) translates that parameter's uses as a fit's."""
        body = self.src(fn.right) if fn.right is not None else ""
        added = _fit_params(fn, body) - self.fits
        self.fits |= added
        tf = {"T", "F"} & self.assigned     # T <- diag(n) in the body: local to it
        try:
            return super().def_(name, fn, depth)
        finally:
            self.fits -= added
            self.assigned -= {"T", "F"} - tf

    def is_fit(self, e: R) -> bool:
        return e.kind == "name" and e.value in self.fits or _is_fit_call(e, self.fits) or (
            e.kind == "dollar" and _is_asrtests_fit(e.value))   # asremlPlus's asrtests$fit

    # ----- calls -----------------------------------------------------------------------------
    def loop_body(self, e: R | None, depth: int) -> list[str]:
        """A loop body: names it binds to a fit (``h1 <- mod1``) are fits from its start,
        as the next pass reads them (``h1$loglik`` before the binding)."""
        self.fits |= _loop_fit_aliases(e, self.fits)
        return super().loop_body(e, depth)

    def call(self, e: R) -> str:  # noqa: C901 - a dispatch table
        f = e.value
        args = e.args
        if f in ("summary.asreml", "coef.asreml", "residuals.asreml", "resid.asreml",
                 "fitted.asreml") and f not in self.functions and args and \
                self.is_fit(args[0][1]):
            # the S3 method called by its full name: as the generic on an asreml fit
            return self.call(R("call", f[:-len(".asreml")], args, left=e.left,
                               start=e.start, end=e.end))
        if f == "coefficients" and f not in self.functions and args and \
                self.is_fit(args[0][1]):              # stats' alias of coef()
            return self.call(R("call", "coef", args, left=e.left, start=e.start, end=e.end))
        pos = [a for n, a in args if n is None and a.kind != "empty"]
        wrapped = rpossibly.call(self, e)     # g(...) of g <- purrr::possibly(f, v)
        if wrapped is not None:
            return wrapped
        ramp = rcolorramp.call(self, e)       # colorRampPalette(cols)(n) (rcolorramp.py)
        if ramp is not None:
            return ramp
        if f not in self.functions:     # another package's / base R's calls: _CALL_MODULES
            rgrouped.guard(self, e)     # slice(), count(), ... of a grouped chain: a TODO
            for mod in _CALL_MODULES:
                if f in mod.FUNCTIONS:
                    got = mod.translate(self, e)
                    if got is not None:
                        return got
                    break
        if rlme4.base_name(f) in rlme4.FUNCTIONS or f == "as.data.frame":   # lmer, emmeans
            got = rlme4.translate(self, e) if f != "as.data.frame" else \
                rlme4.ranef_frame(self, e)
            if got is not None:
                return got
        if f in ("is.element", "base::is.element") and f not in self.functions and \
                len(args) == 2 and all(n in (None, "el", "set") for n, _ in args):
            # ?is.element: "is.element(x, y) is identical to x %in% y"
            got = _bind_args(("el", "set"), pos, args)
            if len(got) == 2:
                return self.py(R("bin", "%in%", left=got["el"], right=got["set"],
                                 start=e.start, end=e.end))
        if f == "between" and f not in self.functions and len(pos) == 3 and len(args) == 3:
            return (f"{self.runtime('r_between')}({self.py(pos[0])}, {self.py(pos[1])}, "
                    f"{self.py(pos[2])})")
        if f in ("library", "require", "requireNamespace", "suppressPackageStartupMessages",
                 "p_load", "libs"):
            if f == "suppressPackageStartupMessages" and pos:
                return self.call(pos[0]) if pos[0].kind == "call" else "__IMPORT__"
            pkgs = [self.src(a).strip("\"'") for a in pos]
            if all(rpackages.is_translated(p) for p in pkgs):    # rpackages.TRANSLATED
                return "__IMPORT__"
            raise Untranslatable(f"library({', '.join(pkgs)})")
        if f in ("read.csv", "read.table", "read.delim", "read.csv2", "fread", "read_csv",
                 "read_delim", "read_tsv", "read_excel", "read.xlsx", "read_xlsx", "readRDS",
                 "read_rds"):
            return self.read_table(e)
        if f in ("import", "rio::import") and len(pos) == 1 and len(args) == 1:
            return f"{self.runtime('r_import')}({self.py(pos[0])})"     # rio: by extension
        if f in ("import", "rio::import") and len(args) == 2 and args[0][0] in (None, "file") \
                and args[1][0] in ("which", "sheet"):      # rio: a spreadsheet's sheet
            return f"{self.runtime('r_import')}({self.py(args[0][1])}, {self.py(args[1][1])})"
        if f == "melt" and pos:
            return self.melt(e)
        if f in ("asreml", "asreml.fit"):
            return self.asreml(e)
        if f == "asreml.nvc" and f not in self.functions:
            return rpascal.translate_nvc(self, e)    # pascal: variances unbounded
        if f in ("expect_is", "expect_s3_class") and f not in self.functions:
            got = _expect_class(e)       # testthat: expect_true(inherits(x, class))
            if got is not None:
                return self.call(got)
        if f in rexpectmore.FUNCTIONS and f not in self.functions:
            got = rexpectmore.rewrite(e)     # expect_length(x, n): expect_equal(length(x), n)
            if got is not None:
                return self.call(got)
        if f in EXPECT_VALUE and pos:
            keep = [(n, a) for n, a in args if n not in ("info", "label", "expected.label",
                                                         "scale", "check.attributes")]
            if f == "expect_error":     # expect_error(x <- f()): only whether f() fails
                keep = [(n, a.right if a.kind == "bin" and a.value in ("<-", "=") and
                         a.right is not None else a) for n, a in keep]
            # values are passed as lambdas: the helper evaluates them, so an error there
            # (a placeholder used) is recorded like testthat does, not raised
            lazy = [(n, a) if n is not None or _literal(a) else
                    (n, R("lazy", right=a, start=a.start, end=a.end)) for n, a in keep]
            # r_line: where the expectation is in the R code (a difference is reported there)
            line = self.code.count("\n", 0, e.start) + 1
            return (f"{self.runtime(EXPECT_VALUE[f])}({', '.join(self.kwargs(lazy))}, "
                    f"r_line={line})")
        if f in _COMPAT and args:   # asremlPlus/dae -> asr.plus/asr.dae (asr_py.compat)
            # envir = sys.frame(...): R's evaluation frame; asr_py's functions take text
            named = [(_compat_arg(_COMPAT[f], n) if n else n, a) for n, a in args
                     if n != "envir"]
            return f"{_COMPAT[f]}({', '.join(self.kwargs(named))})"
        if f == "do.call" and _undo_docall(e) is not e:
            return self.call(_undo_docall(e))
        if f in ("update", "update.asreml"):
            if not pos:
                raise Untranslatable("update()")
            # update.asreml(object, fixed., random., sparse., residual., ...): its formals
            # end in a dot (asreml 3: rcov.); random. is not asreml()'s random.order
            rest = [(_UPDATE_FORMALS.get(n, n) if n else n, a) for n, a in args
                    if a is not pos[0]]
            got = f"{self.py(pos[0])}.update({', '.join(self.asreml_args(rest, e))})"
            if self.csparse_opt:
                # update() refits under the asreml.options() then in force: its Csparse
                # (rcsparse.py; m-hrachov's RR_m3 <- update(RR_m3) then RR_m3[["Csparse"]])
                got = f'{self.runtime("r_with_csparse")}({got}, globals().get("CSPARSE"))'
            return got
        if f in ("ainverse", "asreml.Ainverse"):    # its options: rainverse.py
            return ainverse_call(self, f, args)
        if f == "vcm.lm":   # vcm.lm(~ f, data = sv) -> asr.vcm_lm('~ f', sv)
            form = [a for a in pos if a.kind == "formula"]
            data = [a for n, a in args if n == "data"] or [a for a in pos if a.kind != "formula"]
            if len(form) != 1 or len(data) != 1:
                raise Untranslatable("vcm.lm() (use vcm.lm(~ f, data = sv))")
            return f"asr.vcm_lm({self.src(form[0])!r}, {self.py(data[0])})"
        if f in ("predict", "predict.asreml"):
            return self.predict(e)
        if f in ("wald", "wald.asreml") or f in ("anova", "anova.asreml") and \
                f not in self.functions and len(pos) == 1 and self.is_fit(pos[0]):
            # asreml 3's anova.asreml(x, ...) is UseMethod("wald"): the Wald table
            return self.wald(e)
        if f in ("varioGram", "varioGram.asreml"):
            return self.variogram(e)
        if f == "plot" and len(args) == 1:
            x = pos[0] if pos else R("empty")
            if x.kind == "call" and x.value in ("varioGram", "varioGram.asreml"):
                fit = self.variogram_fit(x)
                row, col = self.variogram_coords(fit)
                return f"asr.plot_variogram({self.py(fit)}, {row!r}, {col!r})"
            if x.kind == "name" and x.value in self.variograms:
                return f"asr.plot_variogram({self.py(x)})"
            raise Untranslatable("plot()")
        if f in ("fitted", "fitted.values", "resid", "residuals") and len(args) == 1 \
                and pos and self.is_fit(pos[0]):
            attr = "fitted" if f.startswith("fitted") else "residuals"
            return f"{self.py(pos[0])}.{attr}"
        if f in ("resid", "residuals") and pos and f not in self.functions and (
                self.is_fit(pos[0]) or pos[0].kind == "name" and pos[0].value not in
                self.lm_fits and any(n == "type" for n, _ in args)):
            # residuals(m, type = "stdCond"): asreml's residual types (rresidasreml.py);
            # m <- mkConv(m) by a script's function: an asreml fit or not, known when run
            return f"{self.runtime('r_resid_asreml')}({', '.join(self.kwargs(args))})"
        if f == "coef" and f not in self.functions:
            # coef(m), coef(m, list = TRUE) of an asreml fit; of a function's parameter
            # with list = (asreml's argument) decided when run (rcoeflist.py)
            got = rcoeflist.translate(self, e, unknown=any(n == "list" for n, _ in args) and
                                      not self._lm_like(pos[0] if pos else None))
            if got is not None:
                return got
        if f in raov.FUNCTIONS:
            got = raov.translate(self, e)       # aov(), with Error() strata: raov.py
            if got is not None:
                return got
        if f in rlm.FUNCTIONS and not self.is_fit(pos[0] if pos else R("empty")):
            ols = rlm.translate(self, e)        # lm(), anova(lm), model.matrix(): rlm.py
            if ols is not None:
                return ols
        if f in ("vpredict", "pin"):
            if len(pos) != 2 or pos[1].kind != "formula":
                raise Untranslatable(f)
            return f"{self.py(pos[0])}.vpredict({self.src(pos[1])!r})"
        if f == "summary" and len(args) == 1:
            x = pos[0]
            if self.is_fit(x):
                return f"{self.py(x)}.summary()"
            if x.kind in ("dollar", "call") and not (x.kind == "call" and (
                    x.value in raov.FUNCTIONS or x.value in rlm.FUNCTIONS)) or \
                    x.kind == "name" and x.value in self.vectors:    # x <- c(1.5, 2)
                # summary(d$y), summary(c(...)): R's summary of a vector (rsummarydefault)
                return f"{self.runtime('r_summary_default')}({self.py(x)})"
            return f"{self.py(x)}.describe()"
        if f == "summary" and len(pos) == 1 and self.is_fit(pos[0]) and all(
                n in ("coef", "vparameters", "all") for n, _ in args if n is not None):
            return f"{self.py(pos[0])}.summary()"
        if f in ("AIC", "BIC", "logLik") and len(args) == 1:
            return f"{self.py(pos[0])}.{f.lower()}"
        if f in ("lrt", "lrt.asreml"):
            return f"asr.lrt({', '.join(self.kwargs(args))})"
        if f == "factor" and len(pos) == 1 and len(args) == 2 and args[1][0] == "exclude" \
                and args[1][1].kind == "name" and args[1][1].value == "NULL":
            # factor(x, exclude = NULL): missing values become a level of their own
            return f"{self.runtime('r_factor_na')}({self.series(pos[0])})"
        if f in ("factor", "ordered") and f not in self.functions and \
                rfactorlevels.sets_levels(f, args):
            # factor(x, levels =, labels =, exclude =): a Categorical (rfactorlevels.py)
            return rfactorlevels.translate(self, f, args)
        if f in ("as.character", "as.numeric", "as.double", "as.integer") and \
                f not in self.functions and len(pos) == 1 and len(args) > 1 and \
                all(n is not None for n, a in args if a is not pos[0]):
            # as.character(1:10, times = 2): R's default methods ignore their ... arguments
            return self.call(R("call", f, [(None, pos[0])], left=e.left, start=e.start,
                               end=e.end))
        conv = {"as.factor": "str", "factor": "str", "as.numeric": "float", "as.double":
                "float", "as.integer": "int", "as.character": "str",
                # an ordered factor is held as a factor is: its labels (rfactor.py)
                "ordered": "str", "as.ordered": "str"}.get(f)
        if conv and len(pos) == 1 and (len(args) == 1 or f in ("factor", "ordered") and all(
                n in (None, "levels", "labels", "ordered") for n, _ in args)):
            if len(args) > 1:
                self.todo.append(f"{f}(levels/labels =) not translated: levels are the "
                                 "sorted values in asr_py")
            if f in ("as.numeric", "as.double", "as.integer") and \
                    rfactor.is_factor(self, pos[0]):
                # R: a factor's codes, not the numbers its labels spell (rfactor.py)
                return f"{self.runtime('r_factor_codes')}({self.py(pos[0])})"
            if f in ("as.numeric", "as.double") and pos[0].kind in ("dollar", "name", "index",
                                                                   "call"):
                # R: text that is not a number becomes NA (with a warning), not an error;
                # a computed matrix (crossprod(), getValue()) loses its dims (r_flat_series)
                ser = self.series(pos[0])
                if pos[0].kind == "call" and ser.startswith("pd.Series("):
                    ser = f"{self.runtime('r_flat_series')}({self.py(pos[0])})"
                elif pos[0].kind in ("name", "dollar", "index"):
                    # a named vector built element by element is a dict; a factor held as a
                    # Categorical gives its codes (rbase.r_numeric_of)
                    ser = f"{self.runtime('r_numeric_of')}({ser})"
                return f"pd.to_numeric({ser}, errors='coerce')"
            if pos[0].kind == "index" and pos[0].value in ("[", "[[") and \
                    len(pos[0].args) == 1 and pos[0].args[0][1].kind == "num":
                # as.character(x[1]), x[[k]]: one element, a value (a str has no .astype)
                return f"{self.runtime('r_as')}({self.py(pos[0])}, {conv})"
            if conv == "str" and f == "as.character" and pos[0].kind == "call" and \
                    pos[0].value == "attr":
                # as.character(attr(x, "fixed")): the attribute as it is (a formula gives
                # c("~", rhs), R2adj's attributes); a Series would turn it into one text
                return f"{self.runtime('r_labels')}({self.py(pos[0])})"
            if conv == "str":
                # R keeps NA missing and prints 28.0 as "28" (astype(str) gives "nan", "28.0");
                # as.factor(f) keeps f's NA level, factor(f) and as.character(f) drop it
                keep = ", na_level=True" if f == "as.factor" else ""
                if f in ("factor", "as.factor") and len(args) == 1:
                    # a factor keeps its levels on row subsets (rfactor.r_as_factor)
                    return f"{self.runtime('r_as_factor')}({self.series(pos[0])}{keep})"
                return f"{self.runtime('r_labels')}({self.series(pos[0])}{keep})"
            if self.series(pos[0]).startswith("pd.Series("):
                # an expression whose value may be a matrix (t(x) %*% V %*% x / k): R's
                # as.numeric drops its dims, column by column (rbase.r_as_vector)
                return f"{self.runtime('r_as_vector')}({self.py(pos[0])}, {conv})"
            return f"{self.series(pos[0])}.astype({conv})"
        if f == "inherits" and len(pos) == 2 and pos[1].kind == "str" and \
                pos[1].value == "try-error":
            return f"isinstance({self.py(pos[0])}, Exception)"
        if f == "reformulate" and (pos or any(n == "termlabels" for n, _ in args)):
            # reformulate(termlabels, response): either by name or by position
            slots = dict(zip(("termlabels", "response"), pos)) | {
                n: a for n, a in args if n in ("termlabels", "response")}
            resp = [slots["response"]] if "response" in slots else []
            other = [n for n, _ in args if n not in (None, "termlabels", "response",
                                                     "intercept")]
            if other or len(pos) > 2:
                raise Untranslatable(f"reformulate({other[0] if other else '...'} =)")
            labels = self.py(slots["termlabels"])
            rhs = f"' + '.join([{labels}] if isinstance({labels}, str) else {labels})"
            icpt = [a for n, a in args if n == "intercept"]
            if icpt:            # intercept = FALSE: R's formula ends with - 1
                rhs += f" + ('' if {self.py(icpt[0])} else ' - 1')"
            return (f"{self.py(resp[0])} + ' ~ ' + " if resp else "'~ ' + ") + rhs
        if f in ("select", "arrange", "mutate_at", "mutate_if", "rename_all", "rename_with",
                 "distinct", "ldply", "select_if") and f not in self.functions:
            verb = rdplyr.translate(self, e)        # dplyr verbs: rdplyr.py
            if verb is not None:
                return verb
        if f == "pull" and 1 <= len(pos) <= 2 and f not in self.functions and \
                all(n in (None, "name", "var", ".data") for n, _ in args):
            # dplyr's pull(d, var, name): a column by name or 1-based/negative position
            named = {n: a for n, a in args if n is not None}
            var = named.get("var", pos[1] if len(pos) == 2 else None)
            data = named.get(".data", pos[0])
            nm = named.get("name")
            if var is not None and var.kind in ("name", "str") and nm is None:
                return f"{self.py(data)}[{var.value!r}]"
            out = [self.py(data)]
            if var is not None:
                out.append(repr(var.value) if var.kind in ("name", "str") else self.py(var))
            if nm is not None:
                out.append("name=" + (repr(nm.value) if nm.kind in ("name", "str")
                                      else self.py(nm)))
            return f"{self.runtime('r_pull')}({', '.join(out)})"
        if f == "arrange" and len(pos) >= 2 and all(a.kind == "name" for a in pos[1:]):
            return f"{self.py(pos[0])}.sort_values({[a.value for a in pos[1:]]!r})"
        if f == "melt" and len(pos) == 1:
            ids = [a for n, a in args if n is not None and _partial(n, ("id.vars",)) ==
                   "id.vars"]
            return f"{self.py(pos[0])}.melt(" + (f"id_vars={self.py(ids[0])}" if ids else "") \
                + ")"
        if f == "rename" and len(pos) == 1 and all(
                n is not None and a.kind in ("name", "str") for n, a in args[1:]):
            cols = {a.value: n for n, a in args[1:]}
            return f"{self.py(pos[0])}.rename(columns={cols!r})"
        if f == "as.formula" and len(args) == 1 and pos and pos[0].kind in ("index", "name"):
            return f"{self.runtime('r_as_formula')}({self.py(pos[0])})"   # rasformula.py
        if f == "as.formula" and len(args) == 1:
            return self.py(pos[0])
        if f == "as.data.frame" and len(args) == 1 and pos[0].kind == "call" and \
                pos[0].value == "table":
            return self.table(pos[0], frame=True)
        if f == "as.data.frame" and len(args) == 1 and pos and pos[0].kind in (
                "name", "dollar", "index", "call", "bin", "paren", "unary") and \
                f not in self.functions and not (pos[0].kind == "bin" and pos[0].value in (
                    "%>%", "|>", "<-", "=")):
            # a vector: one column named as R deparses the argument (rasdf.py)
            # (as.matrix(v): an n x 1 matrix, whose column as.data.frame() names V1;
            # any other expression: named as R deparses it)
            col = pos[0].value if pos[0].kind == "name" else "V1" if pos[0].kind == "call" \
                and pos[0].value == "as.matrix" and len(pos[0].args) == 1 \
                else (deparse(pos[0]) or "x")
            return f"{self.runtime('r_as_data_frame')}({self.py(pos[0])}, {col!r})"
        if f == "as.list" and len(args) == 1:
            return f"{self.runtime('r_as_list')}({self.py(pos[0])})"
        if f == "as.matrix" and len(pos) == 1 and f not in self.functions:
            return f"{self.runtime('r_as_matrix')}({self.py(pos[0])})"    # rasmatrix.py
        rn = [a for n, a in args if n == "rownames"]
        if f in ("as_tibble", "as.tibble") and f not in self.functions and len(pos) == 1 \
                and rn and rn[0].kind == "str":
            # tibble's as_tibble(d, rownames = "id"): the row names as a first column "id"
            return f"{self.runtime('r_rownames_to_column')}({self.py(pos[0])}, {rn[0].value!r})"
        if f in ("droplevels", "droplevels.data.frame") and f not in self.functions and \
                len(pos) == 1 and len(args) == 1:
            # a factor held as text has no unused levels; a Categorical drops them
            return f"{self.runtime('r_droplevels')}({self.py(pos[0])})"
        if f in _IDENTITY and len(pos) == 1:
            return self.py(pos[0])
        if f in ("head", "tail") and pos:
            # a data frame's or a vector's first/last rows (rvector.r_head)
            n = f", {self.py(args[1][1])}" if len(args) > 1 else ""
            end = ", tail=True" if f == "tail" else ""
            return f"{self.runtime('r_head')}({self.py(pos[0])}{n}{end})"
        if f == "attributes" and len(args) == 1:       # R's attributes as a named list
            return f"{self.runtime('r_attributes')}({self.py(pos[0])})"
        if f in ("rownames", "row.names") and len(args) == 1:
            return f"{self.runtime('r_rownames')}({self.py(pos[0])})"
        if f == "setequal" and len(pos) == 2 and len(args) == 2:
            return f"{self.runtime('r_setequal')}({self.py(pos[0])}, {self.py(pos[1])})"
        if f == "system.file" and pos:   # a package's installed file: its source tree's inst/
            keep = [self.py(a) for n, a in args if n is None] + [
                f"{n.replace('.', '_')}={self.py(a)}" for n, a in args
                if n in ("package", "mustWork")]
            return f"{self.runtime('r_system_file')}({', '.join(keep)})"
        if f == "dimnames" and len(args) == 1 and pos:
            return f"{self.runtime('r_dimnames')}({self.py(pos[0])})"
        if f == "outer" and any(n in ("sep", "collapse") for n, _ in args) and all(
                n in (None, "X", "Y", "FUN", "sep", "collapse") for n, _ in args):
            # outer(X, Y, paste, sep = ":"): FUN's extra argument (rtransmute.r_paste_sep)
            got = _bind_args(("X", "Y", "FUN"), pos, args)
            fn = got.get("FUN")
            if fn is None or fn.kind not in ("str", "name") or fn.value != "paste":
                raise Untranslatable("outer(X, Y, FUN, ...) with FUN other than paste")
            extra = ", ".join(f"{n}={self.py(a)}" for n, a in args if n in ("sep", "collapse"))
            return (f"{self.runtime('r_outer')}({self.py(got['X'])}, {self.py(got['Y'])}, "
                    f"{self.runtime('r_paste_sep')}({extra}))")
        if f in ("atan", "sin", "cos", "tan", "asin", "acos", "atan2") and \
                f not in self.functions and 1 <= len(args) <= 2 and \
                all(n is None for n, _ in args):
            return (f"{self.runtime('r_trig')}({f!r}, "
                    f"{', '.join(self.py(a) for _, a in args)})")
        if f == "outer" and 2 <= len(args) <= 3 and all(n in (None, "X", "Y", "FUN")
                                                        for n, _ in args):
            got = _bind_args(("X", "Y", "FUN"), pos, args)
            fn = got.get("FUN")
            if fn is None:
                how = ""
            elif fn.kind == "str" or fn.kind == "name" and fn.value in ("paste", "paste0"):
                how = f", {str(fn.value)!r}"
            else:
                how = f", {self.fun_ref(fn)}"
            return (f"{self.runtime('r_outer')}({self.py(got['X'])}, {self.py(got['Y'])}"
                    f"{how})")
        if f == "na.omit" and len(args) == 1:     # rows (elements) with no missing value
            return f"{self.runtime('r_na_omit')}({self.py(pos[0])})"
        if f == "length" and len(args) == 1:     # a data frame's length is its columns
            return f"{self.runtime('r_length')}({self.py(pos[0])})"
        if f == "nrow" and len(args) == 1:        # NULL for a list (rncol.py)
            return f"{self.runtime('r_nrow')}({self.py(pos[0])})"
        if f == "NROW" and len(args) == 1:
            return f"len({self.py(pos[0])})"
        if f == "diag" and 1 <= len(args) <= 4 and all(
                n in (None, "x", "nrow", "ncol", "names") for n, _ in args):
            # R's matching (rmatchargs.py): diag(x = v, n, n) is diag(v, nrow = n, ncol = n)
            try:
                got = match_args(("x", "nrow", "ncol", "names"), args, "diag")
            except ArgMatchError as err:
                raise Untranslatable(str(err)) from None
            return f"{self.runtime('r_diag')}({', '.join(self.kwargs(list(got.items())))})"
        if f in ("pnorm", "qnorm", "pchisq", "qchisq", "pt", "qt") and pos and all(
                n in (None, "mean", "sd", "df", "lower.tail", "q", "p") for n, _ in args):
            kw = [(n.replace(".", "_") if n else n, a) for n, a in args]
            return f"{self.runtime('r_dist')}({f!r}, {', '.join(self.kwargs(kw))})"
        if f == "missing" and len(args) == 1 and pos and pos[0].kind == "name":
            return f"({pyname(pos[0].value)} is None)"     # the parameter defaults to None
        if f == "as.vector" and len(args) == 1 and pos:
            # drops names and dimensions; a matrix is read column by column
            return self.np(f"np.asarray({self.py(pos[0])}).ravel(order='F')")
        if f == "aggregate" and args:
            return self.aggregate(args)
        if f == "clean_names" and len(args) == 1:          # janitor
            return f"{self.runtime('clean_names')}({self.py(pos[0])})"
        if f == "mutate_at" and len(pos) == 3 and len(args) == 3 and \
                pos[1].kind == "call" and pos[1].value == "vars" and \
                all(n is None and a.kind in ("name", "str") for n, a in pos[1].args) and \
                pos[2].kind == "name" and pos[2].value in _MUTATE_FUNS:
            # dplyr: mutate_at(d, vars(a, b), factor); vars() selects no column
            d = self.py(pos[0])
            cols = [a.value for _, a in pos[1].args]
            if not cols:
                return d
            conv = _MUTATE_FUNS[pos[2].value]
            if conv == "astype(str)":
                conv = f"pipe({self.runtime('r_labels')})"
            return f"{d}.assign(**{{c: {d}[c].{conv} for c in {cols!r}}})"
        if f in _RVECTOR_CALLS and all(n in _RVECTOR_CALLS[f][1] for n, _ in args) and (
                f != "cor" or not (len(pos) == 2 and len(args) == 2)):
            helper = _RVECTOR_CALLS[f][0]
            old_arrays = self.arrays
            if f == "which" and pos and pos[0].kind in ("bin", "unary"):
                # which(v > 2) of a vector v (a Python list): compared elementwise
                self.arrays = old_arrays | _plain_names(pos[0])
            try:
                return (f"{self.runtime(helper)}(" + ", ".join(
                    [self.py(a) for a in pos] + [f"{n}={self.py(a)}" for n, a in args
                                                 if n is not None]) + ")")
            finally:
                self.arrays = old_arrays
        if f == "vector" and all(n in (None, "mode", "length") for n, _ in args):
            got = _bind_args(("mode", "length"), pos, args)
            return (f"{self.runtime('r_vector')}(" + ", ".join(
                f"{k}={self.py(v)}" for k, v in got.items()) + ")")
        if f in ("lower.tri", "upper.tri") and pos and all(
                n in (None, "x", "diag") for n, _ in args):
            return self.tri_mask(f, args)
        if f == "formula" and len(args) == 1 and pos and (
                pos[0].kind in ("str", "formula") or pos[0].kind == "call" and
                pos[0].value in ("paste", "paste0", "sprintf")):
            # formula("y ~ x"): as.formula of a string; formula(y ~ x): the formula itself
            return self.py(pos[0])
        if f == "formula" and len(args) == 1 and pos and pos[0].kind in (
                "name", "index", "dollar") and "formula" not in self.functions:
            return f"{self.runtime('r_formula')}({self.py(pos[0])})"   # rasformula.py
        if f == "kronecker" and len(pos) == 2 and len(args) == 2:
            return f"{self.runtime('r_kronecker')}({self.py(pos[0])}, {self.py(pos[1])})"
        if f == "ncol" and len(args) == 1:       # NULL for a list or a vector (rncol.py)
            return f"{self.runtime('r_ncol')}({self.py(pos[0])})"
        if f == "dim" and len(args) == 1:
            return f"{self.py(pos[0])}.shape"
        if f == "colnames" and len(args) == 1:
            return f"list({self.py(pos[0])}.columns)"
        if f == "names" and len(args) == 1 and pos and pos[0].kind == "call" and \
                pos[0].value in ("which.max", "which.min") and len(pos[0].args) == 1 and \
                pos[0].args[0][0] is None:
            # names(which.max(x)): the name of x's first maximum (R keeps x's names)
            low = ", minimum=True" if pos[0].value == "which.min" else ""
            return (f"{self.runtime('r_which_max')}({self.py(pos[0].args[0][1])}{low}, "
                    "name=True)")
        if f == "names" and len(args) == 1:   # a data frame's columns, a vector's names
            a = pos[0]
            if a.kind == "index" and a.value == "[" and a.left is not None and \
                    len(a.args) == 1 and a.args[0][1].kind != "empty":
                # names(v[k]): R's [ keeps the names of what it selects (rcompare)
                return f"{self.runtime('r_names')}({self.runtime('r_sub_keep')}(" \
                    f"{self.py(a.left)}, {self.py(a.args[0][1])}))"
            return f"{self.runtime('r_names')}({self.py(a)})"
        if f == "levels" and len(args) == 1:
            return f"{self.runtime('r_levels')}({self.py(pos[0])})"
        if f == "nlevels" and len(args) == 1:   # length(levels(f)): unused levels count too
            return f"len({self.runtime('r_levels')}({self.py(pos[0])}))"
        if f == "str" and len(args) == 1:
            return f"{self.py(pos[0])}.info()"
        if f == "table" and pos:
            return self.table(e)
        if f == "match" and len(pos) == 2 and len(args) == 2:
            return f"{self.runtime('r_match')}({self.py(pos[0])}, {self.py(pos[1])})"
        if f == "match" and f not in self.functions and len(pos) == 2 and \
                [n for n, _ in args if n is not None] == ["nomatch"]:
            # match(x, table, nomatch = v): v where there is no match
            nm = self.py(dict(args)["nomatch"])
            return (f"{self.runtime('r_match')}({self.py(pos[0])}, {self.py(pos[1])}, "
                    f"nomatch={nm})")
        if f in ("make.names", "make.unique") and f not in self.functions and pos and \
                all(n in (None, "names", "unique", "sep") for n, _ in args):
            helper = self.runtime("r_make_names" if f == "make.names" else "r_make_unique")
            return f"{helper}({', '.join(self.kwargs(args))})"
        if f == "rep_len" and f not in self.functions and len(pos) == 2 and len(args) == 2:
            # rep_len(x, n): x recycled to length n
            return f"{self.runtime('r_rep')}({self.py(pos[0])}, length_out={self.py(pos[1])})"
        if f == "xor" and f not in self.functions and len(pos) == 2 and len(args) == 2:
            return self.np(f"np.logical_xor({self.py(pos[0])}, {self.py(pos[1])})")
        if f == "prop.table" and f not in self.functions and len(pos) == 1 and \
                len(args) == 1:
            # prop.table(x): x / sum(x), names kept (a table, a named vector)
            return f"{self.runtime('r_prop_table')}({self.py(pos[0])})"
        if f == "getASRemlVersionLoaded":
            # asremlPlus's asreml version query: asr_py follows asreml 4.2 (scripts branch
            # on "3" to reshape asreml 3 objects)
            n = [a for k, a in args if k in (None, "nchar")]
            if n and n[0].kind != "num":
                raise Untranslatable("getASRemlVersionLoaded(nchar = <variable>)")
            return repr("4.2.0"[:int(float(n[0].value))] if n else "4.2.0")
        if f == "is.null" and len(args) == 1:
            if pos[0].kind in ("name", "dollar"):
                return f"({self._null_safe(pos[0])} is None)"
            return f"{self.runtime('r_is_null')}({self.py(pos[0])})"  # names(NULL): RNull
        if f in ("is.numeric", "is.character", "is.factor") and len(args) == 1 and pos:
            return f"{self.runtime('r_is')}({self.py(pos[0])}, {f[3:]!r})"
        if f == "c":
            if len(args) == 1 and args[0][0] is None and args[0][1].kind == "index" and \
                    len(args[0][1].args) == 1 and args[0][1].args[0][1].kind == "num":
                # c(v[4]): one element, a scalar in R (mat.ar1(rho = c(v[4])))
                ix = args[0][1]
                assert ix.left is not None
                return f"{self.runtime('r_elt')}({self.py(ix.left)}, {self.py(ix.args[0][1])})"
            if len(args) == 1 and args[0][0] is None and _one_value(args[0][1]):
                # c(length(v) + 1): one value, a scalar in R (n_terms = c(length(vars) + 1))
                return self.py(args[0][1])
            if any(a.kind not in ("num", "str", "unary", "name", "call", "bin", "empty") or
                   a.kind == "name" and a.value not in ("TRUE", "FALSE", "T", "F", "NA") or
                   a.kind == "call" and a.value in _VECTOR_VALUED or
                   a.kind in ("bin", "paren") and _reads_variable(a)
                   for _, a in args) and all(n is None for n, _ in args):
                # (c(1 / d$s^2): arithmetic of a vector is a vector, not one element)
                # c(x, y) flattens vectors: a helper, since x may hold a list or a value;
                # NA is a missing value there (np.nan), not R's NULL (None), which c() drops
                return f"{self.runtime('r_c')}(" + ", ".join(
                    self.np("np.nan") if a.kind == "name" and a.value == "NA" else self.py(a)
                    for _, a in args) + ")"
            return self.vector(args)
        if f == "list":
            return self.vector(args, flatten=False) if args else "{}"   # x[["a"]] <- v fills
        if f == "rep" and pos:
            return self.rep(e)
        if f == "matrix":
            return self.matrix(e)
        if f == "seq" and len(pos) == 2 and all(n is None for n, _ in args):
            return f"range({self.py(pos[0])}, {self.py(pos[1])} + 1)"
        if f == "seq" and args and all(n in (None, "from", "to", "by", "length.out",
                                             "length", "along.with") for n, _ in args) and len(
                pos) <= 3:
            # seq(1, 10, by = 2), seq(0, 1, length.out = 5) (rbase.r_seq)
            got = dict(zip(("from_", "to", "by"), pos))
            for n, a in args:
                if n is not None:
                    got[{"from": "from_", "length": "length_out", "along.with": "along_with",
                         "length.out": "length_out"}.get(n, n)] = a
            return f"{self.runtime('r_seq')}(" + ", ".join(
                f"{k}={self.py(a)}" for k, a in got.items()) + ")"
        if f == "interaction" and pos and all(n in (None, "sep") for n, _ in args):
            sep = [a for n, a in args if n == "sep"]
            extra = f", sep={self.py(sep[0])}" if sep else ""
            return (f"{self.runtime('r_interaction')}("
                    f"{', '.join(self.py(a) for a in pos)}{extra})")
        if f == "na.method":
            # asreml's na.method(y = "include", x = "fail"): an x not given is 'fail'
            keys = [(n or ("y", "x")[min(i, 1)]).lower() for i, (n, _) in enumerate(args)]
            return "{" + ", ".join([f"{k!r}: {self.na_value(k, a)}" for k, (_, a) in
                                    zip(keys, args)] + ([] if "x" in keys else
                                                        ["'x': 'fail'"])) + "}"
        if f == "write.table" and pos and all(n in (None, "x", "file", "sep", "quote",
                                                     "row.names", "col.names", "na")
                                             for n, _ in args):
            # R's format: space-separated, quoted, header one field short (rreadtable.py)
            return f"{self.runtime('r_write_table')}({', '.join(self.kwargs(args))})"
        if f in ("write.csv", "write.table", "write_csv", "fwrite") and pos:
            rest = [a for n, a in args if n == "file"] or pos[1:2]
            if not rest:
                raise Untranslatable(f)
            # R's write.csv writes the row names unless row.names = FALSE (readr's and
            # data.table's writers never do)
            rn = [a for n, a in args if n == "row.names"]
            off = f in ("write_csv", "fwrite") or rn and rn[0].kind == "name" and \
                rn[0].value in ("FALSE", "F")
            return f"{self.py(pos[0])}.to_csv({self.py(rest[0])}" + \
                (", index=False)" if off else ")")
        if f in ("cat", "message", "warning"):
            keep = [(n, a) for n, a in args if n not in ("sep", "fill", "file", "append",
                                                          "call.")]
            if f == "cat":
                # R's cat: every element of every argument, separated by sep (" "), no
                # newline but the "\n" given (runtime r_cat)
                sep = [a for n, a in args if n == "sep"]
                extra = [f"sep={self.py(sep[0])}"] if sep else []
                return f"{self.runtime('r_cat')}(" + ", ".join(self.kwargs(keep) + extra) + ")"
            if f == "warning":      # a warning, so capture_warnings() sees it (rcapwarn)
                keep = [(n, a) for n, a in keep if n not in ("immediate.", "noBreaks.")]
                return f"{self.runtime('r_warning')}(" + ", ".join(self.kwargs(keep)) + ")"
            return "print(" + ", ".join(self.kwargs(keep) + ["sep=''"]) + ")"
        if f in ("print", "print.data.frame", "print.default") and pos:
            # print.data.frame(x): the S3 method print(x) dispatches to for a data frame
            return f"print({self.py(pos[0])})"
        if f in ("paste0", "paste"):
            return self.paste(e)
        if f in ("subset", "filter") and (pos or any(n in ("x", ".data") for n, _ in args)):
            return self.subset(e)
        if f in ("transform", "mutate") and pos:
            return self.transform(e)
        if f == "transmute" and pos:
            return transmute(self, e)
        if f == "unique.data.frame" and len(pos) == 1 and len(args) == 1:
            # R's unique() of a data frame: its distinct rows, the first of each kept
            return f"{self.py(pos[0])}.drop_duplicates()"
        if f == "pluck" and pos and args[0][0] is None:
            return self.py(pluck_as_index(e))
        if f == "with" and len(args) == 2 and f not in self.functions and all(
                n in (None, "data", "expr") for n, _ in args):
            # with(data, expr), with(data = d, expr): expr with d's columns as names
            try:
                got = match_args(("data", "expr"), args, "with")
            except ArgMatchError:
                got = {}
            if set(got) == {"data", "expr"}:
                return self.in_data(got["data"], lambda: self.py(got["expr"]))
        if f in ("data.table", "as.data.table") and len(pos) == 1 and len(args) == 1:
            # data.table(df): a copy of the data frame, without row names (rbase.py)
            nm = f", name={pos[0].value!r}" if pos[0].kind == "name" else ""
            return f"{self.runtime('r_data_table')}({self.py(pos[0])}{nm})"
        if f == "data.table" and args and all(n is not None for n, _ in args):
            return f"{self.runtime('r_data_frame')}({{" + ", ".join(
                f"{n!r}: {self.py(a)}" for n, a in args) + "})"
        if f == "cbind.data.frame" and args and f not in self.functions:
            # R's ?cbind: "The cbind data frame method is just a wrapper for
            # data.frame(..., check.names = FALSE)"
            return self.call(R("call", "data.frame", [*args, ("check.names", R(
                "name", "FALSE", start=e.end, end=e.end))], left=R(
                "name", "data.frame", start=e.start, end=e.start), start=e.start, end=e.end))
        if f in ("data.frame", "tibble", "data.table") and not args:
            # data.frame(): no rows, no columns - the accumulator rbind() drops (r_rbind)
            return "pd.DataFrame()"
        if f == "data.frame" and any(n == "row.names" for n, _ in args) and len(args) > 1:
            # data.frame(..., row.names = v): the row names, not a column named row.names
            rn = [a for n, a in args if n == "row.names"][0]
            rest = R("call", f, [(n, a) for n, a in args if n != "row.names"], left=e.left,
                     start=e.start, end=e.end)
            return f"{self.runtime('set_rownames')}({self.call(rest)}, {self.py(rn)})"
        if f in ("data.frame", "tibble") and any(n in (None, ".") and a.kind == "name"
                                                   for n, a in args):
            # an unnamed variable may be a data frame, whose columns R splices in place
            pieces = []
            for n, a in args:
                if n in ("stringsAsFactors", "check.names"):
                    continue
                v = self.py(a)
                pieces.append(f"({v} if isinstance({v}, pd.DataFrame) else "
                              f"{{{(n or self.src(a))!r}: {v}}})" if n in (None, ".") and
                              a.kind == "name" else f"{{{(n or self.src(a))!r}: {v}}}")
            out = f"{self.runtime('r_cbind')}(pd.DataFrame(), {', '.join(pieces)})"
            one = [(n, a) for n, a in args if n not in ("stringsAsFactors", "check.names")]
            if f == "data.frame" and len(one) == 1 and one[0][1].kind == "name":
                # data.frame(v) of a named vector: its names are the row names (r_data_frame
                # keeps a Series' labels); a data frame is spliced as before
                n, a = one[0]
                v = self.py(a)
                out = (f"({out} if isinstance({v}, pd.DataFrame) else "
                       f"{self.runtime('r_data_frame')}({{{(n or self.src(a))!r}: {v}}}))")
            if f == "data.frame" and not any(
                    n is not None and _partial(n, ("check.names",)) == "check.names" and
                    a.kind == "name" and a.value in ("FALSE", "F") for n, a in args):
                # R's check.names = TRUE: a spliced frame's names too (rchecknames.py)
                out = f"{self.runtime('r_check_names')}({out})"
            return out
        if f in ("data.frame", "tibble") and args:
            cols = [(n, a) for n, a in args if n not in ("stringsAsFactors", "check.names")]
            # data.frame(a = 1, b = "x"): one row (pandas needs an index for scalars)
            one = all(a.kind in ("num", "str") or a.kind == "name" and a.value in (
                "TRUE", "FALSE", "T", "F") for _, a in cols)
            # data.frame(id = ids, sire = NA): a column of missing values (not NULL: no column)
            body = "{" + ", ".join(f"{(n or self.src(a))!r}: " + (
                self.np("np.nan") if a.kind == "name" and a.value == "NA" else self.py(a))
                for n, a in cols) + "}"
            # x$y may be a data frame (summary(m)$varcomp: r_data_frame splices it) or one
            # value (summary(m)$aic: one row), known only when run
            vec = all(a.kind in ("num", "str") or
                      a.kind == "call" and a.value in ("c", "rep", "seq", "seq_len") or
                      a.kind == "bin" and a.value == ":" for _, a in cols)
            if one or not vec:
                # values whose length is known only when run (one value: one row; columns
                # by position, recycled, as R binds them)
                return f"{self.runtime('r_data_frame')}({body})"
            return f"pd.DataFrame({body})"
        if f in ("rbind", "rbind.data.frame") and pos and len(pos) == len(args):
            return f"{self.runtime('r_rbind')}({', '.join(self.py(a) for a in pos)})"
        if f == "rbind" and args and all(n is None or n.isidentifier() and n not in (
                "deparse.level", "make.row.names", "stringsAsFactors", "factor.exclude")
                for n, _ in args):
            # rbind(a = x, b = y): the arguments' names are the matrix's row names (R)
            names = [n for n, _ in args]
            vals = ", ".join(self.py(a) for _, a in args)
            return f"{self.runtime('r_rbind')}({vals}, _names={names!r})"
        if f == "cbind" and (len(args) > 1 or len(pos) == 1):   # cbind(v): one column
            keep = [(n, a) for n, a in args if n not in ("deparse.level", "stringsAsFactors")]
            k = len(keep)
            while k > 1 and keep[k - 1][1].kind == "name" and keep[k - 1][0] is None and \
                    keep[k - 1][1].value not in _CONST and keep[k - 1][1].value != "...":
                k -= 1
            # cbind(x, pval), cbind(fa1.l, fa2.l): a bare name names its column (R's
            # deparse.level = 1; a dotted R name too, given as **{'fa2.l': v})
            keep = keep[:k] + [(a.value, a) for _, a in keep[k:]]
            if any(n is not None and m is None for (n, _), (m, _) in zip(keep, keep[1:])) \
                    and not any(a.kind == "name" and a.value == "..." for _, a in keep):
                # cbind(response = n, d): R binds in argument order; a named argument
                # before a positional one goes as a one-element list (r_cbind splices it)
                return f"{self.runtime('r_cbind')}(" + ", ".join(
                    self.py(a) if n is None else f"{{{n!r}: {self.py(a)}}}"
                    for n, a in keep if a.kind != "empty") + ")"
            first = keep[0][1] if keep and keep[0][0] is None else None
            hint = f", _first={first.value!r}" if first is not None and len(keep) > 1 and \
                first.kind == "name" and first.value not in _CONST else ""
            return f"{self.runtime('r_cbind')}({', '.join(self.kwargs(keep))}{hint})"
        if f == "merge" and len(pos) >= 2 and all(n in (
                None, "x", "y", "by", "by.x", "by.y", "all", "all.x", "all.y", "sort",
                "suffixes") for n, _ in args):
            # R's merge: all.x/all.y, rows sorted by the key, key columns first (rmerge.py)
            return f"{self.runtime('r_merge')}({', '.join(self.kwargs(args))})"
        if f == "merge" and f not in self.functions and any(n in ("x", "y") for n, _ in args) \
                and all(n in (None, "x", "y", "by", "by.x", "by.y", "all", "all.x", "all.y",
                              "sort", "suffixes") for n, _ in args):
            # d %>% merge(y = e, by = k): R fills the formals not named (x, y) in order
            free = [k for k in ("x", "y") if k not in {n for n, _ in args}]
            if len(pos) == len(free):
                bound = dict(zip(free, pos)) | {n: a for n, a in args if n in ("x", "y")}
                rest = [(n, a) for n, a in args if n not in (None, "x", "y")]
                return (f"{self.runtime('r_merge')}({self.py(bound['x'])}, "
                        f"{self.py(bound['y'])}" +
                        "".join(f", {k}" for k in self.kwargs(rest)) + ")")
        if f == "join" and len(pos) >= 2 and all(
                n in (None, "x", "y", "by", "type", "match") for n, _ in args):
            # plyr's join(x, y, by, type = "left"): x's rows in x's order (pandas' merge)
            got = _bind_args(("x", "y", "by", "type", "match"), pos, args)
            typ = got.get("type")
            how = {"left": "left", "right": "right", "inner": "inner", "full": "outer"}.get(
                typ.value if typ is not None and typ.kind == "str" else "left"
                if typ is None else "")
            match = got.get("match")
            if how is None or match is not None and not (match.kind == "str" and
                                                         match.value == "all"):
                raise Untranslatable("join() with this type/match")
            on = f", on={self.py(got['by'])}" if "by" in got else ""
            return (f"{self.py(got['x'])}.merge({self.py(got['y'])}, how={how!r}{on}, "
                    "suffixes=('.x', '.y'))")
        if f == "file.path" and pos:
            self.helpers.add("os")
            return f"os.path.join({', '.join(self.py(a) for a in pos)})"
        if f == "test_path" and pos and all(n is None for n, _ in args):
            # testthat: a path under tests/testthat, where testthat runs a test file (and
            # the translated script runs): file.path(...) there
            self.helpers.add("os")
            return f"os.path.join({', '.join(self.py(a) for a in pos)})"
        if f == "here" and pos:
            self.helpers.add("os")
            return f"os.path.join({', '.join(self.py(a) for a in pos)})"
        if f == "wald.test" and args and all(n in (None, "Sigma", "b", "Terms", "L", "H0", "df",
                                                    "verbose") for n, _ in args):
            # aod's Wald chi-square of L b = H0 (rbase.r_wald_test); positional: Sigma, b, ...
            return f"{self.runtime('r_wald_test')}({', '.join(self.kwargs(args))})"
        if f == "cut" and pos and all(n in (None, "x", "breaks", "labels", "right",
                                            "include.lowest", "dig.lab") for n, _ in args):
            # base R's cut(): intervals as a factor (rbase.r_cut)
            names = ("x", "breaks", "labels", "include_lowest", "right", "dig_lab")
            got = dict(zip(names, pos))
            got.update({n.replace(".", "_"): a for n, a in args if n is not None})
            if len(pos) > len(names) or "breaks" not in got:
                raise Untranslatable("cut()")
            kw = ", ".join(f"{k}={self.py(a)}" for k, a in got.items() if k != "x")
            return f"{self.runtime('r_cut')}({self.py(got['x'])}, {kw})"
        if f == "setNames" and 1 <= len(args) <= 2 and all(n in (None, "object", "nm")
                                                            for n, _ in args):
            # stats::setNames(object = nm, nm): object with names nm (set_names)
            got = _bind_args(("object", "nm"), pos, args)
            obj, nm = got.get("object", got.get("nm")), got.get("nm")
            if obj is None or nm is None or nm.kind == "name" and nm.value == "NULL":
                raise Untranslatable("setNames() without names")
            return f"{self.runtime('set_names')}({self.py(obj)}, {self.py(nm)})"
        if f == "switch" and args:
            return self.switch(args)
        if f == "as.Date" and pos and f not in self.functions and all(
                n in (None, "format", "tryFormats") for n, _ in args) and len(pos) <= 2:
            fmt = [a for n, a in args if n in ("format", "tryFormats")] or pos[1:2]
            extra = f", format={self.py(fmt[0])}" if fmt else ""
            return f"{self.runtime('r_as_date')}({self.py(pos[0])}{extra})"
        if f == "rev" and len(args) == 1 and pos and f not in self.functions:
            return f"{self.runtime('r_rev')}({self.py(pos[0])})"
        if f in ("ifelse", "if_else") and len(pos) == 3 and len(args) == 3:
            test = pos[0]
            sides = [x for x in (test.left, test.right) if x is not None and
                     x.kind not in ("num", "str")] if test.kind == "bin" and \
                test.value in ("==", "!=", "<", ">", "<=", ">=") else []
            if sides:
                # R: NA where the comparison meets a missing value (pandas gives False)
                na = ", ".join(self.py(x) for x in sides)
                return (f"{self.runtime('r_ifelse')}({', '.join(self.py(a) for a in pos)}, "
                        f"na={self.runtime('r_na_of')}({na}))")
            return self.np(f"np.where({', '.join(self.py(a) for a in pos)})")
        if f == "seq_len" and len(pos) == 1:
            return f"range(1, {self.py(pos[0])} + 1)"
        if f == "seq_along" and len(pos) == 1:
            return f"range(1, len({self.py(pos[0])}) + 1)"
        if f in rparallel.PARALLEL_APPLY and rparallel.as_serial(e) is not None:
            return self.call(rparallel.as_serial(e))      # mclapply(...) -> lapply(...)
        if f == "mapply" and args:
            return self._mapply(args)                      # rmapply.py
        if f == "Reduce" and f not in self.functions:
            return rreducef.translate(self, e)             # rreducef.py
        if f in ("sapply", "lapply", "vapply"):
            # R's matching (rdots.py): X, FUN, and what goes on through ... to FUN
            parts = rdots.apply_parts(f, args)
            xs, fun = ([parts[0]], [parts[1]]) if parts else ([], [])
            extra_pos, extra = (parts[2], parts[3]) if parts else ([], [])
            if fun and xs and rdots.index_fun(fun[0]) and len(extra_pos) == 1 and not extra:
                # sapply(parts, "[", 1): each element indexed, R's 1-based [ / [[
                it = self.iterable(xs[0])
                if xs[0].kind in ("name", "dollar", "index"):
                    it = f"{self.runtime('r_iter')}({it})"
                helper = self.runtime(rdots.index_fun(fun[0]) or "r_sub")
                return f"[{helper}(_el, {self.py(extra_pos[0])}) for _el in {it}]"
            if extra_pos and fun and not (fun[0].kind == "function" or fun[0].kind == "name"
                                          and fun[0].value in self.functions
                                          or rstring.function_value(self, fun[0])
                                          or self._sourced_fun(fun[0])):
                # FUN(el, a, b) of a function we map to Python by name: not known to take them
                raise Untranslatable(f"{f}() passing positional arguments to "
                                     f"{self.src(fun[0])}")
            if xs and fun and fun[0].kind in ("function", "name"):
                na_rm = [a for n, a in extra if n == "na.rm"]
                if fun[0].kind == "name" and fun[0].value in _R_SUMMARY_FUNS:
                    extra = [(n, a) for n, a in extra if n != "na.rm"]
                fn = (rstring.function_value(self, fun[0])
                      or self.fun_ref(fun[0], na_rm[0] if na_rm else None))
                if fun[0].kind == "function" or fun[0].value in self.functions:
                    # the script's own function: its parameters are Python names (t.value ->
                    # t_value), so are the extra arguments naming them
                    extra = [(pyname(n) if n else n, a) for n, a in extra]
                more = "".join(f", {k}" for k in self.kwargs(
                    [(None, a) for a in extra_pos] + extra))
                it = self.iterable(xs[0])
                if xs[0].kind in ("name", "dollar", "index") or xs[0].kind == "call" and \
                        xs[0].value in ("split", "list", "setNames", "as.list", "lapply"):
                    # a list's values (lapply(split(d, f), g): the parts, not their names),
                    # a frame's columns
                    if f == "lapply":   # a named list's names are kept (rlapply.py)
                        return (f"{self.runtime('r_lapply')}({it}, "
                                f"lambda _el: {fn}(_el{more}))")
                    it = f"{self.runtime('r_iter')}({it})"
                if f in ("sapply", "vapply") and all(n != "simplify" for n, _ in args):
                    # R's names (USE.NAMES) and simplification to a vector or a matrix
                    un = [self.py(a) for n, a in args if n == "USE.NAMES"]
                    flag = f", use_names={un[0]}" if un else ""
                    return (f"{self.runtime('r_sapply')}({self.iterable(xs[0])}, "
                            f"lambda _el: {fn}(_el{more}){flag})")
                # _el: the script's own x may appear inside fn (lambda n: d[x == n])
                return f"[{fn}(_el{more}) for _el in {it}]"
        if f == "tapply" and all(n in (None, "X", "INDEX", "FUN", "na.rm") for n, _ in args) \
                and {"X", "INDEX", "FUN"} <= set(_bind_args(("X", "INDEX", "FUN"), pos, args)):
            got = _bind_args(("X", "INDEX", "FUN"), pos, args)
            fn = self.fun_ref(got["FUN"], got.get("na.rm"))
            return (f"{self.runtime('r_tapply')}({self.py(got['X'])}, {self.py(got['INDEX'])}, "
                    f"{fn})")
        if f == "apply" and f not in self.functions and len(pos) == 3 and \
                all(n is None or n not in ("X", "MARGIN", "FUN", "na.rm", "simplify")
                    for n, _ in args) and any(n is not None for n, _ in args):
            # apply(d, 1, paste, collapse = "-"): named extras go on to FUN (R's ...)
            fun = pos[2]
            named = [(n, a) for n, a in args if n is not None]
            if fun.kind == "name" and fun.value not in self.functions | self.assigned:
                # R's own function: the call FUN(row, extras) translated as R's
                body = self.py(R("call", fun.value, [(None, R("name", "_r")), *named],
                                 start=fun.start, end=fun.end))
            elif fun.kind == "function" or fun.kind == "name" and fun.value in self.functions:
                extra = ", ".join(f"{pyname(n)}={self.py(a)}" for n, a in named)
                body = f"{self.fun_ref(fun)}(_r, {extra})"
            else:
                raise Untranslatable("apply() of a function held in a variable, with extras")
            return (f"{self.runtime('r_apply')}({self.py(pos[0])}, {self.py(pos[1])}, "
                    f"lambda _r: {body})")
        if f == "apply" and all(n in (None, "X", "MARGIN", "FUN", "na.rm") for n, _ in args) \
                and {"X", "MARGIN", "FUN"} <= set(_bind_args(("X", "MARGIN", "FUN"), pos, args)):
            got = _bind_args(("X", "MARGIN", "FUN"), pos, args)
            fn = self.fun_ref(got["FUN"], got.get("na.rm"))
            return (f"{self.runtime('r_apply')}({self.py(got['X'])}, "
                    f"{self.py(got['MARGIN'])}, {fn})")
        if f in ("which.max", "which.min") and len(args) == 1 and pos:
            low = ", minimum=True" if f == "which.min" else ""
            return f"{self.runtime('r_which_max')}({self.py(pos[0])}{low})"
        if f == "unname" and len(args) == 1 and pos:
            return f"{self.runtime('r_unname')}({self.py(pos[0])})"
        if f == "relevel" and f not in self.functions and len(args) == 2 and \
                all(n in (None, "x", "ref") for n, _ in args):
            got = _bind_args(("x", "ref"), pos, args)
            return f"{self.runtime('r_relevel')}({self.py(got['x'])}, {self.py(got['ref'])})"
        if f == "format" and f not in self.functions and len(pos) == 1 and \
                args[0][0] is None and len(args) > 1 and \
                all(n in ("digits", "nsmall") for n, _ in args[1:]):
            # format(x, digits = k, nsmall = m): R's common layout (rformat.py)
            kw = "".join(f", {n}={self.py(a)}" for n, a in args[1:])
            return f"{self.runtime('r_format')}({self.py(pos[0])}{kw})"
        if f == "log" and f not in self.functions and len(args) == 2 and \
                args[0][0] in (None, "x") and args[1][0] in (None, "base"):
            # log(x, base) = log(x) / log(base)
            return self.np(f"(np.log({self.py(args[0][1])}) / np.log({self.py(args[1][1])}))")
        if f == "anyNA" and f not in self.functions and len(args) == 1 and pos:
            return self.np(f"bool(np.any(pd.isna(np.asarray({self.runtime('r_unname')}("
                           f"{self.py(pos[0])}), dtype=object))))")
        if f == "unlist" and len(pos) == 1 and all(n in (None, "use.names") for n, _ in args):
            plain = any(n == "use.names" and self.py(a) == "False" for n, a in args)
            return (f"{self.runtime('r_unlist')}({self.py(pos[0])}"   # a frame's values too
                    + (", use_names=False)" if plain else ")"))
        if f in ("do.call",) and len(pos) == 2 and len(args) == 2 and \
                pos[0].kind in ("str", "name") and pos[0].value in ("rbind", "cbind"):
            return f"{self.runtime('r_bind_all')}({pos[0].value!r}, {self.py(pos[1])})"
        if f == "do.call" and len(pos) == 2 and len(args) == 2 and \
                pos[0].kind in ("str", "name") and pos[0].value == "c" and "c" not in \
                self.functions:
            # do.call(c, L) is c(L[[1]], L[[2]], ...): for a list of vectors, unlist(L)
            # (the values in order, named as c() names them: a1, a2, b)
            return f"{self.runtime('r_unlist')}({self.py(pos[1])})"
        if f == "do.call" and len(pos) == 2 and len(args) == 2 and \
                pos[0].kind in ("str", "name") and "do.call" not in self.functions:
            # do.call(f, L) of a list known when the script runs (rdocall.py): the script's
            # function, or one of R's ... functions the runtime has (bdiag)
            g = pos[0].value
            tmm = _TMM_FUNCS.get(g)
            if g in self.functions:
                return f"{self.runtime('r_do_call')}({pyname(g)}, {self.py(pos[1])})"
            if tmm is not None and tmm[1] == ("...",):
                return (f"{self.runtime('r_do_call')}({self.runtime(tmm[0])}, "
                        f"{self.py(pos[1])}, dots=True)")
        if f in self.functions:
            # the script's function: its parameters are spelled as Python names (min.n ->
            # min_n), so are the names of the arguments passed to them; bound as R binds
            # them when Python would bind them otherwise (ruserargs.py)
            args = bind_user_call(self.formals.get(f, ("...",)), args, f) or args
            named = [(pyname(n) if n is not None and n != "..." and "." in n else n, a)
                     for n, a in args]
            return f"{pyname(f)}({', '.join(self.kwargs(named))})"
        if f in ("rownames_to_column", "column_to_rownames") and pos and all(
                n in (None, ".data", "var") for n, _ in args):
            # tibble: the row names as a first column named var ("rowname"), and back
            var = ([a for n, a in args if n == "var"] or pos[1:2])
            v = self.py(var[0]) if var else "'rowname'"
            return f"{self.runtime('r_' + f)}({self.py(pos[0])}, {v})"
        if f.split("::")[-1] in rforcats.FUNCTIONS and f not in self.functions:
            got = rforcats.translate(self, e)       # fct_inseq(x), ...: rforcats.py
            if got is not None:
                return got
        if f in rvector.FUNCTIONS and f not in self.functions:   # which(), numeric(n)
            vec = rvector.translate(self, e)
            if vec is not None:
                return vec
        if f == "rank" and f not in self.functions:         # base R: rrank.py
            got = rrank.translate(self, e)
            if got is not None:
                return got
        if f == "append" and f not in self.functions:       # base R: rappend.py
            got = rappend.translate(self, e)
            if got is not None:
                return got
        if f in ("cast", "reshape::cast") and f not in self.functions:   # reshape: rcast.py
            wide = rcast.translate(self, e)
            if wide is not None:
                return wide
        if f in ("plsr", "pls::plsr") and f not in self.functions:     # pls: rpls.py
            got = rpls.translate(self, e)
            if got is not None:
                return got
        if f in ("scores", "pls::scores") and len(args) == 1 and args[0][0] is None and \
                f not in self.functions:
            return f"{self.runtime('r_scores')}({self.py(args[0][1])})"
        if f == "dcast" and f not in self.functions:        # reshape2/data.table: rdcast.py
            wide = rdcast.translate(self, e)
            if wide is not None:
                return wide
        if f in renv.FUNCTIONS and f not in self.functions:   # ls(), get(), assign(), eval
            env = renv.translate(self, e)
            if env is not None:
                return env
        if f in rstring.FUNCTIONS:                      # R's string functions: rstring.py
            return rstring.translate(self, e)  # type: ignore[return-value]
        if f == "n" and not args and self.data_cols and f not in self.functions:
            return f"len({self.data_cols})"                 # dplyr's n() in mutate()
        if f == "row_number" and not args and self.data_cols and f not in self.functions:
            # dplyr's row_number(): 1..n in the rows' order (a group's rows when grouped)
            return self.np(f"np.arange(1, len({self.data_cols}) + 1)")
        if f in _TMM_FUNCS and f not in self.functions:     # qr(), rnorm(), A.mat(), ...
            tmm = self.tmm_call(f, e, args)
            if tmm is not None:
                return tmm
        if (f in _PKG_CALLS or f in _PKG_UNAVAILABLE) and f not in self.functions:
            # svd(), optim(), expand_grid(), ...; LMMsolve(): a TODO saying why not
            pkg_call = _pkg_call(self, f, e, args)
            if pkg_call is not None:
                return pkg_call
        if getattr(self, "sourced", False) and f and f not in _SIMPLE_FUNCS and \
                re.fullmatch(r"[A-Za-z.][\w.]*", f) \
                and "::" not in f and not _PLOTTING.fullmatch(f):
            # after source(): a function the sourced file may define (r_sourced looks it
            # up when the script runs; a placeholder when it is not there)
            return (f"{self.runtime('r_sourced')}({f!r}, globals())"
                    f"({', '.join(self.kwargs(args))})")
        if f == "t" and len(pos) == 1 and len(args) == 1:   # a vector: 1 x n (rmatnames)
            return f"{self.runtime('r_t')}({self.py(pos[0])})"
        if f == "deltamethod" and f not in self.functions:     # msm (rdeltamethod.py)
            got = rdeltamethod.translate(self, e)
            if got is not None:
                return got
        if f == "unique" and f not in self.functions:     # of a data frame: its rows
            got = runique.translate(self, e)
            if got is not None:
                return got
        if f == "shapiro.test" and f not in self.functions:    # stats (rshapiro.py)
            got = rshapiro.translate(self, e)
            if got is not None:
                return got
        if f == "range" and f not in self.functions:      # range(x, na.rm = TRUE) (rrange.py)
            got = rrange.translate(self, e)
            if got is not None:
                return got
        if f in rreduce.FUNCTIONS and f not in self.functions:  # max(0, x), prod(x)
            got = rreduce.translate(self, e)
            if got is not None:
                return got
        if f == "round" and f not in self.functions and \
                any(n == "digits" for n, _ in args) and len(args) == 2 and \
                args[0][0] in (None, "x"):
            # round(x, digits = k): digits by name is its second argument
            return self.call(R("call", f, [(None, args[0][1]), (None, args[1][1])],
                               start=e.start, end=e.end))
        if f == "round" and f not in self.functions and 1 <= len(args) <= 2 and \
                all(n is None for n, _ in args):
            # R's round(): the closer decimal candidate, a true tie to even (rround.py)
            return f"{self.runtime('r_round')}({', '.join(self.py(a) for a in pos)})"
        if f == "mean" and f not in self.functions:
            got = rmeantrim.translate(self, e)          # mean(x, trim = 0.1) (rmeantrim.py)
            if got is not None:
                return got
        if f in _SIMPLE_FUNCS and pos and all(n in (None, "na.rm") for n, _ in args):
            py = _SIMPLE_FUNCS[f]
            na_rm = any(n == "na.rm" and self.py(a) == "True" for n, a in args)
            flag = [self.py(a) for n, a in args if n == "na.rm"]
            if flag and flag[0] not in ("True", "False") and len(pos) == 1 and \
                    f in ("mean", "sum", "max", "min", "median", "sd", "var"):
                # max(x, na.rm = na.rm) in a function: known when it runs (it was dropped)
                return (f"{self.runtime('r_fun')}({f!r}, na_rm=bool({flag[0]}))"
                        f"({self.py(pos[0])})")
            if na_rm and f in ("mean", "sum", "max", "min", "median", "sd", "var"):
                py = py.replace("np.", "np.nan")
            if py.startswith("np."):
                self.uses_np = True
            vals = [self.py(a) for a in pos]
            if len(vals) == 1 and f in ("mean", "sum", "max", "min", "median", "sd", "var") \
                    and rnull.absent_ok(self, pos[0]):
                vals = [self._null_safe(pos[0])]    # mean(d$absent): R's NULL (rnull.py)
            if f == "is.na" and len(vals) == 1 and vals[0].startswith("r_dollar("):
                # is.na(x$a$absent): R's logical(0), not pd.isna(None)'s True (rnull.py)
                vals = [f"{self.runtime('r_null_vec')}({vals[0]})"]
            if f == "solve" and len(vals) == 1:         # R's dimnames kept (rsolve.py)
                return f"{self.runtime('r_solve')}({vals[0]})"
            if f == "var" and len(vals) == 1 and not na_rm and not flag:
                # var(m) of a matrix or data frame: the covariance matrix (rbase.r_var)
                return f"{self.runtime('r_var')}({vals[0]})"
            sides = rnasubset.cmp_sides(pos[0]) if f in ("sum", "mean") and not na_rm and \
                not flag and len(vals) == 1 else None
            if sides:       # sum(x > k): NA where a compared value is (R; rnasubset.py)
                na = ", ".join(self.py(x) for x in sides)
                vals = [f"{self.runtime('r_na_logical')}({vals[0]}, "
                        f"{self.runtime('r_na_of')}({na}))"]
            if not na_rm and len(vals) == 1 and f in ("mean", "sum", "max", "min", "median",
                                                       "sd", "var"):
                # np.mean(Series) is pandas' mean, which skips NA; R's mean(x) is NA
                vals = [f"np.asarray({vals[0]})" if not vals[0].startswith("r_dollar(") else
                        f"np.asarray({self.runtime('r_null_vec')}({vals[0]}))"]   # rnull.py
            if f in ("sd", "var") and len(vals) == 1:
                vals.append("ddof=1")             # R divides by n - 1
            return f"{py}({', '.join(vals)})"
        if f == "cor" and len(pos) == 2 and len(args) == 2:
            return self.np(f"np.corrcoef({self.py(pos[0])}, {self.py(pos[1])})[0, 1]")
        pkg = pkg_of(e.left) if e.left is not None else ""
        if f in ("chol", "chol2inv", "ginv") and len(pos) == 1 and pkg in ("", "base", "MASS") \
                and (f == "ginv" or pkg != "MASS") and all(
                    n in (None, "x", "X") or f == "ginv" and n == "tol" for n, _ in args):
            # R's Cholesky factor and inverse from it, MASS's generalised inverse (rmatrix.py)
            self.uses_np = True
            return f"{self.runtime('r_' + f)}({', '.join(self.kwargs(args))})"
        if pkg and pkg not in ("base", "stats", "utils", "asreml"):
            # LMMsolver:::dlogdet(): another package's (maybe internal) function
            raise Untranslatable(f"{pkg}::{f}(), a function of the R package {pkg}; asr_py "
                                 "has no equivalent")


        inner = None if f or e.left is None else e.left.right if e.left.kind == "paren" \
            else e.left.body[0] if e.left.kind == "block" and len(e.left.body) == 1 else None
        if inner is not None and inner.kind == "function":
            # (function(x) ...)(a), {\(x) ...}(a), d |> (\(x) ...)(): the function, called
            return f"({self.py(inner)})({', '.join(self.kwargs(args))})"
        if not f and e.left is not None and (e.left.kind == "dollar" or e.left.kind == "index"
                                             and e.left.value == "[["):
            # a function held in a list, called: models[[func]](rho, 24), fns$ar1(rho, 24)
            return f"{self.py(e.left)}({', '.join(self.kwargs(args))})"
        raise Untranslatable(f"{f or self.src(e.left or e)}()")

    def tmm_call(self, f: str, e: R, args: list[tuple[str | None, R]]) -> str | None:
        """R's QR functions, random numbers and the relationship-matrix helpers scripts call
        beside asreml (rlinalg.py, rgenetics.py); None when the call's form is not known."""
        pkg = pkg_of(e.left) if e.left is not None else ""
        fn, known, pkgs = _TMM_FUNCS[f]
        if pkg and pkg not in pkgs:
            return None
        if f == "split" and (sum(n is None for n, _ in args) >= 2 or
                             any(n == "f" for n, _ in args)):
            # data.table's split(x, f, keep.by=, sorted=, flatten=) with f given splits as
            # base R's split.data.frame, ignoring them (they apply to by = only)
            args = [(n, a) for n, a in args if n not in ("keep.by", "sorted", "flatten")]
        if known == ("...",):                            # bdiag(A, B, ...): all positional
            if any(n is not None for n, _ in args):
                raise Untranslatable(f"{f}() with a named argument")
            self.uses_np = True
            return f"{self.runtime(fn)}({', '.join(self.py(a) for _, a in args)})"
        # R's matching (rmatchargs.py): exact names, unique prefixes, then positions
        try:
            given: dict[str, R] = match_args(
                known, [(n, a) for n, a in args if a.kind != "empty"], f)
        except ArgMatchError as err:
            if err.unused is not None:
                raise Untranslatable(f"{f}(..., {err.unused} = ): argument not supported"
                                     ) from None
            raise Untranslatable(str(err)) from None
        parts = [f"{k.replace('.', '_')}={self.py(given[k])}" for k in known if k in given]
        self.uses_np = True
        call = f"{self.runtime(fn)}({', '.join(parts)})"
        note = (f"# NOTE(asr_py): {f}() draws from numpy's generator: R's random stream "
                "cannot be reproduced, so the simulated numbers differ from R's")
        if f in ("rnorm", "runif"):
            self._note_once(note)
        return call

    def switch(self, args: list[tuple[str | None, R]]) -> str:
        """R's ``switch(EXPR, ...)`` as a lazy conditional expression. A text EXPR picks the
        alternative of that name (an empty one, ``a = , b = 2``, falls through to the next
        given value; an unnamed one is the default); a number k picks the k-th alternative;
        no match gives NULL (None)."""
        (n0, x), alts = args[0], args[1:]
        if n0 not in (None, "EXPR") or x.kind not in ("name", "dollar", "str", "num") or \
                not alts or any(a.kind in ("block", "function") for _, a in alts):
            raise Untranslatable("switch()")
        key = self.py(x)
        named = [(n, a) for n, a in alts if n is not None]
        default = [a for n, a in alts if n is None]
        if not named:                       # switch(k, "a", "b"): by position
            parts = [f"{self.py(a)} if {key} == {i}" for i, a in enumerate(default, 1)]
            return "(" + " else ".join(parts) + " else None)"
        if len(default) > 1:
            raise Untranslatable("switch() with several unnamed alternatives")
        parts, waiting = [], []
        for n, a in named:
            waiting.append(n)
            if a.kind == "empty":
                continue
            test = (f"{key} == {waiting[0]!r}" if len(waiting) == 1
                    else f"{key} in {tuple(waiting)!r}")
            parts.append(f"{self.py(a)} if {test}")
            waiting = []
        if not parts:
            raise Untranslatable("switch() with no value")
        other = self.py(default[0]) if default else "None"
        return "(" + " else ".join(parts) + f" else {other})"

    def series(self, e: R) -> str:
        """``e`` as something with ``.astype``: columns as they are, vectors as a Series."""
        text = self.py(e)
        if e.kind in ("dollar", "index", "name") or e.kind == "call" and e.value in (
                "as.factor", "factor", "as.character", "as.numeric", "paste", "paste0",
                "ifelse", "with", "interaction"):
            return text
        if e.kind in ("bin", "unary", "paren") and self._vector_context_any(e):
            return f"({text})" if e.kind != "paren" else text
        return f"pd.Series({text})"

    def _vector_context_any(self, e: R) -> bool:
        if e.kind in ("dollar", "index"):
            return True
        return any(self._vector_context_any(x) for x in (e.left, e.right) if x is not None)

    def rep(self, e: R) -> str:
        """rep(x, n), rep(x, times = n), rep(x, c(2, 3)), rep(x, each = k), rep(x, length.out
        = n): R's rules, in the runtime's ``r_rep``."""
        named = {n: a for n, a in e.args if n is not None}
        pos = [a for n, a in e.args if n is None]
        keys = {n: _partial(n, ("times", "each", "length.out")) for n in named}
        if None in keys.values() or len(pos) > 2:
            raise Untranslatable("rep() arguments")
        args = [self.py(pos[0])] + ([self.py(pos[1])] if len(pos) > 1 else [])
        args += [f"{keys[n].replace('.', '_')}={self.py(a)}" for n, a in named.items()]
        return f"{self.runtime('r_rep')}({', '.join(args)})"

    def matrix(self, e: R) -> str:
        """R's ``matrix(data, nrow, ncol, byrow, dimnames)`` (positional or partial names)
        -> the runtime's ``r_matrix`` (an array, or a DataFrame when named)."""
        formals = ("data", "nrow", "ncol", "byrow", "dimnames")
        named = [(n, a) for n, a in e.args if n is not None]
        pos = [a for n, a in e.args if n is None and a.kind != "empty"]
        keys = {n: _partial(n, formals) for n, _ in named}
        if None in keys.values():
            raise Untranslatable("matrix() arguments")
        free = [f for f in formals if f not in keys.values()]
        if len(pos) > len(free):
            raise Untranslatable("matrix() arguments")
        given = list(zip(free, pos)) + [(keys[n], a) for n, a in named]

        def value(k: str, a: R) -> str:
            if k == "dimnames" and a.kind == "call" and a.value == "list":
                # list(rows, cols): two vectors, not one flattened vector
                return "[" + ", ".join(self.py(x) for _, x in a.args) + "]"
            return self.py(a)
        out = [f"{k}={value(k, a)}" for k, a in given]
        return f"{self.runtime('r_matrix')}({', '.join(out)})"

    # ----- data-column scopes (subset, with, transform) --------------------------------------
    def subset(self, e: R) -> str:
        """base R's ``subset(x, subset, select)`` (arguments by position or name; rows where
        the condition is NA are dropped) and dplyr's ``filter(.data, cond, ...)`` (every
        further positional argument a condition). An argument neither knows is refused, never
        dropped: a subset without its condition would be a different data set."""
        named = {n: a for n, a in e.args if n is not None}
        pos = [a for n, a in e.args if n is None]
        data_key = "x" if e.value == "subset" else ".data"
        if data_key in named:
            pos.insert(0, named.pop(data_key))
        data, conds = pos[0], pos[1:]
        sel: list[R] = []
        if e.value == "subset":
            if len(conds) > 1:          # subset(x, cond, select): the third is select
                sel, conds = conds[1:2], conds[:1]
            if "subset" in named:
                conds.append(named.pop("subset"))
            if "select" in named:
                sel = [named.pop("select")]
        if e.value == "subset":
            return self._subset_call(data, conds, sel, named)
        unknown = [n for n in named if n not in (".preserve", ".by")]
        if unknown:
            raise Untranslatable(f"{e.value}() argument {unknown[0]}=")
        if ".by" in named and conds:     # filter(d, cond, .by = g): per group (rfilterby.py)
            by = rfilterby.by_columns(self, named[".by"])
            g = R("name", "_g")
            cond = " & ".join(self.in_data(g, lambda c=c: _paren(c, self.py(c))) for c in conds)
            return (f"{self.runtime('r_filter_by')}({self.py(data)}, {by!r}, "
                    f"lambda _g: {cond})")
        if not conds and not sel:
            return self.py(data)
        d = self.py(data)
        out = d
        if conds:
            cond = " & ".join(self.in_data(data, lambda c=c: _paren(c, self.py(c)) if len(
                conds) > 1 else self.py(c)) for c in conds)
            out = f"{d}[{cond}]"
        if sel:
            spec = rvector.select_spec(self, sel[0])
            return f"{self.runtime('r_select')}({out}, lambda _p: {spec})"
        return out

    def _subset_call(self, data: R, conds: list[R], sel: list[R], named: dict[str, R]) -> str:
        """``subset()`` dispatches on its object in R (subset.data.frame, asremlPlus's
        subset.alldiffs, ...): ``r_subset(x, lambda _p: cond, select=..., **rest)`` with the
        condition evaluated among the object's columns (runtime.r_subset)."""
        frame = R("name", "_p")
        args = [self.py(data)]
        if conds:
            args.append("lambda _p: " + self.in_data(frame, lambda: self.py(conds[0])))
        if sel:
            args.append(f"select=lambda _p: {rvector.select_spec(self, sel[0])}")
        for n, a in named.items():
            v = self.py(a)
            args.append(f"{n}={v}" if n.isidentifier() and not keyword.iskeyword(n)
                        else f"**{{{n!r}: {v}}}")
        return f"{self.runtime('r_subset')}({', '.join(args)})"

    def transform(self, e: R) -> str:
        pos = [a for n, a in e.args if n is None]
        data = pos[0]
        d = self.py(data)
        kws: list[str] = []
        seen: set[str] = set()
        across_done = False
        place = {n: a for n, a in e.args if n in (".before", ".after")} \
            if e.value == "mutate" else {}
        for n, a in e.args[1:] if e.args and e.args[0][0] is None else e.args:
            if n in place:
                continue
            if n is None:
                # an unnamed argument besides the data: dplyr's across(); anything else is
                # not dropped silently (it was: mutate(d, across(...)) kept d unchanged)
                if kws and a.kind == "call" and a.value == "across":
                    # mutate() is sequential: across() sees the columns made before it
                    d, kws = f"{d}.assign({', '.join(kws)})", []
                done = rdplyr.across(self, d, a) if a.kind == "call" and \
                    a.value == "across" else None
                if done is None:
                    raise Untranslatable(f"{e.value}({self.src(a)})")
                d, across_done = done, True
                continue
            # after an across(), every later argument reads the frame so far (across may
            # have changed any column: wt = if_else(is.na(wt), 1, wt) sees its NA)
            lazy = e.value == "mutate" and (across_done or bool(seen) and (
                n in seen or names_in(a) & seen))
            if lazy:
                # dplyr's mutate() is sequential: a later argument sees the columns made (or
                # remade: gen = f(gen), gen = g(gen)) before it, read from the frame so far
                if kws:
                    d, kws = f"{d}.assign({', '.join(kws)})", []
                frame = R("name", "_m")
                # a column made before is the frame's, even when a variable (a function's
                # local one) has its name: _m['vd'], not r_col_or(_m, 'vd', vd)
                hidden = seen & self.assigned
                self.assigned -= hidden
                try:
                    val = "lambda _m: " + self.in_data(frame, lambda a=a: self.py(a))
                finally:
                    self.assigned |= hidden
            else:
                val = self.in_data(data, lambda a=a: self.py(a))
                if rrecycle.is_constant_call(a):     # as.factor(22): every row, not row 0
                    val = f"lambda _d: {self.runtime('r_recycle1')}({val}, _d)"
                elif data.kind == "name" and needs_position(a, data, columns_by_name=True,
                                                            variables=self.assigned):
                    # transform(d, w = diag(M)): R's values by position (rcolpos.py)
                    val = f"{self.runtime('r_col_value')}({self.py(data)}, {val})"
            seen.add(n)
            ok = n.isidentifier() and not keyword.iskeyword(n)
            kws.append(f"{n}={val}" if ok else f"**{{{n!r}: {val}}}")
        out = f"{d}.assign({', '.join(kws)})" if kws or d == self.py(data) else d
        if place:
            (pn, pa), = place.items()
            ref = repr(pa.value) if pa.kind in ("name", "str") else self.py(pa)
            arg = "before" if pn == ".before" else "after"
            made = list(dict.fromkeys(n for n, _ in e.args if n and n not in place))
            out = f"{self.runtime('r_relocate')}({out}, {made!r}, {arg}={ref})"
        return out

    # ----- asreml() --------------------------------------------------------------------------
    def asreml_args(self, args: list[tuple[str | None, R]], call: R,
                    na_default: bool = False) -> list[str]:
        """asr.asreml()'s keyword arguments for an asreml() (or update()) call's ``args``.
        With ``na_default`` (a new asreml() call, not update(), which keeps its fit's) a call
        that does not say how to treat missing explanatory values gets asreml's default
        ``na.method(x = "fail")`` as ``na_action={'x': 'fail'}``: asreml stops on a missing
        value in a factor or covariate of the model, where asr.asreml's own default drops
        those rows with a warning. Not when the call passes R's ``...`` (it may hold
        na.action)."""
        parent: dict[str, str] = {}
        if call.value in ("update", "update.asreml") and call.args and \
                call.args[0][1].kind == "name":
            parent = self.formulas.get(call.args[0][1].value, {})
        self.last_formulas = dict(parent)
        # asreml 3's ginverse list of the fit updated: update() keeps it in the call
        old_giv = {k[len(_GIV_REC):]: v for k, v in parent.items() if k.startswith(_GIV_REC)}
        out: list[str] = []
        giv: dict[str, str] = {}
        na: list[str] = []
        mats: dict[str, str] = {}
        params: list[str] = []
        named: list[tuple[str, R]] = []
        mresp: tuple[R, str, str] | None = None     # a matrix response written as R code
        pos_i = 0
        for n, a in args:
            if a.kind == "empty":
                continue
            if n is None and a.kind == "name" and a.value == "...":
                named.append(("...", a))
                continue
            if n is None:
                if pos_i >= len(_ASREML_POS):
                    self.todo.append(f"asreml() positional argument {self.src(a)} is not "
                                     "translated")
                    continue
                n = _ASREML_POS[pos_i]
                pos_i += 1
            else:
                n = _partial(n, tuple(_ASREML_ARGS) + tuple(_HARMLESS) + tuple(_MODEL)) or n
            named.append((n, a))
        for n, a in named:
            if n == "ginverse":
                if a.kind == "call" and a.value == "list" and all(gn for gn, _ in a.args):
                    for gn, ga in a.args:
                        giv[gn or ""] = self.src(ga)
                else:
                    self.todo.append(f"asreml(ginverse = {self.src(a)}) is not translated: "
                                     "this call fits a DIFFERENT model than the R script")
        new_giv = dict(giv)
        giv = {**old_giv, **giv}
        for fac, mat in giv.items():
            self.last_formulas[_GIV_REC + fac] = mat
        for n, a in named:
            if n == "ginverse":
                continue
            if n == "...":
                out.append("**kwargs")   # R's ... of the enclosing function
                continue
            if n in ("G.param", "R.param"):
                p = self.param_table(n, a)
                if p is not None and p not in params:
                    params.append(p)
                continue
            if n == "family":
                if a.kind == "call" and a.value in _GAUSSIAN and not a.args:
                    continue
                fam = self.family_arg(a)
                if fam is not None:
                    out.append(f"family={fam}")
                    continue
                self.todo.append(f"asreml(family = {self.src(a)}) is not translated: this call "
                                 "fits a DIFFERENT model than the R script")
                continue
            if n == "subset" and self._data_of(named) is not None:
                continue   # applied to data= below
            if n == "vcm":   # ASReml-R 4 variance-parameter constraints (docs/constraints.md)
                try:
                    value = self.py(a)
                except Untranslatable as exc:
                    self.todo.append(f"asreml(vcm = {self.src(a)}) is not translated ({exc}): "
                                     "this call fits a DIFFERENT model than the R script")
                    continue
                if not (a.kind == "call" and a.value == "vcm.lm"):
                    self.todo.append(f"asreml(vcm = {self.src(a)}): passed as vcm=; asr_py "
                                     "reads a DataFrame's rows by Component name and a "
                                     "matrix's rows in the order of start_values=True")
                out.append(f"vcm={value}")
                continue
            if n == "vcc":   # ASReml-R 4.1's constraint matrix (group, scale) as vcm= (rvcc.py)
                try:
                    out.append(f"vcm={self.runtime('r_vcc')}({self.py(a)})")
                except Untranslatable as exc:
                    self.todo.append(f"asreml(vcc = {self.src(a)}) is not translated ({exc}): "
                                     "this call fits a DIFFERENT model than the R script")
                continue
            if n == "aom":
                continue      # its statistics are computed when fit$aom is read (rasremlaom)
            if n == "gammaPar":
                continue      # the same fit; fit$sigma2/$vparameters on its scale (asreml())
            if n in _MEMORY:
                note = (f"# NOTE(asr_py): asreml({n} = {self.src(a)}) dropped: it sizes "
                        "asreml's work space; asr_py sizes its own memory")
                self._note_once(note)
                continue
            if n in _HARMLESS:
                self.todo.append(f"asreml({n} = {self.src(a)}) dropped: it does not change "
                                 "the model in asr_py")
                continue
            if n == "predict" and a.kind == "call" and a.value in ("predict",
                                                                   "predict.asreml"):
                # asreml 3 predicts while fitting: kept for fit$predictions (dollar()),
                # which becomes fit.predict(...) with these arguments; no model change
                self.last_formulas["__predict__"] = a      # type: ignore[assignment]
                continue
            if n == "mbf":
                got = mbf_arg(self, a)       # list(obj = list(key = , cov = "M"))
                if got is not None:
                    out.append(got[0])
                    for m in got[1]:         # the covariate tables, by their R names
                        if m.isidentifier() and not keyword.iskeyword(m):
                            out.append(f"{m}={pyname(m)}")
                        else:
                            out.append(f"**{{{m!r}: {pyname(m)}}}")
                    continue
            if n in ("asmv", "as.multivariate") and rasmv.neutral(self, a, named):
                note = (f"# NOTE(asr_py): asreml(asmv = {self.src(a)}) dropped: the residual "
                        "correlates no traits within a unit, so long-format rows fit the "
                        "same model (rasmv.py)")
                self._note_once(note)
                continue
            if n in ("asmv", "as.multivariate") and rasmv.passed(a) is not None:
                out.append(rasmv.passed(a))      # type: ignore[arg-type]
                note = rasmv.NOTE.format(a=self.src(a))
                self._note_once(note)
                continue
            if n == "equate.levels" and requatelevels.neutral(self, a, named):
                note = (f"# NOTE(asr_py): asreml(equate.levels = {self.src(a)}) dropped: "
                        "and() adds to the previous term's effects by level label, over the "
                        "union of levels (requatelevels.py)")
                self._note_once(note)
                continue
            if n in rnaomity.NAMES and rnaomity.neutral(named):
                note = (f"# NOTE(asr_py): asreml({n} = {self.src(a)}) dropped: no asreml "
                        "argument (R passes it to asreml's ..., unused); one response, so "
                        "asreml's default y = 'include' is the same fit (rnaomity.py)")
                self._note_once(note)
                continue
            if n in _MODEL or n not in _ASREML_ARGS:
                what = "an asreml argument asr_py does not have" if n in _MODEL else \
                    "not an asreml() argument asr_py knows"
                self.todo.append(f"asreml({n} = {self.src(a)}) is not translated ({what}): "
                                 "this call may fit a DIFFERENT model than the R script")
                continue
            key = _ASREML_ARGS[n]
            if n == "weights":
                if a.kind in ("name", "str"):
                    out.append(f"weights={a.value!r}")
                else:
                    self.todo.append(f"asreml(weights = {self.src(a)}) is not translated "
                                     "(asr_py takes the name of a data column): this call fits"
                                     " a DIFFERENT model than the R script")
                continue
            if n == "data":
                out.append(self.data_arg(a, named))
                continue
            a, subs = rformlevels.unwrap(a)       # as.formula(bquote(~ .(k))), substitute()
            if n == "fixed" and not subs and rmvresponse.lhs_of(self, a) is not None \
                    and a.right is not None:      # d[, 2:3] ~ trait (rmvresponse.py)
                text, used = rewrite_known("~ " + self.src(a.right), giv, self.term_renamed)
                mats.update(used)
                self.last_formulas[key] = text
                mresp = (rmvresponse.lhs_of(self, a), text, self.src(a))  # type: ignore[assignment]
                continue
            try:
                if a.kind == "formula" and rformlevels.level_exprs(a, subs):
                    # dsum(levels = <R code>), at(f, <R code>): computed when the script
                    # runs, written into the formula text (rformlevels.py)
                    def rewrite(t: str, key: str = key) -> str:
                        t2, used2 = rewrite_known(t, giv, self.term_renamed)
                        mats.update(used2)
                        self.last_formulas[key] = t2
                        return t2
                    out.append(f"{key}=" + rformlevels.to_python(
                        self, a, rformlevels.level_exprs(a, subs), rewrite, subs))
                elif a.kind == "formula":
                    text, used = rewrite_known(self.src(a), giv, self.term_renamed)
                    if key in ("fixed", "random") and rasmv.drop_mv(text) != text:
                        self._note_once(rasmv.MV_NOTE)  # asreml 3's mv (rasmv.py)
                        if rasmv.drop_mv(text) is None:
                            continue
                        text = str(rasmv.drop_mv(text))
                    self.last_formulas[key] = text
                    mats.update(used)
                    out.append(f"{key}={text!r}")
                elif n in ("na.method.X", "na.method.Y"):
                    na.append(f"{n[-1].lower()!r}: {self.na_value(n[-1], a)}")
                elif n == "trace" and a.kind == "num":
                    out.append(f"trace={float(a.value) != 0}")   # R: trace = 0 is FALSE
                else:
                    out.append(f"{key}={self.py(a)}")
            except Untranslatable as exc:
                self.todo.append(f"asreml({n} = {self.src(a)}) is not translated ({exc})"
                                 + (": this call fits a DIFFERENT model than the R script"
                                    if n in ("fixed", "random", "residual", "rcov", "sparse")
                                    else ""))
        if mresp is not None:
            try:
                rmvresponse.emit(self, out, mresp[0], mresp[1])
            except Untranslatable as exc:
                out.insert(0, f"fixed={mresp[2]!r}")
                self.todo.append(f"asreml(fixed = {mresp[2]}) is not translated ({exc}): this "
                                 "call fits a DIFFERENT model than the R script")
        said = {n for n, _ in named}
        if na_default and not said & {"na.action", "na.method.X", "..."}:
            na.append("'x': 'fail'")     # asreml's na.method.X / na.method(x = ) default
        if na:
            out.append("na_action={" + ", ".join(na) + "}")
        self.env_columns(out, set(mats.values()) | set(giv.values()))
        if len(params) == 1:
            out.append(f"params={params[0]}")
        elif params:
            out.append(f"params=pd.concat([{', '.join(params)}]).drop_duplicates("
                       "'Component', keep='last')")
        ginv = {k[len(_GINVERSE_KEY):]: v for k, v in mats.items() if k.startswith(_GINVERSE_KEY)}
        if ginv:
            conv = self.runtime("r_as_ginverse")
            out.append("ginverse={" + ", ".join(
                f"{f!r}: {conv}({self._matrix_py(v, f)})" for f, v in ginv.items()) + "}")
        for key, value in mats.items():
            if key.startswith(_GINVERSE_KEY):
                continue
            py = self._matrix_py(value, key)
            if value in giv.values():       # asreml 3's ginverse: an inverse (rginverse.py)
                py = f"{self.runtime('r_as_ginverse')}({py})"
            out.append(f"{key}={py}" if key.isidentifier() else f"**{{{key!r}: {py}}}")
        for fn in own_function_names(v for k, v in self.last_formulas.items() if isinstance(
                v, str) and k in ("fixed", "random", "residual", "sparse")):
            # own(row, "banded", ...): the script's R function banded(order, kappa), passed
            # by name as asr.asreml finds it (rownfun.py)
            if (fn in self.functions or fn in self.assigned) and fn.isidentifier() and \
                    not keyword.iskeyword(fn) and not any(o.startswith(f"{fn}=") for o in out):
                out.append(f"{fn}={pyname(fn)}")
        for fac in ginverse_swaps(parent, old_giv, new_giv, mats):
            # update(m, ginverse = list(id = A2)): the fit's own ped(id) term, vm(id, K) in
            # its call, refits with A2 as K (main refitted with the old inverse: s30hold3)
            key = ginverse_key(fac, old_giv[fac])
            py = f"{self.runtime('r_as_ginverse')}({self._matrix_py(new_giv[fac], key)})"
            out.append(f"{key}={py}" if key.isidentifier() else f"**{{{key!r}: {py}}}")
            mats[key] = new_giv[fac]
        used = set(mats.values())
        for fac, mat in new_giv.items():
            if mat not in used:
                self.todo.append(f"ginverse entry {fac} = {mat} is not used by a ped()/giv() "
                                 "term")
        return out

    def _matrix_py(self, value: str, key: str) -> str:
        """Python for a matrix argument's R text: its name, or the translated expression
        (``key`` when that fails)."""
        if re.fullmatch(r"[^\W\d][\w.]*", value):
            return pyname(value)
        try:
            from asr_py.translate.parser import parse_expr

            return self.py(parse_expr(value))
        except Untranslatable:
            return key

    def env_columns(self, out: list[str], matrices: set[str]) -> None:
        """R finds a formula variable that data= lacks in the script's environment: the
        names the script assigned that the formulas use (not the known matrices of vm() and
        alike) are offered to the fit as columns (renvcols.r_env_columns; a data column of
        that name wins, as in R)."""
        texts = [v for k, v in self.last_formulas.items() if isinstance(v, str) and
                 k in ("fixed", "random", "residual", "sparse")]
        names = [n for n in formula_names(*texts) if n in self.assigned and n not in matrices]
        at = [k for k, v in enumerate(out) if v.startswith("data=")]
        if not names or not at:
            return
        names = [n if pyname(n) == n else (n, pyname(n)) for n in names]
        out[at[0]] = f"data={self.runtime('r_env_columns')}({out[at[0]][5:]}, {names!r})"

    def na_value(self, key: str, a: R) -> str:
        """An ``na.method`` value, as asr_py takes it (asreml's 'include' for the explanatory
        variables, missing covariates set to 0, is asr_py's ``{'x': 'include'}`` too)."""
        return self.py(a)

    def _data_of(self, named: list[tuple[str, R]]) -> R | None:
        found = [a for n, a in named if n == "data"]
        return found[0] if found else None

    def lazy_data(self, e: R) -> str | None:
        """``r_lazy('name', globals())`` when ``e`` is a bare name the script never defines:
        R finds it among an attached package's data sets (rlazy.py)."""
        if self.data_cols:                  # with(d, ...): a bare name is d's column
            return None
        name = rlazy.lazy_data_name(e, self.defined, self.opaque,
                                    set(_CONST) | self.functions | self.assigned,
                                    self.asreml_data)
        if name is None:
            return None
        return f"{self.runtime('r_lazy')}({name!r}, globals())"

    def data_arg(self, a: R, named: list[tuple[str, R]]) -> str:
        """``data = d`` (also a pipe, subset() or ``subset =``); when the expression cannot
        be translated the fit uses the pipe's source data frame with a DIFFERENT-model TODO."""
        lazy = self.lazy_data(a)
        if lazy is not None:
            return f"data={lazy}"
        try:
            d = self.py(a)
        except Untranslatable as exc:
            root = _root_name(a)
            self.todo.append(f"asreml(data = {self.src(a)}) is not translated ({exc}): "
                             + (f"the call uses {root} as it is, a DIFFERENT model than the R "
                                "script" if root else "no data frame given"))
            d = pyname(root) if root else "None"
        sub = [s for n, s in named if n == "subset"]
        if sub:
            try:
                cond = self.in_data(a, lambda: self.py(sub[0]))
                d = f"{d}[{cond}]"
            except Untranslatable as exc:
                self.todo.append(f"asreml(subset = {self.src(sub[0])}) is not translated "
                                 f"({exc}): this call fits a DIFFERENT model than the R script")
        return f"data={d}"

    def family_arg(self, a: R) -> str | None:
        """``family = ...`` -> Python (:func:`family_source`); ``eval(parse(text = s))`` (a
        family chosen at run time from strings) -> the runtime's ``r_asr_family(s)``, which
        maps the string the same way when the script runs."""
        if a.kind == "call" and a.value == "eval" and len(a.args) == 1:
            inner = a.args[0][1]
            named = dict(inner.args) if inner.kind == "call" and inner.value == "parse" else {}
            if "text" in named and len(inner.args) == 1:
                return f"{self.runtime('r_asr_family')}({self.py(named['text'])})"
        return family_source(a)

    def param_table(self, n: str, a: R) -> str | None:
        """G.param/R.param: another fit's estimates (``m0$G.param``) or a start-values
        table (edited: ``Constraint``/``Value``) -> ``params=``."""
        if a.kind == "dollar" and a.value == n and a.left is not None and self.is_fit(a.left):
            return f"{self.py(a.left)}.params"
        if a.kind == "name" and a.value in self.__dict__.get("param_lists", ()) or \
                a.kind == "dollar" and a.value in ("G.param", "R.param") and \
                a.left is not None and a.left.kind == "name" and a.left.value in self.startvals:
            return f"{self.runtime('r_params_table')}({self.py(a)})"   # rparamlist.py
        if a.kind == "name" and a.value in self.startvals or a.kind == "dollar" and (
                a.left is not None and a.left.kind == "name" and a.left.value in
                self.startvals):
            return self.py(a)
        try:
            value = self.py(a)
        except Untranslatable as exc:
            self.todo.append(f"asreml({n} = {self.src(a)}) is not translated ({exc}): this "
                             "call fits a DIFFERENT model than the R script (its start values "
                             "and constraints are not applied)")
            return None
        self.todo.append(f"asreml({n} = {self.src(a)}): passed as params=; asr_py matches "
                         "its rows by Component name (see asr.asreml(..., start_values=True))")
        return value

    def asreml(self, e: R, gamma: bool = True) -> str:
        own_gp = [a for n, a in e.args if n == "gammaPar"]
        if gamma and (own_gp or self.gamma_par_opt):
            # gammaPar = TRUE: fit$sigma2 and fit$vparameters on the gamma scale (rgammapar)
            flag = self.py(own_gp[-1]) if own_gp else 'globals().get("GAMMA_PAR", False)'
            return f"{self.runtime('r_with_gamma_par')}({self.asreml(e, gamma=False)}, {flag})"
        own_na = any(n in ("na.action", "na.method.X", "na.method.Y") for n, _ in e.args)
        out = self.asreml_args(e.args, e, na_default=not (self.na_option and not own_na))
        if self.na_option and not own_na:
            # asreml.options(na.action = ) is the default of the later fits
            out.append("na_action=NA_ACTION")
        if self.maxit and not any(n in ("maxit", "maxiter") for n, _ in e.args):
            out.append("maxit=MAXIT")
        if self.keep_order and not any(n == "keep.order" for n, _ in e.args):
            out.append("keep_order=KEEP_ORDER")
        own_cs = [a for n, a in e.args if n == "Csparse"]
        if own_cs or self.csparse_opt:
            # fit$Csparse: the C-inverse cells of the terms asked for (rcsparse.py)
            terms = repr(self.src(own_cs[-1])) if own_cs else 'globals().get("CSPARSE")'
            return (f"{self.runtime('r_with_csparse')}(asr.asreml({', '.join(out)}), "
                    f"{terms})")
        return f"asr.asreml({', '.join(out)})"

    def options(self, e: R) -> str:
        """``asreml.options(maxit = k)`` -> ``MAXIT = k``, ``asreml.options(keep.order = b)``
        -> ``KEEP_ORDER = b`` (used by later asreml() calls)."""
        maxit = [a for n, a in e.args if n in ("maxit", "maxiter")]
        keep = [a for n, a in e.args if n == "keep.order"]
        na = [a for n, a in e.args if n == "na.action" and a.kind == "call" and
              a.value == "na.method"]
        todos = len(self.todo)
        for n, a in e.args:
            if n in _NO_EFFECT_OPTIONS:
                continue            # the same fit in asr_py (_NO_EFFECT_OPTIONS says why)
            if n in ("Csparse", "gammaPar"):
                continue            # below
            if n not in ("maxit", "maxiter", "keep.order") and not (n == "na.action" and na):
                why = "na.action is read only as na.method(...)" if n == "na.action" else \
                    _TODO_OPTIONS.get(n or "", "not an option asr_py's translation knows "
                                      "(asreml-R's asreml.options help lists them)")
                self.todo.append(f"asreml.options({n or ''}{' = ' if n else ''}{self.src(a)}) "
                                 f"is not translated: {why}")
        lines = []
        if maxit:
            self.maxit = True
            lines.append(f"MAXIT = {self.py(maxit[-1])}")
        if keep:
            self.keep_order = True
            # an R option holds for every later fit: a module global, also when set in a
            # function (the translated test_that bodies)
            lines.append(f'globals()["KEEP_ORDER"] = {self.py(keep[-1])}')
        cs = [a for n, a in e.args if n == "Csparse"]
        if cs:
            # the terms whose C-inverse cells later fits return as fit$Csparse (NULL: none)
            self.csparse_opt = True
            text = None if cs[-1].kind == "name" and cs[-1].value == "NULL" else \
                self.src(cs[-1])
            lines.append(f'globals()["CSPARSE"] = {text!r}')
        gp = [a for n, a in e.args if n == "gammaPar"]
        if gp:
            # the parameterisation of every later fit: fit$sigma2/$vparameters (rgammapar.py)
            self.gamma_par_opt = True
            lines.append(f'globals()["GAMMA_PAR"] = {self.py(gp[-1])}')
        if na:
            # asreml.options(na.action = na.method(...)): the missing-value handling of every
            # later asreml() call that does not give its own (an x not given is 'fail')
            self.na_option = True
            lines.append(f'globals()["NA_ACTION"] = {self.py(na[-1])}')
        if not lines:
            why = sorted({_NO_EFFECT_OPTIONS[n] for n, _ in e.args if n in _NO_EFFECT_OPTIONS})
            if len(self.todo) > todos:      # the TODO says what is not done
                return "# asreml.options(): the other options need nothing in asr_py" + (
                    f" ({'; '.join(why)})" if why else "") if why else \
                    "# asreml.options(): the TODO says what is not done"
            return "# asreml.options(): nothing to do in asr_py" + (
                f" ({'; '.join(why)})" if why else "")
        return "; ".join(lines)

    def spatial_of(self, e: R) -> tuple[str, str] | None:
        for n, a in e.args:
            if n in ("residual", "rcov") and a.kind == "formula":
                return spatial_coords(self.src(a))
        if e.value == "update" and e.args and e.args[0][1].kind == "name":
            return self.spatial.get(e.args[0][1].value)
        return None

    # ----- predict / wald / varioGram --------------------------------------------------------
    def aggregate(self, args: list[tuple[str | None, R]]) -> str:
        """``aggregate(y ~ a + b, data, FUN)`` (R's formula method; arguments by name or in
        the order formula, data, FUN) -> :func:`asr_py.translate.rbase.r_aggregate`."""
        named = {n: a for n, a in args if n is not None}
        pos = iter(a for n, a in args if n is None)
        got = {k: named.get(k) or next(pos, None) for k in ("formula", "data", "FUN")}
        by = raggregate.translate(self, args)       # aggregate(x, by, FUN): raggregate.py
        if by is not None:
            return by
        fml, data, fun = got["formula"], got["data"], got["FUN"]
        if fml is None or fml.kind != "formula" or data is None or fun is None:
            raise Untranslatable("aggregate() other than aggregate(y ~ a, data, FUN)")
        text = self.src(fml)
        lhs_text, _, rhs_text = text.partition("~")
        rhs = [t.strip() for t in rhs_text.split("+")]
        lhs_text = lhs_text.strip()
        cb = re.fullmatch(r"cbind\((.*)\)", lhs_text)
        lhs = None if lhs_text == "." else [t.strip() for t in cb.group(1).split(",")] \
            if cb else [lhs_text]
        names = rhs + (lhs or [])
        if not all(re.fullmatch(r"[A-Za-z.][\w.]*", t) for t in names):
            raise Untranslatable("aggregate() of expressions")
        f = repr(fun.value) if fun.kind in ("name", "str") and fun.value in (
            "mean", "sum", "median", "min", "max", "length", "sd", "var") else self.py(fun)
        return (f"{self.runtime('r_aggregate')}({self.py(data)}, {lhs!r}, {rhs!r}, {f})")

    def predict(self, e: R, need: str | None = None) -> str:
        if not any(n is None for n, _ in e.args) and any(n == "object" for n, _ in e.args):
            # predict(object = fit, ...): R matches the fit by name (do.call's list too)
            e = R("call", e.value, sorted(e.args, key=lambda na: na[0] != "object"),
                  start=e.start, end=e.end)
            e.args[0] = (None, e.args[0][1])
        pos = [a for n, a in e.args if n is None]
        if not pos:
            raise Untranslatable("predict()")
        kw = []
        several = None       # asreml 3: classify = list("A", "B", "A:B"), one table each
        for n, a in e.args:
            if n is not None and (_partial(n, _PREDICT_ARGS) or n) == "classify" and \
                    a.kind == "call" and a.value in ("list", "c") and len(a.args) > 1 and \
                    all(k is None and x.kind == "str" for k, x in a.args):
                several = [x.value for _, x in a.args]
        for n, a in e.args:
            if n is None:
                if a is not pos[0]:
                    if a.kind == "str" and "classify=" not in " ".join(kw):
                        kw.append(f"classify={self.py(a)}")
                        continue
                    raise Untranslatable("predict() positional")
                continue
            n = _partial(n, _PREDICT_ARGS) or n       # R's partial names: class = "A"
            if n == "classify":
                kw.append(f"classify={self.py(a)}")
            elif n == "levels":
                kw.append(self._predict_levels(e, a))
            elif n in ("sed", "vcov") and a.kind == "name" and a.value in (
                    "TRUE", "T", "FALSE", "F"):
                if a.value in ("TRUE", "T"):
                    kw.append(f"{n}=True")
            elif n == "prwts":
                kw.append(f"prwts={self.py(a)}")      # asreml's weighted present table
            elif n == "present" and a.kind == "call" and a.value == "list":
                # asreml 3's present = list(c("A", "B"), prwts = w): one present table and
                # its weights (ASReml's !PRWTS); two tables (nested factors) are not done
                tables = [v for k, v in a.args if k is None]
                if len(tables) != 1 or any(k not in (None, "prwts") for k, _ in a.args):
                    raise Untranslatable("predict(present = list(...)) of several present "
                                         "tables")
                kw.append(f"present={self.py(tables[0])}")
                kw += [f"prwts={self.py(v)}" for k, v in a.args if k == "prwts"]
            elif n in ("present", "ignore", "average", "only"):
                # c("A", "B") -> a list; average = list(B = w) -> a dict of weights
                kw.append(f"{n}={self.py(a)}")
            elif n in ("aliased", "parallel") and a.kind == "name" and a.value in (
                    "TRUE", "T", "FALSE", "F"):
                if a.value in ("TRUE", "T"):
                    kw.append(f"{n}=True")
            elif n in ("maxit", "maxiter", "trace", "pworkspace", "workspace", "data"):
                continue
            else:
                self.todo.append(f"predict({n} = {self.src(a)}) is not translated; asr_py "
                                 "predict() gives predicted.value and std.error")
        if need and f"{need}=True" not in kw:
            kw.append(f"{need}=True")
        if several is not None:
            # asreml 3's $predictions of several classify terms: a list named by them
            rest = [k for k in kw if not k.startswith("classify=")]
            return (f"{{c: {self.py(pos[0])}.predict({', '.join(['classify=c', *rest])}) "
                    f"for c in {several!r}}}")
        return f"{self.py(pos[0])}.predict({', '.join(kw)})"

    def _fit_predict(self, e: R) -> R | None:
        """``fit$predictions`` of a fit whose asreml() call had ``predict =
        predict.asreml(...)``: the equivalent ``predict(fit, ...)`` call, else None."""
        if not (e.kind == "dollar" and e.value == "predictions" and e.left is not None and
                e.left.kind == "name" and e.left.value in self.fits):
            return None
        spec = self.formulas.get(e.left.value, {}).get("__predict__")
        if not isinstance(spec, R):
            return None
        return R("call", "predict", [(None, e.left), *spec.args], start=e.start, end=e.end)

    def _predict_levels(self, e: R, a: R) -> str:
        """predict(levels = ...): asreml 4 takes a list named by classify variables; a plain
        vector with a one-variable classify is that variable's levels."""
        vector = a.kind in ("str", "num") or a.kind == "call" and a.value in (
            "c", "levels", "unique", "seq", "rep", "as.character", "sort")
        if not vector:          # list(A = ...) or a variable holding one: as it is
            return f"levels={self.py(a)}"
        cls = [x for n, x in e.args if n is not None and
               (_partial(n, _PREDICT_ARGS) or n) == "classify"]
        if len(cls) == 1 and cls[0].kind == "str" and ":" not in cls[0].value:
            return f"levels={{{cls[0].value!r}: {self.py(a)}}}"
        raise Untranslatable("predict(levels = a vector) with a classify of several "
                             "variables")

    def wald(self, e: R) -> str:
        pos = [a for n, a in e.args if n is None]
        if len(pos) != 1:
            raise Untranslatable("wald() arguments")
        kw = []
        for n, a in e.args:
            if n is None:
                continue
            value = a.value.lower() if a.kind == "str" else None
            if n == "denDF" and value in _DENDF:
                if value == "algebraic":
                    self.todo.append("wald(denDF = \"algebraic\"): asr_py computes the "
                                     "denominator df numerically (Kenward-Roger)")
                kw.append(f"denDF={_DENDF[value]!r}")
            elif n == "ssType" and value in _SSTYPE:
                kw.append(f"ssType={value!r}")
            else:
                self.todo.append(f"wald({n} = {self.src(a)}) is not translated")
        if any(k.startswith("denDF=") and k != "denDF='none'" for k in kw):
            # asreml's table: the denominator df to one decimal (results/wald.py)
            return f"{self.runtime('r_wald')}({', '.join([self.py(pos[0]), *kw])})"
        return f"{self.py(pos[0])}.wald({', '.join(kw)})"

    def variogram_fit(self, e: R) -> R:
        pos = [a for n, a in e.args if n is None]
        if len(e.args) != 1 or not pos or not self.is_fit(pos[0]):
            raise Untranslatable("varioGram() of something other than a fit")
        return pos[0]

    def variogram_coords(self, fit: R) -> tuple[str, str]:
        coords = self.spatial.get(fit.value)
        if coords is None:
            raise Untranslatable(
                f"varioGram({fit.value}): no f(Row):g(Col) residual seen for {fit.value}; use "
                f"{pyname(fit.value)}.variogram(row='Row', col='Col') with your coordinate "
                "columns")
        return coords

    def variogram(self, e: R) -> str:
        fit = self.variogram_fit(e)
        row, col = self.variogram_coords(fit)
        return f"{self.py(fit)}.variogram({row!r}, {col!r})"


def _asreml_calls(e: R) -> list[tuple[R | None, R]]:
    """(assignment target or None, call) of the asreml() calls inside ``e``, outermost
    first, not looking into function definitions."""
    out: list[tuple[R | None, R]] = []

    def walk(x: R | None) -> None:
        if x is None or x.kind == "function":
            return
        x = _undo_docall(x)
        if x.kind == "bin" and x.value in ("<-", "=", "<<-") and x.right is not None and \
                x.right.kind == "call" and x.right.value in ("asreml", "asreml.fit") and \
                x.left is not None and x.left.kind in ("name", "dollar"):
            out.append((x.left, x.right))
            return
        if x.kind == "call" and x.value in ("asreml", "asreml.fit"):
            out.append((None, x))
            return
        for child in (x.left, x.right, x.alt):
            walk(child)
        for _, a in x.args:
            walk(a)
        for b in x.body:
            walk(b)

    walk(e)
    return out


def _expect_class(e: R) -> R | None:
    """testthat's ``expect_is(object, class)`` / ``expect_s3_class(object, class, exact =
    FALSE)`` as the expectation they check: ``expect_true(inherits(object, class))``
    (``exact = TRUE``: ``identical(class(object), class)``); None for other arguments."""
    got: dict[str, R] = {}
    free = ["object", "class"]
    for n, a in e.args:
        if n is None and free:
            got[free.pop(0)] = a
        elif n in ("object", "class", "exact", "info", "label") and n not in got:
            got[n] = a
        else:
            return None
    if "object" not in got or "class" not in got:
        return None
    exact = got.get("exact")
    if exact is not None and not (exact.kind == "name" and exact.value in (
            "TRUE", "T", "FALSE", "F")):
        return None
    at = {"start": e.start, "end": e.end}
    if exact is not None and exact.value in ("TRUE", "T"):
        cls = R("call", "class", [(None, got["object"])], left=R("name", "class"), **at)
        test = R("call", "identical", [(None, cls), (None, got["class"])],
                 left=R("name", "identical"), **at)
    else:
        test = R("call", "inherits", [(None, got["object"]), (None, got["class"])],
                 left=R("name", "inherits"), **at)
    return R("call", "expect_true", [(None, test)], left=R("name", "expect_true"), **at)


def _literal(e: R) -> bool:
    """A number, a string, TRUE/FALSE or c() of them."""
    if e.kind in ("num", "str") or e.kind == "name" and e.value in ("TRUE", "FALSE", "T", "F"):
        return True
    if e.kind == "unary" and e.right is not None:
        return _literal(e.right)
    return e.kind == "call" and e.value == "c" and all(_literal(a) for _, a in e.args)


def _undo_docall(e: R) -> R:
    """``do.call("asreml", list(a, b = c))`` (or ``args = list(...)``) is ``asreml(a, b = c)``;
    anything else is returned as it is."""
    if not (e.kind == "call" and e.value == "do.call" and len(e.args) == 2):
        return e
    (n0, what), (n1, lst) = e.args
    if n0 not in (None, "what") or n1 not in (None, "args") or what.kind not in (
            "str", "name") or lst.kind != "call" or lst.value != "list":
        return e
    args = [(n, _unquote(a)) for n, a in lst.args]
    if what.value in ("predict", "predict.asreml", "predictPlus", "predictPlus.asreml"):
        # data = quote(d) only tells asreml where the fit's data frame is: an asr_py fit
        # keeps its data, so the argument is dropped
        args = [(n, a) for n, a in args if n != "data"]
    return R("call", what.value, args, start=e.start, end=e.end)


def _unquote(a: R) -> R:
    """``quote(x)`` in do.call()'s argument list: R puts the symbol ``x`` in the call it
    builds, which then reads ``x`` (``do.call("predict", list(m, data = quote(d)))``)."""
    if a.kind == "call" and a.value == "quote" and len(a.args) == 1 and \
            a.args[0][0] in (None, "expr") and a.args[0][1].kind == "name":
        return a.args[0][1]
    return a


def _pipe_heads(s: R) -> list[R]:
    """The bare names pipes in the statement ``s`` start from (``x |> f()``, ``x %>% f()``),
    not looking into function bodies or the statements of compound ones (translated, and
    run, on their own)."""
    out: list[R] = []
    stack = [s]
    while stack:
        e = stack.pop()
        if e.kind in ("function", "block", "if", "for", "while", "repeat", "formula"):
            continue
        if e.kind == "bin" and e.value in ("|>", "%>%") and e.left is not None and \
                e.left.kind == "name" and e.left.value not in (".", "_"):
            out.append(e.left)
        stack.extend(a for _, a in e.args if isinstance(a, R))
        stack.extend(x for x in (e.left, e.right) if x is not None)
    return out


def _root_name(e: R) -> str | None:
    """The data frame a pipe/subset chain starts from."""
    while True:
        if e.kind == "name":
            return e.value
        if e.kind == "bin" and e.value in ("|>", "%>%") and e.left is not None:
            e = e.left
        elif e.kind == "call" and e.args:
            e = e.args[0][1]
        elif e.kind in ("paren", "dollar", "index") and (e.right or e.left) is not None:
            e = e.right if e.kind == "paren" else e.left  # type: ignore[assignment]
        else:
            return None


def _is_asrtests_fit(name: str) -> bool:
    """``x$asreml.obj`` of an asremlPlus asrtests list, or a prefix R's ``$`` matches to it
    (``x$asreml.ob``: partial matching; an asrtests list has no other ``asreml.*``)."""
    return name == "asreml.obj" or len(name) >= len("asreml.") and \
        "asreml.obj".startswith(name)


def _fit_alias(e: R, fits: set[str]) -> bool:
    """``h1 <- mod1`` of a fit ``mod1``: h1 is that fit too."""
    return e.kind == "name" and e.value in fits


def _loop_fit_aliases(e: R | None, fits: set[str]) -> set[str]:
    """Names a loop body binds to a fit (``h1 <- mod1``), so a use earlier in the body (read
    on the next pass) knows them as fits."""
    out: set[str] = set()
    if e is None:
        return out
    if e.kind == "bin" and e.value in ("<-", "=", "<<-") and e.left is not None and \
            e.left.kind == "name" and e.right is not None and _fit_alias(e.right, fits):
        out.add(e.left.value)
    for sub in (*[a for _, a in e.args], e.left, e.right, e.alt, *e.body):
        if sub is not None and sub.kind != "function":
            out |= _loop_fit_aliases(sub, fits)
    return out
def _reads_variable(e: R | None) -> bool:
    """Whether an expression reads a variable, a column or a call's value (not only
    literals): ``1 / d$s^2`` may be a vector, ``1 / 3`` is one number."""
    if e is None:
        return False
    if e.kind in ("dollar", "index", "call"):
        return True
    if e.kind == "name":
        return e.value not in ("TRUE", "FALSE", "T", "F", "NA", "pi", "Inf", "NaN")
    return any(_reads_variable(x) for x in (e.left, e.right))


def _is_fit_call(e: R, fits: set[str]) -> bool:
    if e.kind == "dollar" and _is_asrtests_fit(e.value):   # asremlPlus's asrtests$fit
        return True
    if e.kind != "call":
        return False
    if e.value in ("asreml", "asreml.fit"):
        return not any(n == "start.values" and not (a.kind == "name" and a.value in (
            "FALSE", "F")) for n, a in e.args)
    if e.value in ("update", "update.asreml") and e.args and e.args[0][1].kind == "name":
        return e.args[0][1].value in fits
    if e.value in ("update", "update.asreml") and e.args:
        return _is_fit_call(e.args[0][1], fits)
    # asr.plus refits: setvarianceterms(call, ...), asremlPlus's newfit(asreml.obj, ...)
    return e.value in ("setvarianceterms", "setvarianceterms.call", "newfit", "newfit.asreml")


def _one_value(e: R) -> bool:
    """Whether ``e`` is certainly one value: a number, ``length()``/``nrow()``/``ncol()``/
    ``nlevels()`` of anything, or arithmetic of those (``length(vars) + 1``)."""
    if e.kind == "num":
        return True
    if e.kind == "paren" and e.right is not None:
        return _one_value(e.right)
    if e.kind == "unary" and e.value == "-" and e.right is not None:
        return _one_value(e.right)
    if e.kind == "call":
        return e.value in ("length", "nrow", "ncol", "nlevels") and len(e.args) == 1
    if e.kind == "bin" and e.value in ("+", "-", "*", "/", "^") and e.left is not None and \
            e.right is not None:
        return _one_value(e.left) and _one_value(e.right)
    return False
