"""``explain()``: what an ASReml-R formula means, in words and in matrices.

For each term ``p1:p2:...`` of a random (or residual) formula the implied covariance is
G = [σ²] Σ_1 ⊗ Σ_2 ⊗ ..., Σ_i the structure of part i (plain factor: I; ``vm(id, K)``: K);
the scale σ² is added when no part carries its own variance (ASReml's rule). With data the
formula is compiled (:func:`asr_py.compile_model`) and each random term's matrix form is
reported with its sizes, e.g. ``us(trait):vm(id, K)`` ->
``G = Σ(2×2 unstructured, 3 parameters) ⊗ K (5 000 × 5 000 known)`` and
``Z: n × q, nnz non-zeros``.
:meth:`Explanation.plot` draws V = Σ_t Z_t G_t Z_t' + σ²_e I for a toy layout (3 levels per
factor, every combination once) so the patterns of ``at()``, ``diag()``, ``us()``, ``ar1()``...
can be compared.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from asr_py.errors import AsrError
from asr_py.formula import BinOp, Call, Expr, Formula, Name, Number, parse_formula
from asr_py.formula.expand import expand
from asr_py.formula.functions import UNAVAILABLE

_KNOWN = {"vm", "giv", "ide", "ped"}
_TOY_N = 3


def family(name: str) -> tuple[str, str, str]:
    """(words, math, definition) of a registered structure name: its own description
    (:class:`asr_py.vcov.base.StructureSyntax`; math for an n x n matrix over factor f,
    ``{n}`` and ``{f}`` substituted by the caller)."""
    from asr_py.vcov.base import structure_syntax

    s = structure_syntax(name)
    if s is not None and s.words:
        return s.words, s.math, s.definition
    raise AsrError(f"no explanation for structure '{name}'",
                   hint="see asr_py.vcov.registered_names()")


@dataclass
class PartInfo:
    """One ``:``-separated part of a term."""

    text: str
    factor: str
    structure: str          # registry name, 'factor', 'at', 'known' or a function name
    words: str
    math: str
    n_params: int = 0
    param_names: list[str] = field(default_factory=list)
    has_variance: bool = False


@dataclass
class MatrixForm:
    """A compiled random term in matrices: G = [σ² ·] F_1 ⊗ F_2 ⊗ ... and Z's size.

    ``factors`` holds one (symbol, dimension, parameter count) per part, outermost first.
    """

    label: str
    G: str
    q: int
    n_params: int
    z_shape: tuple[int, int]
    z_nnz: int
    scale: bool
    factors: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def text(self) -> str:
        p = f"{self.n_params} parameter{'s' if self.n_params != 1 else ''}"
        n, q = self.z_shape
        return (f"G = {self.G}   [{_num(self.q)} × {_num(self.q)}, {p}]\n"
                f"Z: {_num(n)} × {_num(q)}, {_num(self.z_nnz)} non-zeros")


@dataclass
class TermInfo:
    """One term: its parts, the implied covariance, and (with data) the sizes."""

    text: str
    parts: list[PartInfo]
    scale: bool
    math: str
    n_params: int
    sizes: str = ""
    matrices: list[MatrixForm] = field(default_factory=list)


@dataclass
class Explanation:
    """Result of :func:`explain`; ``str()`` / ``.text`` give the report."""

    formula: str
    kind: str
    terms: list[TermInfo]
    notes: list[str] = field(default_factory=list)
    matrices: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def text(self) -> str:
        head = {"fixed": "Fixed formula", "random": "Random formula",
                "residual": "Residual formula"}[self.kind]
        out = [f"{head}: {self.formula}"]
        for i, t in enumerate(self.terms, 1):
            out.append(f"\nterm {i}: {t.text}")
            for p in t.parts:
                extra = ""
                if p.n_params:
                    extra = f"; {p.n_params} parameter{'s' if p.n_params > 1 else ''}"
                    shown = p.param_names[:6]
                    extra += " (" + ", ".join(shown) + (", ..." if p.n_params > 6 else "") + ")"
                out.append(f"  - {p.text}: {p.words} [{p.structure}]{extra}")
                out.append(f"      {p.math}")
            if self.kind == "fixed":
                if t.sizes:
                    out.append(f"  with the data: {t.sizes}")
                continue
            out.append(f"  Var(u) = {t.math}   ({t.n_params} variance parameter"
                       f"{'s' if t.n_params != 1 else ''})")
            if t.scale:
                out.append("  (no part carries a variance, so the term gets one scale σ²)")
            if t.sizes:
                out.append(f"  with the data: {t.sizes}")
            for mf in t.matrices:
                pad = "    "
                if len(t.matrices) > 1:
                    out.append(f"    {mf.label}:")
                    pad = "      "
                out += [pad + line for line in mf.text.split("\n")]
        if self.notes:
            out.append("")
            out += [f"note: {n}" for n in self.notes]
        return "\n".join(out)

    def __str__(self) -> str:
        return self.text

    def to_latex(self) -> str:
        """A LaTeX ``itemize`` with one item per term: its text and covariance."""
        lines = [r"\begin{itemize}"]
        for t in self.terms:
            math = _latex(t.math)
            lines.append(rf"  \item \texttt{{{_tex_escape(t.text)}}}: $\mathrm{{Var}}(u) = "
                         rf"{math}$ ({t.n_params} parameters)")
        lines.append(r"\end{itemize}")
        return "\n".join(lines)

    def toy_covariance(self) -> tuple[np.ndarray, list[str]]:
        """V = Σ_t Z_t G_t Z_t' + I for a toy layout: every combination of 3 levels per factor.

        Parameters are at each structure's initial values, except variance parameters, set to
        1, 1.5, 2, ... within a part so that heterogeneous-variance structures show it.
        """
        factors: list[str] = []
        for t in self.terms:
            for p in t.parts:
                if p.factor and p.factor not in factors and p.factor != "units":
                    factors.append(p.factor)
        factors = factors[:3]
        levels = [str(i + 1) for i in range(_TOY_N)]
        rows = list(itertools.product(levels, repeat=len(factors))) or [()]
        n = len(rows)
        V = np.eye(n)
        for t in self.terms:
            if self.kind == "fixed":
                continue
            V = V + _toy_term(t, factors, rows)
        labels = [":".join(r) for r in rows]
        return V, labels

    def plot(self, path: str | None = None) -> Any:
        """Heat map of the toy V (see :meth:`toy_covariance`); saved to ``path`` if given."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        V, labels = self.toy_covariance()
        fig, ax = plt.subplots(figsize=(5.5, 4.8))
        im = ax.imshow(V, cmap="viridis")
        ax.set_title(f"V implied by {self.formula}"[:70], fontsize=9)
        if len(labels) <= 30:
            ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=6)
            ax.set_yticks(range(len(labels)), labels, fontsize=6)
        fig.colorbar(im, ax=ax)
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=120)
        return fig


# ---------------------------------------------------------------------------------------------


def _tex_escape(s: str) -> str:
    return s.replace("\\", r"\textbackslash{}").replace("_", r"\_").replace("%", r"\%") \
        .replace("&", r"\&").replace("#", r"\#").replace("{", r"\{").replace("}", r"\}")


def _latex(m: str) -> str:
    rep = {"σ²": r"\sigma^2", "Σ": r"\Sigma", "⊗": r"\otimes", "ρ": r"\rho", "φ": r"\phi",
           "θ": r"\theta", "Λ": r"\Lambda", "Ψ": r"\Psi", "½": r"{1/2}", "×": r"\times "}
    out = m
    for a, b in rep.items():
        out = out.replace(a, b)
    return out.replace("_", r"\_").replace(r"\_{", "_{")


def _factor_of(c: Call) -> str:
    pos = c.positional()
    if len(pos) > 1 and _two_coordinates(c.func):
        return ":".join(str(a) for a in pos)  # iexp(x, y): the points (x, y)
    return str(pos[0]) if pos else ""


def _two_coordinates(name: str) -> bool:
    """Whether structure ``name`` takes two coordinate columns (iexp(x, y), aexp(x, y))."""
    from asr_py.vcov.base import structure_syntax

    s = structure_syntax(name)
    return s is not None and s.coordinates and 2 in s.dimensions


def _toy_levels(struct: str) -> list[str]:
    return [str(i + 1) for i in range(_TOY_N)]


def _toy_k(n: int) -> np.ndarray:
    i = np.arange(n)
    return 0.5 ** np.abs(i[:, None] - i[None, :])


def _structure(name: str, levels: list[str], factor: str, call: Call | None,
               matrices: dict[str, Any]) -> Any:
    from asr_py.model.blocks import order_argument
    from asr_py.vcov import get_structure
    from asr_py.vcov.base import structure_syntax

    opts: dict[str, Any] = {}
    syntax = structure_syntax(name)
    if syntax is not None and name not in ("vm", "giv"):  # the compiler's reading of the call
        k = order_argument(call, syntax) if call is not None else None
        order = int(k.value) if isinstance(k, Number) else None
        try:
            opts = syntax.options(levels, order)
        except ValueError:  # toy (non-numeric) levels of a distance structure
            opts = syntax.options([str(i) for i in range(len(levels))], order)
        if syntax.coordinates and ":" in factor and _two_coordinates(name):
            i = np.arange(len(levels), dtype=float)  # toy points in the plane
            opts = {"coords": np.column_stack([i, i % 2])}
    if name in ("vm", "giv"):
        opts["matrix"] = matrices.get("__K__", _toy_k(len(levels)) if name == "vm"
                                      else np.linalg.inv(_toy_k(len(levels))))
        opts["inverse"] = name == "giv"
    return get_structure(name)(levels, name=factor, **opts)


def _part(p: Expr, levels: dict[str, list[str]], matrices: dict[str, Any]) -> PartInfo:
    from asr_py.vcov import registered_names

    text = str(p)
    if isinstance(p, Name):
        f = p.name
        n = len(levels.get(f, [])) or "n"
        if f == "units":
            return PartInfo(text, f, "factor", "one effect per record (units)", f"I_{n}")
        if f == "mv":
            return PartInfo(text, f, "mv", "asreml 3's missing-value term: dropped, the fit "
                            "estimates missing responses without it (unless the data have "
                            "a column 'mv')", "(none)")
        return PartInfo(text, f, "factor", f"plain factor '{f}': independent effects",
                        f"I_{n}")
    if isinstance(p, Call):
        f = _factor_of(p)
        lv = levels.get(f) or _toy_levels(p.func)
        n = len(levels.get(f, [])) or "n"
        if p.func == "own":
            return _own_part(p, f)
        if p.func in registered_names() and p.func not in ("vm", "giv"):
            words, math, defn = family(p.func)
            s = _structure(p.func, lv, f, p, matrices)
            math = math.replace("{n}", str(n)).replace("{f}", f)
            if defn:
                words += f"; {defn.replace('{n}', str(n))}"
            return PartInfo(text, f, p.func, f"'{f}' with {words}", math, s.n_params,
                            list(s.param_names), bool(s.has_variance))
        if p.func in _KNOWN:
            pos = p.positional()
            kname = str(pos[1]) if len(pos) > 1 else ("A (pedigree)" if p.func == "ped"
                                                      else "I")
            if p.func == "ide":
                return PartInfo(text, f, "known", f"'{f}' as independent (ide)", f"I_{n}")
            inv = p.func == "giv" or (p.func == "vm" and kname in matrices
                                      and getattr(matrices[kname], "inverse", False))
            what = "inverse given" if inv else "known"
            return PartInfo(text, f, "known",
                            f"'{f}' correlated through the known matrix {kname}",
                            f"{kname} ({n}×{n} {what})")
        if p.func == "at":
            pos = p.positional()
            which = ", ".join(str(x) for x in pos[1:]) or "every level"
            return PartInfo(text, f, "at", f"a separate term (own variances) for {which} of "
                            f"'{f}'", f"blocks for {f} in ({which})")
        if p.func == "spl":
            return PartInfo(text, f, "spl", f"cubic smoothing spline in '{f}' (its random "
                            f"part: keep {f} in the fixed formula); Z = N Q(Q'Q)⁻¹ over the "
                            "knots", "R (knots−2 × knots−2 known spline penalty)")
        if p.func == "mbf":
            return PartInfo(text, f, "mbf", f"covariates of mbf entry '{f}', looked up by key "
                            "(one effect per covariate)", "I (covariates × covariates)")
        if p.func == "grp":
            return PartInfo(text, f, "grp", f"the data columns of group '{f}' as one term "
                            "(one effect per column)", "I (columns × columns)")
        if p.func in UNAVAILABLE:  # an ASReml structure asr_py does not implement
            return PartInfo(text, f, p.func, f"'{f}' with ASReml's {p.func}() structure, which "
                            "asr_py does not implement (a fit refuses it)",
                            f"{p.func}({f}) (not available)")
        if p.func == "offset":
            return PartInfo(text, f, "offset", f"known term {f} with coefficient 1 (added to "
                            "the linear predictor; nothing estimated)", "(none)")
        if p.func == "and":
            return PartInfo(text, f, "and", f"overlay: the design of '{f}' is added to the "
                            "previous term's Z, sharing its effects and variance",
                            "Z_previous += times · Z_" + f)
        return PartInfo(text, f, p.func, f"function {p.func}() of '{f}'",
                        f"{p.func}({f}) columns")
    if isinstance(p, Formula):
        return PartInfo(text, "", "formula", "a formula argument", text)
    return PartInfo(text, text, "covariate", f"covariate '{text}' (regression)", text)


def _own_part(p: Call, f: str) -> PartInfo:
    """``own(f, 'fun', init, type)``: the user's function is not called here; the number
    of parameters is the number of init values, their kinds the type codes."""
    args = dict(zip(("fun", "init", "type"), p.positional()[1:]))
    args.update(p.named())

    def values(e: Any) -> list[Any]:
        if isinstance(e, Call) and e.func == "c":
            return [a.value for a in e.args]
        return [] if e is None else [e]

    fun = args.get("fun")
    fname = getattr(fun, "value", None) or getattr(fun, "name", None) or "fun"
    k = len(values(args.get("init")))
    codes = [str(getattr(v, "value", v)).upper() for v in values(args.get("type"))]
    names = [f"{f}!{fname}{j + 1}" for j in range(k)]
    return PartInfo(str(p), f, "own", f"'{f}' with the user-defined matrix of {fname}(n, κ) "
                    f"({k} parameter{'s' if k != 1 else ''})", f"OWN_{fname}(κ)", k, names,
                    any(c in ("V", "G") for c in codes))


def _term(parts: tuple[Expr, ...], levels: dict[str, list[str]], matrices: dict[str, Any]
          ) -> TermInfo:
    infos = [_part(p, levels, matrices) for p in parts]
    if len(infos) == 1 and infos[0].structure == "and":
        return TermInfo(str(parts[0]), infos, False,
                        "the previous term's (no parameters of its own)", 0)
    structured = [pi for pi in infos if pi.structure != "at"]
    scale = not any(pi.has_variance for pi in structured)
    maths = [pi.math for pi in structured]
    math = " ⊗ ".join(maths) if maths else "σ²"
    if scale:
        math = ("σ² " + math) if len(maths) == 1 else f"σ² ({math})"
    n = sum(pi.n_params for pi in infos) + (1 if scale else 0)
    ats = [pi for pi in infos if pi.structure == "at"]
    if ats:
        math += f", separately within {' and '.join(a.factor for a in ats)}"
    return TermInfo(":".join(str(p) if not isinstance(p, (BinOp, Formula)) else f"({p})"
                             for p in parts), infos, scale, math, n)


def _toy_term(t: TermInfo, factors: list[str], rows: list[tuple[str, ...]]) -> np.ndarray:
    """Z G Z' of one term over the toy records."""
    n = len(rows)
    mats: list[np.ndarray] = []
    cols: list[list[int]] = []   # per part: index of the record's level
    mask = np.ones(n, dtype=bool)
    for p in t.parts:
        if p.factor not in factors and p.factor != "units":
            continue
        if p.factor == "units":
            idx = list(range(n))
            k = n
        else:
            j = factors.index(p.factor)
            idx = [int(r[j]) - 1 for r in rows]
            k = _TOY_N
        if p.structure == "at":
            mask &= np.array([i == 0 for i in idx])
            continue
        if p.structure in ("factor", "known", "covariate", "own") or p.n_params == 0 and \
                p.structure in ("id",):  # own: the user's function is not called here
            m = _toy_k(k) if p.structure == "known" else np.eye(k)
        else:
            s = _structure(p.structure, [str(i + 1) for i in range(k)], p.factor, None, {})
            th = np.asarray(s.initial(1.0), dtype=float).copy()
            var = 1.0
            for i, kind in enumerate(s.param_kinds):
                if kind == "variance":
                    th[i] = var
                    var += 0.5
            from asr_py.vcov import to_dense

            m = to_dense(s.matrix(th))
        mats.append(m)
        cols.append(idx)
    if not mats:
        return np.zeros((n, n))
    G = mats[0]
    for m in mats[1:]:
        G = np.kron(G, m)
    dims = [m.shape[0] for m in mats]
    flat = np.zeros(n, dtype=int)
    for idx, d in zip(cols, dims):
        flat = flat * d + np.asarray(idx)
    Z = np.zeros((n, G.shape[0]))
    Z[np.arange(n), flat] = 1.0
    Z[~mask] = 0.0
    return Z @ G @ Z.T


def explain(formula: str, data: Any = None, *, kind: str | None = None,
            fixed: str | None = None, **matrices: Any) -> Explanation:
    """Explain an ASReml-R formula term by term.

    ``formula``: ``"~ us(trait):vm(id, K)"`` (random, the default for a one-sided formula),
    ``"y ~ Env"`` (fixed); ``kind='residual'`` explains a residual formula. With ``data``
    (a DataFrame) the levels and sizes come from the data: the formula is compiled with
    ``fixed`` (default: ``"<first numeric column> ~ 1"``) and the matrices given as keywords.
    """
    if not isinstance(formula, str):
        raise AsrError("explain() needs the formula as a string, e.g. '~ us(trait):id(Name)'")
    f = parse_formula(formula, kind)
    if kind is None:
        kind = "fixed" if f.lhs is not None else "random"
    if kind not in ("fixed", "random", "residual"):
        raise AsrError(f"kind must be 'fixed', 'random' or 'residual', not {kind!r}")
    from asr_py.formula.model import validate_formula

    validate_formula(f, kind, formula)  # unknown functions, misplaced '|', ... with a caret
    if fixed is not None:   # offset(x) and asreml 3's mv have no columns (asreml() drops them)
        from asr_py.model.mv_term import drop_mv
        from asr_py.model.offset import split_offset

        fixed = drop_mv(split_offset(fixed)[0], "fixed", data)[0]
    levels: dict[str, list[str]] = {}
    notes: list[str] = []
    model = None
    if data is None:
        notes.append(f"no data: parameter counts are for {_TOY_N} levels per factor; pass "
                     "data= for the real sizes")
    else:
        for c in data.columns:
            if data[c].dtype == object or str(data[c].dtype) in ("category", "string", "str"):
                levels[str(c)] = sorted(str(x) for x in data[c].dropna().unique())
        model = _compile(formula, kind, data, fixed, matrices, notes)
        if model is not None and model.records.multivariate:
            levels["trait"] = list(model.records.traits)
    # the terms as the model stage expands them (R's term algebra), in the order written
    terms = [_term(t.parts, levels, matrices) for t in
             expand(f, kind, keep_order=True, text=formula).terms]
    for t in terms:
        for p in t.parts:
            if data is not None and p.structure == "factor" and p.factor in data.columns \
                    and p.factor not in levels:
                p.structure, p.words = "covariate", f"numeric covariate '{p.factor}'"
                p.math = "one column of values"
    if kind == "fixed":
        for t in terms:
            for p in t.parts:
                if p.structure == "factor":
                    p.words = f"fixed factor '{p.factor}': one effect per level (R contrasts)"
                    p.math = "indicator columns of X"
    if model is not None:
        _sizes(terms, model, kind, data, fixed, matrices)
    if not terms:
        notes.append("the formula has no terms besides the intercept")
    return Explanation(formula, kind, terms, notes, dict(matrices))


def _default_fixed(data: Any) -> str | None:
    num = [c for c in data.columns if str(data[c].dtype).startswith(("float", "int"))]
    return f"{num[0]} ~ 1" if num else None


def _compile(formula: str, kind: str, data: Any, fixed: str | None, matrices: dict[str, Any],
             notes: list[str]) -> Any:
    from asr_py.model.mv_term import drop_mv
    from asr_py.model.offset import split_offset
    from asr_py.model.spec import compile_model

    if kind == "fixed":   # offset(x) and asreml 3's mv have no columns (asreml() drops them)
        formula = drop_mv(split_offset(formula)[0], "fixed", data)[0]
        return compile_model(formula, data=data, **matrices)
    fixed = fixed or _default_fixed(data)
    if fixed is None:
        notes.append("no numeric column to use as a response; sizes not computed")
        return None
    kw = {"random": formula} if kind == "random" else {"residual": formula}
    return compile_model(fixed, data=data, **kw, **matrices)


def _sizes(terms: list[TermInfo], model: Any, kind: str, data: Any, fixed: str | None,
           matrices: dict[str, Any]) -> None:
    """Fill each term's sizes (and its real parameter count) from the compiled model."""
    from asr_py.model.spec import compile_model

    if kind == "fixed":
        by_label = {t.label.replace(" ", ""): t for t in model.fixed.terms}
        for ti in terms:
            t = by_label.get(ti.text.replace(" ", ""))
            if t is not None:
                ti.sizes = f"{len(t.columns)} column(s) of X"
        return
    if kind == "residual":
        r = model.residual
        if terms:
            terms[-1].sizes = (f"R is {r.template.n} x {r.template.n}; {len(r.param_names)} "
                               "parameter(s): " + ", ".join(r.param_names))
        return
    fx = fixed or _default_fixed(data)
    i = 0
    while i < len(terms):
        ti = terms[i]
        group = [ti]  # a term and the and() terms overlaid on it are compiled together
        while i + len(group) < len(terms) and _is_and(terms[i + len(group)]):
            group.append(terms[i + len(group)])
        formula = " + ".join(t.text for t in group)
        # ide(id) takes its ids from the vm(id, K) terms before it: compiled with them
        lead = [t.text for t in terms[:i] if "vm(" in t.text] if "ide(" in formula else []
        skip = len(compile_model(fx, random="~ " + " + ".join(lead), data=data,
                                 **matrices).random) if lead else 0
        one = compile_model(fx, random="~ " + " + ".join([*lead, formula]), data=data,
                            **matrices)
        blocks = one.random[skip:]
        ti.n_params = sum(len(r.param_names) for r in blocks)
        ti.sizes = "; ".join(f"{r.label}: Z is {r.Z.shape[0]} x {r.Z.shape[1]}, "
                             f"{len(r.param_names)} parameter(s)" for r in blocks)
        ti.matrices = [matrix_form(r) for r in blocks]
        for t in group[1:]:
            t.sizes = f"its Z is added to that of term '{ti.text}' (shown there)"
        i += len(group)


def _is_and(t: TermInfo) -> bool:
    return len(t.parts) == 1 and t.parts[0].structure == "and"


def _num(n: int) -> str:
    """Digits grouped by thousands with spaces: 5000 -> '5 000'."""
    return f"{n:,}".replace(",", " ")


_SHORT = {"us": "unstructured", "diag": "diagonal", "idh": "diagonal", "idv": "scaled identity",
          "fa": "factor analytic", "facv": "factor analytic", "rr": "reduced rank",
          "xfa": "factor analytic", "sfa": "factor analytic", "chol": "Cholesky",
          "ante": "antedependence"}


def _short(structure: str) -> str:
    if structure in _SHORT:
        return _SHORT[structure]
    try:
        return family(structure)[0].split(":")[0].split(";")[0]
    except AsrError:
        return structure


def _part_form(b: Any) -> tuple[str, int, int]:
    """(symbol with size, dimension, parameters) of one compiled part of a random term."""
    k = int(b.template.n) if b.template is not None else len(b.labels)
    d = f"{_num(k)} × {_num(k)}"
    t = b.template
    if b.structure == "spl":
        return f"R ({d} known spline penalty)", k, 0
    if b.known:
        if b.structure == "ide":
            return f"I ({d})", k, 0
        inv = bool(getattr(t, "given_inverse", False))
        what = "known, inverse given" if inv else "known"
        if b.structure == "ped":
            return f"A ({d} pedigree relationship)", k, 0
        sym = "K"
        if b.structure == "vm":
            import re

            hit = re.match(r"\s*vm\(\s*[^,]+,\s*([^,)]+)", b.label)
            sym = hit.group(1).strip() if hit else "K"
            if not inv and hasattr(t, "rank"):
                what += _rank_words(t)
        return f"{sym} ({d} {what})", k, 0
    if t is None or t.n_params == 0:
        return f"I ({d})", k, 0
    p = t.n_params
    sym = "Σ" if t.has_variance else "C"
    return (f"{sym}({k}×{k} {_short(b.structure or '')}, {p} parameter{'s' if p > 1 else ''})",
            k, p)


def _rank_words(km: Any) -> str:
    """', rank 199: positive semi-definite, fitted as K = L L'' for a singular K ('' if full
    rank; a note if K is indefinite)."""
    from asr_py.errors import MatrixError

    try:
        rk = km.rank()
    except MatrixError:
        return ", not positive semi-definite: the fit refuses it"
    if not rk.singular:
        return ""
    return f", rank {_num(rk.rank)}: positive semi-definite, fitted as K = L L' of rank {rk.rank}"


def matrix_form(term: Any) -> MatrixForm:
    """The matrix form of a compiled :class:`asr_py.model.random.RandomTerm`:
    G = [σ² ·] F_1 ⊗ ... (F_i the part's structure with its size) and Z's size."""
    forms = [_part_form(b) for b in term.blocks]
    scale = not any(b.template is not None and b.template.has_variance for b in term.blocks)
    G = " ⊗ ".join(f for f, _, _ in forms)
    if scale:
        G = f"σ² · {G}" if len(forms) == 1 else f"σ² · ({G})"
    n, q = term.Z.shape
    return MatrixForm(term.label, G, int(term.template.n), len(term.param_names), (n, q),
                      int(term.Z.nnz), scale, forms)


__all__ = ["Explanation", "TermInfo", "PartInfo", "MatrixForm", "explain", "family",
           "matrix_form"]
