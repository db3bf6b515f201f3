"""The fit object returned by :func:`asr_py.asreml`, with asreml-R's familiar names.

Information criteria (documented convention): with ℓ the full REML log-likelihood, k the
number of variance parameters that were estimated (constraint not 'F' and not held at a
boundary 'B') and n − p the residual degrees of freedom,
AIC = −2ℓ + 2k and BIC = −2ℓ + k log(n − p). For an ML fit (``method='ML'``) ℓ is the ML
log-likelihood and, as lme4, k also counts the p fixed effects and BIC uses log n.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from asr_py.reml.unbounded import UNB_HEAD
from asr_py.results.call_args import CallArgs
from asr_py.results.coef_layout import fixed_layout
from asr_py.results.covariances import FASummary
from asr_py.results.covariances import covariance as _covariance
from asr_py.results.covariances import fa_summary as _fa_summary
from asr_py.results.identifiability import message as identifiability_message
from asr_py.results.identifiability import unidentified
from asr_py.results.plots import plot_residuals as _plot_residuals
from asr_py.results.predict import predict as _predict
from asr_py.results.table import ResultTable
from asr_py.results.varcomp_pair import pair_table, pair_vectors
from asr_py.results.vnumbers import (
    asreml_order,
    asreml_scale_name,
    random_term_order,
    warn_scale_reference,
    with_scale_row,
)
from asr_py.results.vpredict import vpredict as _vpredict
from asr_py.results.wald import wald_table

if TYPE_CHECKING:  # pragma: no cover
    from asr_py.model.spec import Model
    from asr_py.reml.result import RemlResult


#: equations or records from which the summary reports the fit's peak memory
LARGE_FIT = 10_000


#: update() arguments that leave the model as it is (the refit starts at every estimate)
_CONTROL = frozenset({"maxit", "trace", "solver", "start_values"})


class AsremlFit:
    """A fitted model: estimates, tables, tests, predictions."""

    def __init__(self, model: Model, result: RemlResult, call: dict[str, Any],
                 refit: Callable[..., Any] | None = None) -> None:
        self.model = model
        self.result = result
        self.call = CallArgs(call)
        #: ``refit(**call)`` fits again (``asr.asreml``, given by the API: results/ does not
        #: import it); :meth:`update` uses it
        self.refit = refit
        #: (result, rows) of coef_random, formed on first use (results/fa_scores.py)
        self._random_rows: tuple[Any, list[Any]] | None = None
        cons = list(result.constraints)
        for k in getattr(result, "face_idx", ()):  # on a PD face: judged by the engine
            cons[int(k)] = "F"
        work = getattr(result, "ai_work", None)  # reml/congruence.py: the working AI
        self._unidentified = unidentified(result.ai if work is None else work, cons)
        self._warn()

    def _warn(self) -> None:
        """Python warnings for what the user must not miss (also in ``diagnostics``)."""
        import warnings

        from asr_py.results.overfactored import overfactored_notes
        from asr_py.warning_classes import ConvergenceWarning, IdentifiabilityWarning

        tmpl = getattr(self.model, "templates", None)
        for note in overfactored_notes(tmpl() if callable(tmpl) else []):  # s30inv
            if note not in self.result.diagnostics:
                self.result.diagnostics.append(note)
            warnings.warn(note, IdentifiabilityWarning, stacklevel=4)
        if getattr(self.model, "saturated", False):   # n = rank(X): nothing to estimate
            note = next(w for w in self.model.warnings if w.startswith("no residual degrees"))
            warnings.warn(note, IdentifiabilityWarning, stacklevel=4)
        elif unb := [d for d in self.result.diagnostics if d.startswith(UNB_HEAD)]:
            warnings.warn(self._unbounded_here(unb[0]), ConvergenceWarning,
                          stacklevel=4)  # s32unb
        elif self._unidentified:
            warnings.warn(self._identifiability_note(), IdentifiabilityWarning, stacklevel=4)
        elif ridge := [d for d in self.result.diagnostics if "converged on a ridge" in d]:
            warnings.warn(ridge[0], IdentifiabilityWarning, stacklevel=4)  # reml/oscillation
        elif not self.result.converged:
            why = [d for d in self.result.diagnostics if "did not converge" in d]
            head = (f"the {self.method} fit {why[0]}" if why else f"the {self.method} fit did "
                    "not converge in "
                    f"{self.result.n_iter} iterations")
            warnings.warn(head + "; see m.diagnostics and m.iterations", ConvergenceWarning,
                          stacklevel=4)

    def _unbounded_here(self, note: str) -> str:
        """The engine's unbounded-ℓ note with the records behind it named (s33unb,
        :mod:`asr_py.results.unbounded_cause`); the diagnostic is replaced in place."""
        from asr_py.results.unbounded_cause import cause

        try:
            here = cause(self.model)
        except (ValueError, TypeError, IndexError, KeyError, np.linalg.LinAlgError):
            here = None
        if not here or here in note:
            return note
        full = note.rstrip(". ") + ". " + here
        diags = self.result.diagnostics
        diags[diags.index(note)] = full
        return full

    def _identifiability_note(self) -> str:
        return identifiability_message(list(self.result.names), self._unidentified)

    @property
    def identifiable(self) -> bool:
        """False when some variance parameters cannot be separated by the data (the AI
        matrix is singular at the estimates; see :mod:`asr_py.results.identifiability`)."""
        return not self._unidentified

    # ----- scalars -----------------------------------------------------------------------
    @property
    def method(self) -> str:
        """'REML' or 'ML' (``asreml(..., method='ML')``, lme4's ``REML = FALSE``)."""
        return str(getattr(self.result, "method", "REML"))

    @property
    def loglik(self) -> float:
        """Full REML log-likelihood (lme4's ``logLik(REML = TRUE)``); for an ML fit the full
        ML log-likelihood −½[n log 2π + log|V| + (y − Xβ̂)'V⁻¹(y − Xβ̂)] (``logLik(REML =
        FALSE)``)."""
        return float(self.result.loglik)

    @property
    def df(self) -> int:
        """Parameters counted by AIC/BIC: the estimated variance parameters (REML), plus the
        p fixed effects for an ML fit (lme4's ``attr(logLik(m), 'df')``)."""
        p = len(self.result.beta) if self.method == "ML" else 0
        return self.n_estimated + p

    @property
    def converged(self) -> bool:
        """True when both the log-likelihood and the parameters stopped changing (see
        docs/method.md) at identifiable estimates (:attr:`identifiable`): a fit whose
        parameters the data cannot separate has not found *the* REML estimates. A fit that
        did not converge says why in ``diagnostics`` and raises an ``asr.ConvergenceWarning``
        (``asr.IdentifiabilityWarning`` for non-identifiable parameters)."""
        return bool(self.result.converged) and self.identifiable

    @property
    def ncomponents(self) -> int:
        """Number of variance parameters."""
        return len(self.result.theta)

    @property
    def n_estimated(self) -> int:
        """Variance parameters estimated (not fixed, not at a boundary, not 'C': set by
        another through ``vcm=`` constraints)."""
        return int(sum(c not in ("F", "B", "C", "S") for c in self.result.constraints))

    @property
    def aic(self) -> float:
        """AIC = −2ℓ + 2k, k = variance parameters estimated (not 'F' fixed, not 'B' held at
        a boundary); ℓ the full REML log-likelihood (compare models with the same fixed part).
        ML fit: k = :attr:`df` (fixed effects counted too), as lme4's ``AIC``."""
        return float(-2 * self.loglik + 2 * self.df)

    @property
    def bic(self) -> float:
        """BIC = −2ℓ + k·log(n − p), k as in :attr:`aic`, n − p the REML degrees of freedom;
        ML fit: −2ℓ + df·log n (lme4's ``BIC``)."""
        n = self.result.n_minus_p + (len(self.result.beta) if self.method == "ML" else 0)
        return float(-2 * self.loglik + self.df * np.log(n))

    @property
    def diagnostics(self) -> list[str]:
        """Warnings from compiling and fitting (non-convergence, boundaries, aliasing...)."""
        ident = [self._identifiability_note()] if self._unidentified else []
        return ident + list(self.model.warnings) + list(self.model.records.notes) + list(
            self.result.diagnostics)

    # ----- tables ------------------------------------------------------------------------
    @property
    def iterations(self) -> pd.DataFrame:
        """One row per iteration: loglik, each parameter, step, seconds, method."""
        rows = []
        for h in self.result.history:
            row = {"iteration": h.get("iteration"), "loglik": h.get("loglik"),
                   "step": h.get("step"), "seconds": h.get("seconds"),
                   "method": h.get("method")}
            for nm, v in zip(self.result.names, h.get("theta", [])):
                row[nm] = v
            rows.append(row)
        return pd.DataFrame(rows)

    @property
    def varcomp(self) -> pd.DataFrame:
        """component, std.error, z.ratio, bound (P/U/F/B; S: no estimate, ℓ unbounded along
        that matrix), %ch (last iteration's change); rows
        in asreml's order: the random terms by their number of effects, smallest first (ties
        in formula order), then the residual (:mod:`asr_py.results.vnumbers`)."""
        r = self.result
        se = np.sqrt(np.clip(np.diag(r.vcov_theta), 0, None))
        se = np.where(np.isnan(np.diag(r.vcov_theta)), np.nan, se)
        hist = r.history
        if len(hist) >= 2:
            prev = np.asarray(hist[-2]["theta"], dtype=float)
            with np.errstate(all="ignore"):
                ch = np.where(r.theta != 0, 100 * (r.theta - prev) / np.abs(r.theta), 0.0)
        else:
            ch = np.zeros_like(r.theta)
        with np.errstate(all="ignore"):
            z = r.theta / se
        table = pd.DataFrame({"component": r.theta, "std.error": se, "z.ratio": z,
                              "bound": list(r.constraints), "%ch": np.round(ch, 1) + 0.0},
                             index=pd.Index(r.names, name=None))
        # rr(f, k):g + diag(f):g fitted as one fa term: listed as the two written terms
        return pair_table(table.iloc[random_term_order(self.model, len(table))], self.model)

    @property
    def sigma2(self) -> float:
        """asreml's residual scale σ² (``fit$sigma2``): the residual variance when the residual
        model has exactly one (``units``, ``ar1(Row):ar1(Col)``: the component named
        ``...!R``), else 1 (the residual carries its own variances: ``idh``, ``ar1v``,
        sections, several traits). The Wald table's ``Sum of Sq`` is σ² times the Wald
        statistic, as asreml's."""
        names, kinds = self.result.names, list(self.model.param_kinds)
        hits = [k for k, (nm, kd) in enumerate(zip(names, kinds))
                if str(nm).endswith("!R") and kd == "variance"]
        return float(self.result.theta[hits[0]]) if len(hits) == 1 else 1.0

    @property
    def coef_fixed(self) -> pd.DataFrame:
        """BLUEs: solution, std.error, z.ratio (index: ASReml-style column names)."""
        r = self.result
        se = np.sqrt(np.clip(np.diag(r.vcov_beta), 0, None))
        with np.errstate(all="ignore"):
            z = r.beta / se
        return pd.DataFrame({"solution": r.beta, "std.error": se, "z.ratio": z},
                            index=self.model.fixed.names)

    def coef_fixed_all(self, order: str = "model") -> pd.DataFrame:
        """asreml's layout of :attr:`coef_fixed`: every level of every fixed term, the
        reference and aliased ones with solution 0 and NaN std.error/z.ratio; ``order``
        'model' (asreml 4.2: ``(Intercept)`` first, terms in model order) or 'reverse'
        (asreml 3 and 4.1: last term first, ``(Intercept)`` last). See
        :mod:`asr_py.results.coef_layout`."""
        return fixed_layout(self.coef_fixed, self.model, order)

    @property
    def coef_random(self) -> pd.DataFrame:
        """BLUPs: solution, std.error (sqrt PEV), z.ratio; index 'term_level'. An fa/rr term
        also lists its factor scores f̂ as asreml does, the fa factor's levels extended by
        ``Comp1``..``Compk`` (``env:gen_Comp1:G01``; :mod:`asr_py.results.fa_scores`)."""
        from asr_py.results.fa_scores import random_rows

        frames = []
        for t, levels, u, se, _ in random_rows(self):
            with np.errstate(all="ignore"):
                z = u / se
            idx = [f"{t.label}_{lv}" for lv in levels]
            frames.append(pd.DataFrame({"solution": u, "std.error": se, "z.ratio": z},
                                       index=idx))
        if not frames:
            return pd.DataFrame(columns=["solution", "std.error", "z.ratio"])
        return pd.concat(frames)

    @property
    def coef(self) -> pd.DataFrame:
        """Fixed and random coefficients in one table."""
        return pd.concat([self.coef_fixed, self.coef_random])

    @property
    def vcov_fixed(self) -> pd.DataFrame:
        """Var(β̂) = the fixed-effect block of C⁻¹ (named rows and columns)."""
        names = self.model.fixed.names
        return pd.DataFrame(self.result.vcov_beta, index=names, columns=names)

    def _record_index(self) -> pd.Index:
        """One label per record fitted: the data row (and trait)."""
        rec = self.model.records
        idx = rec.frame.index[rec.row]
        if rec.multivariate:
            return pd.MultiIndex.from_arrays([idx, [rec.traits[t] for t in rec.trait]],
                                             names=["row", "trait"])
        return idx

    def _by_data_row(self, values: Any, name: str) -> pd.Series:
        """Per-record ``values`` as asreml reports them: with ``na.method(y = 'include')``
        (the default) one entry per data row (trait within row when multivariate), NaN
        where the response is missing, so ``df['res'] = m.residuals`` and ``cbind(df,
        resid(m))`` line up with the data; with ``na_action={'y': 'omit'}`` one entry per
        record fitted. Rows dropped for a missing explanatory value or weight are not
        reported."""
        rec = self.model.records
        v = np.asarray(values, dtype=float)
        pos = getattr(rec, "result_pos", None)
        full = getattr(rec, "result_index", None)
        if pos is None or full is None or v.shape != (rec.n,):
            return pd.Series(v, index=self._record_index(), name=name)
        t = len(rec.traits)
        out = np.full(len(full) * t, np.nan)
        out[np.asarray(pos) * t + np.asarray(rec.trait)] = v
        if rec.multivariate:
            index: pd.Index = pd.MultiIndex.from_arrays(
                [np.repeat(np.asarray(full, dtype=object), t), list(rec.traits) * len(full)],
                names=["row", "trait"])
        else:
            index = full
        return pd.Series(out, index=index, name=name)

    def _per_record(self, s: pd.Series) -> np.ndarray:
        """The inverse of :meth:`_by_data_row`: the values of the records fitted."""
        rec = self.model.records
        v = np.asarray(s, dtype=float)
        pos = getattr(rec, "result_pos", None)
        full = getattr(rec, "result_index", None)
        t = len(rec.traits)
        if pos is None or full is None or v.shape != (len(full) * t,):
            return v
        return v[np.asarray(pos) * t + np.asarray(rec.trait)]

    @property
    def fitted(self) -> pd.Series:
        """Xβ̂ + Zû, one entry per data row (asreml's default ``na.method(y =
        'include')``): a row whose response is missing gets its linear predictor too, as
        asreml's (NaN where it cannot be formed safely, and in multivariate fits; see
        :mod:`asr_py.results.missing_fitted`); one entry per record fitted with
        ``na_action={'y': 'omit'}``."""
        s = self._by_data_row(self.result.fitted, "fitted")
        if not s.isna().any() or self.model.records.multivariate:
            return s
        if "_missing_fitted" not in self.__dict__:
            from asr_py.results.missing_fitted import missing_fitted

            self.__dict__["_missing_fitted"] = missing_fitted(self)
        extra = self.__dict__["_missing_fitted"]
        if extra is None or len(extra) != len(s):
            return s
        v = s.to_numpy().copy()
        fill = np.isnan(v) & ~np.isnan(extra)
        v[fill] = extra[fill]
        return pd.Series(v, index=s.index, name=s.name)

    @property
    def residuals(self) -> pd.Series:
        """y − Xβ̂ − Zû, one entry per data row (NaN where the response is missing; see
        :attr:`fitted`)."""
        return self._by_data_row(self.result.residuals, "residuals")

    def csparse(self, terms: str | list[str]) -> pd.DataFrame:
        """asreml's ``Csparse`` (``asreml.options(Csparse = ~ a + b)``): the cells of C⁻¹
        within each term's block as rows ``row``, ``column``, ``Cij`` (i >= j, from 1 within
        the term), indexed by the term (see :mod:`asr_py.results.csparse`)."""
        from asr_py.results.csparse import csparse

        return csparse(self, terms)

    def model_frame(self) -> pd.DataFrame:
        """asreml's ``fit$mf``: the data columns the model uses (in the data's order), one
        row per data row the fit used (see :mod:`asr_py.results.model_frame`)."""
        from asr_py.results.model_frame import model_frame

        return model_frame(self)

    def resid(self, type: str = "response") -> pd.Series:
        """Residuals as asreml's ``resid(m, type=)``: 'response' (y − Xβ̂ − Zû), 'pearson'
        (ê_i/sqrt(R_ii)), 'stdCond' (ê_i/sqrt(Var(ê_i)), Var(ê) = R − WC⁻¹W'), 'studentised'
        (leave-one-out; see :mod:`asr_py.results.residual_diagnostics`); one entry per data
        row as :attr:`residuals`."""
        from asr_py.results.residual_diagnostics import resid

        s = resid(self, type)
        if len(s) == self.model.records.n:
            return self._by_data_row(s.to_numpy(), str(s.name))
        return s

    def aom(self) -> dict[str, pd.DataFrame]:
        """Outlier statistics as asreml's ``aom = TRUE``: ``{'R': one row per record
        (residual, Var(ê), stdCond, studentised, ...), 'G': one row per random effect (blup,
        Var(û) = G − PEV, stdCond = û/sqrt(Var(û)))}``; |stdCond| > 3 flags an outlier (see
        :mod:`asr_py.results.residual_diagnostics`)."""
        from asr_py.results.residual_diagnostics import aom

        return aom(self)

    # ----- tests, predictions ------------------------------------------------------------
    def wald(self, denDF: str | None = None, ssType: str = "incremental") -> pd.DataFrame:
        """Wald tests of the fixed terms (see :mod:`asr_py.results.wald`).

        ``denDF``: None or 'none' (default: χ² tests only, the columns Df, Sum of Sq
        (σ² × Wald statistic, σ² = :attr:`sigma2`), Wald statistic, Pr(Chisq), F.inc); the
        others add the columns denDF, F.adj and Pr(F) = P(F(Df, denDF) > F.adj):
        'numeric', 'default' or 'algebraic' (asreml's names): asreml's Kenward-Roger
        denominator df and scale λ (W = inverse average information; F.adj = λ·F.inc and
        F.con.adj = λ·F.con, the F.inc and F.con asreml prints); 'kenward-roger' ('kr'):
        pbkrtest's Kenward-Roger (1997) test (expected information; F.adj = λF with the
        adjusted Var(β̂)); 'satterthwaite': Satterthwaite df (lmerTest's method),
        F.adj = F.inc.
        ``ssType``: 'incremental' (sequential, F.inc) or 'conditional' (also Df.con,
        Wald.con, F.con, Pr(Chisq.con) - each term after all terms that do not contain it,
        explicitly or by nesting (sites coded apart within locations contain the location
        term) - and, with denDF, denDF.con, F.con.adj, Pr(F.con); then Margin, asreml's
        marginality code: blank where the test adjusts for nothing (the intercept), A for a
        term containing only the intercept, B for one containing an A term, ...). Printed
        within 80 columns (4 significant digits, wide tables wrapped); the values keep full
        precision."""
        from asr_py.errors import AsrError
        from asr_py.results.wald import DENDF_CHOICES, SSTYPE_CHOICES

        key = denDF.lower() if isinstance(denDF, str) else denDF
        if key not in DENDF_CHOICES:
            raise AsrError(f"wald: unknown denDF {denDF!r}",
                           hint="use None, 'none', 'default', 'numeric', 'algebraic', "
                                "'kenward-roger' or 'satterthwaite'")
        if ssType not in SSTYPE_CHOICES:
            raise AsrError(f"wald: unknown ssType {ssType!r}",
                           hint="use 'incremental' or 'conditional'")
        kr = None
        if key not in (None, "none"):
            from asr_py.results.kenward_roger import kr_info

            kr = kr_info(self.model, self.result)
        from asr_py.results.wald import ASREML_DENDF

        method = ("satterthwaite" if key == "satterthwaite" else
                  "asreml" if key in ASREML_DENDF else "kenward-roger")
        terms = [(t.name or t.label, t.columns) for t in self.model.fixed.terms]
        factors = [tuple(t.factors) for t in self.model.fixed.terms]
        contains = full = None
        if ssType == "conditional":
            from asr_py.results.wald_margin import containment, full_columns

            contains, full = containment(self.model), full_columns(self.model)
        return ResultTable(wald_table(
            self.result.beta, self.result.vcov_beta, terms, kr=kr, factors=factors,
            conditional=ssType == "conditional", contains=contains, full=full,
            method=method, scale=self.sigma2))

    def predict(self, classify: str | None = None, levels: dict[str, list[Any]] | None = None,
                sed: bool = False, vcov: bool = False, *, present: Any = None,
                ignore: Any = None, only: Any = None, average: Any = None,
                aliased: bool = False, parallel: bool = False,
                newdata: pd.DataFrame | None = None, prwts: Any = None) -> pd.DataFrame:
        """Predicted values and standard errors, as asreml's ``predict`` (see
        :mod:`asr_py.results.predict`).

        ``classify='A:B'``: one prediction per combination of levels (``levels=`` picks
        levels, or covariate values); fixed factors not in classify are averaged with equal
        weights, covariates (fixed, or the plain x of a random ``~ x`` / ``~ f:x``) enter at
        their mean; a random term enters only when all its factors are classify or averaged
        factors (others are left at zero, asreml's default). ``average={'f': weights}`` (or a
        list of factor names) averages over f with those weights (a random f's effects
        enter); ``present=['f', ...]`` averages only over combinations seen in the data
        (``prwts=`` weights them: one weight per combination of the present factors, the
        first varying slowest, as asreml's prwts);
        ``ignore=['term', ...]`` leaves terms out, ``only=['term', ...]`` keeps only those
        (``only='vm(gen, A)'``: the BLUPs, standard errors sqrt(PEV)); ``aliased=True``
        shows values of non-estimable predictions; ``parallel=True`` pairs the classify
        levels one-to-one; ``newdata=DataFrame`` predicts its rows (its model columns,
        paired). The id of a ``vm()``/``ped()`` term classifies by all ids of the matrix
        (genotypes without records too). ``sed=True`` attaches ``df.attrs['sed']`` (SED_ij =
        sqrt(v_ii + v_jj − 2v_ij), V = L C⁻¹ L') and ``df.attrs['avsed']`` (min, mean, max);
        ``vcov=True`` attaches V as ``df.attrs['vcov']`` (labels: classify levels joined by
        ':')."""
        if getattr(self.model, "offset", None) is not None:
            from asr_py.errors import AsrError

            raise AsrError("predict() of a fit with offset() is not available in asr_py: "
                           "where asreml's predictions put the known term is not "
                           "established here, and leaving it out would be another number",
                           hint="predict Xβ̂ (+ Zû) yourself from coef_fixed / coef_random "
                                "and add the offset at the value you want")
        return _predict(self.model, self.result, classify, levels, sed=sed, vcov=vcov,
                        present=present, ignore=ignore, only=only, average=average,
                        aliased=aliased,
                        parallel=parallel, newdata=newdata, prwts=prwts)

    def variogram(self, row: str = "Row", col: str = "Col", *, trait: str | None = None,
                  max_lag: int | tuple[int, int] | None = None) -> pd.DataFrame:
        """Empirical semivariogram of the residuals over the field grid (asreml's
        varioGram): γ(h_r, h_c) = mean ½(e_i − e_j)² over plot pairs at that displacement
        (see :func:`asr_py.results.variogram.variogram`; plot with ``asr.plot_variogram``);
        ``max_lag=m`` or ``(m_r, m_c)`` keeps the lags up to that displacement."""
        from asr_py.results.variogram import variogram

        return variogram(self, row, col, trait=trait, max_lag=max_lag)

    def vpredict(self, formula: str) -> pd.DataFrame:
        """A function of variance components with delta-method SE: ``'h2 ~ V1/(V1+V2)'``.
        V1, V2, ... number the parameters as asreml does, in :attr:`varcomp`'s order (random
        terms by their number of effects, smallest first), counting the residual scale
        ``<term>!R`` asreml lists (fixed at 1) when the residual has its own variances
        (:mod:`asr_py.results.vnumbers`); components can also be named in backticks."""
        r = self.result
        order = asreml_order(self.model.residual, r.names, self.model)
        names, theta, vcov, cons = with_scale_row(order, r.names, r.theta, r.vcov_theta,
                                                  r.constraints,
                                                  asreml_scale_name(self.model.residual))
        names, theta, vcov, cons = pair_vectors(self.model, names, theta, vcov, cons)
        if None in order:  # asreml numbers a fixed residual scale row varcomp does not list
            warn_scale_reference(formula, names, asreml_scale_name(self.model.residual))
        return _vpredict(formula, theta, vcov, names, cons)

    def covariance(self, term: str | None = None, part: str | None = None,
                   correlation: bool = False) -> pd.DataFrame | dict[str, pd.DataFrame]:
        """Estimated covariance matrix Σ of each structure with parameters, labelled by its
        factor's levels: ``covariance('trait:Name')`` or, as the formula writes it,
        ``covariance('us(trait):Name')`` (us: the trait covariance),
        ``'units:trait'`` or ``'residual'``, fa: ΛΛ' + Ψ, diag: the diagonal, corgh: D R D.
        ``correlation=True``: R = D^{-1/2} Σ D^{-1/2}. Delta-method standard errors of every
        element (from Var(θ̂) and ∂Σ/∂θ) in ``df.attrs['se']``. ``part`` picks one factor of
        a term with several structures; without ``term``, a dict over every structure (see
        :mod:`asr_py.results.covariances`)."""
        return _covariance(self, term, part, correlation)

    def fa(self, term: str | None = None, rotate: bool = False) -> FASummary:
        """A fitted ``fa``/``rr`` structure: ``loadings`` Λ (``rotate=True``: principal axes,
        Λ V from the SVD Λ = U S V', ΛΛ' unchanged), ``specific`` Ψ, ``covariance``
        ΛΛ' + Ψ, ``correlation``, ``variance_explained`` (% of tr Σ per factor), ``rotation``
        V (see :class:`asr_py.results.covariances.FASummary`)."""
        return _fa_summary(self, term, rotate)

    def plot(self, kind: str = "all", ax: Any = None, *, by: str | None = None,
             type: str = "response") -> Any:
        """Residual diagnostics as asreml's ``plot(m)``: ``'all'`` (four panels: residuals
        against fitted values, normal QQ plot with the quartile line, histogram, residuals
        against record number), or one of ``'residuals'``, ``'qq'``, ``'hist'``,
        ``'units'``. ``by='Env'`` colours the points by a data column; ``type`` picks the
        residuals (``'response'``, ``'pearson'``, ``'stdCond'``, ``'studentised'``, see
        :meth:`resid`). Draws on ``ax`` if given (for 'all': four axes); returns the
        matplotlib Figure (matplotlib is imported only here, see
        :mod:`asr_py.results.plots`)."""
        return _plot_residuals(self, kind, ax, by=by, type=type)

    @property
    def params(self) -> pd.DataFrame:
        """The start-values table filled with this fit's estimates (asreml's G.param and
        R.param): Component, Value, Constraint ('B' and 'C' back to the model's constraint,
        e.g. 'P' for a variance, 'U' for a correlation), Kind. Edit it and pass it as
        ``params=`` to start another fit of the same model from here."""
        return pd.DataFrame({"Component": self.result.names, "Value": self.result.theta,
                             "Constraint": [str(self.model.constraints[k]).upper()
                                            if c in ("B", "C", "S") else c
                                            for k, c in enumerate(self.result.constraints)],
                             "Kind": list(self.model.param_kinds)})

    def update(self, **changes: Any) -> AsremlFit:
        """Refit with changed arguments, starting from the current estimates: every variance
        parameter of the new model whose component name is in this fit starts at its
        estimate (as asreml's update); new parameters start at their defaults. Formulas
        follow R's ``update.formula``: ``random="~ . - Env:Name"`` is this fit's random
        formula without ``Env:Name``, ``fixed=". ~ . + x"`` adds ``x``
        (:mod:`asr_py.formula.update`)."""
        import inspect

        from asr_py.results.update_call import updated_call

        asreml = self.refit
        if asreml is None:
            from asr_py.errors import ModelError

            raise ModelError("update(): this fit has no refit function",
                             hint="fits made by asr.asreml() can be updated; refit this model "
                             "with asr.asreml(...) directly")

        # asremlPlus's record of setvarianceterms (call$setvparameters) is no asreml argument;
        # residual/rcov one argument; matrices of dropped terms left out (update_call.py)
        own = tuple(n for n, p in inspect.signature(asreml).parameters.items()
                    if p.kind is not inspect.Parameter.VAR_KEYWORD)  # asreml()'s keywords
        own = own or tuple(self.call)  # a refit taking only **kw: every argument is its own
        kw = updated_call(dict(self.call), changes, own)
        if "params" not in changes:
            table = asreml(**{**kw, "start_values": True})
            assert isinstance(table, pd.DataFrame)
            mine = self.params.set_index("Component")
            # an estimate held on its boundary (constraint 'B', e.g. a residual variance at
            # 1e-7) starts the new model from its default: from the boundary the AI steps
            # crawl (units!R 1e-7 -> 3e-3 in 30 iterations, unconverged 13 640 below)
            # (update() of the same model keeps them: it converges there at once)
            held = [n for n, c in zip(self.result.names, self.result.constraints)
                    if c == "B"] if set(changes) - _CONTROL else []
            hit = table["Component"].isin(mine.index.difference(held))
            if hit.any():
                comp = table.loc[hit, "Component"]
                table.loc[hit, "Value"] = mine.loc[comp, "Value"].to_numpy()
                table.loc[hit, "Constraint"] = mine.loc[comp, "Constraint"].to_numpy()
                kw["params"] = table[["Component", "Value", "Constraint"]]
        fit = asreml(**kw)
        sv = self.call.get("setvparameters")
        if sv is not None and hasattr(fit, "call"):   # kept for the terms still fitted
            from asr_py.compat.asremlplus import setvparameters_kept

            kept = setvparameters_kept(sv, list(fit.result.names))
            if kept is not None:
                fit.call["setvparameters"] = kept
        return fit

    def simulate(self, nsim: int = 1, seed: int | None = None) -> pd.DataFrame:
        """``nsim`` responses simulated from the fit (new random effects and residuals from
        the estimated covariances; lme4's ``simulate``), one column per simulation."""
        from asr_py.results.simulate import simulate

        sims = simulate(self, nsim, seed)
        return pd.DataFrame(sims, index=self._record_index(),
                            columns=[f"sim_{i + 1}" for i in range(sims.shape[1])])

    def confint(self, parm: str | list[str] | None = None, level: float = 0.95
                ) -> pd.DataFrame:
        """Profile-likelihood confidence intervals of the variance parameters (lme4's
        ``confint(method='profile')``, on the variance scale); see
        :mod:`asr_py.results.profile`."""
        from asr_py.results.profile import confint

        return confint(self, parm, level)

    # ----- text --------------------------------------------------------------------------
    def summary(self) -> str:
        """A text summary: model, convergence, log-likelihood, variance components, Wald."""
        r = self.result
        lines = [f"asr_py {self.method} fit",
                 f"  fixed:    {self.model.formula.texts.get('fixed', '')}"]
        for k in ("random", "residual"):
            if k in self.model.formula.texts:
                lines.append(f"  {k + ':':9} {self.model.formula.texts[k]}")
        lines.append(f"  records: {self.model.records.n}   residual df (n - p): {r.n_minus_p}")
        if self._unidentified:
            lines.append(f"  converged: False: the variance parameters are not identifiable "
                         f"(see Notes); stopped after {r.n_iter} iterations")
        else:
            lines.append(f"  converged: {self.converged} after {r.n_iter} iterations")
        lines.append(f"  {self.method} log-likelihood: {self.loglik:.6f}   AIC: {self.aic:.3f}   "
                     f"BIC: {self.bic:.3f}")
        for term, k, dim in getattr(r, "face_dims", []):  # issue 11: counted in full
            lines.append(f"  AIC/BIC count all {k} parameters of {term}, which is singular: "
                         f"the face of the PD cone it is on has dimension {dim} (ASReml and "
                         "lme4 count all too)")
        n_eq = len(r.beta) + sum(len(u) for u in r.u)
        if r.peak_memory is not None and max(n_eq, self.model.records.n) >= LARGE_FIT:
            lines.append(f"  peak memory: {r.peak_memory / 2**20:.0f} MiB (resident set of "
                         f"the process during the fit; {n_eq} equations)")
        lines.append("\nVariance components:")
        lines.append(self.varcomp.to_string(float_format=lambda v: f"{v:.6g}"))
        lines.append("\nFixed effects:")
        lines.append(self.coef_fixed.to_string(float_format=lambda v: f"{v:.6g}"))
        try:
            lines.append("\nWald tests (incremental):")
            lines.append(self.wald().to_string(float_format=lambda v: f"{v:.4g}"))
        except np.linalg.LinAlgError:
            lines.append("  (not available: singular Var(beta))")
        diags = self.diagnostics
        if diags:
            lines.append("\nNotes:")
            lines += [f"  - {d}" for d in diags]
        return "\n".join(lines)

    def __repr__(self) -> str:
        state = "converged" if self.converged else "NOT converged"
        return (f"<AsremlFit {state}, loglik={self.loglik:.4f}, "
                f"{self.ncomponents} variance parameters>")
