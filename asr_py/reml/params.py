"""The parameter map: one row per parameter of θ, and one span per structure with parameters.

θ is the concatenation of every random term's template parameters, then the residual's.
Inside a term G = [σ²] Σ_1 ⊗ ... ⊗ Σ_p the scale σ² (when no part has its own variance)
comes first, then each part's parameters (:meth:`CovTemplate.leaves` gives the parts and
their offsets). A row says, for position i of θ:

    term        the term (random term label; residual section term, e.g. ``units:trait`` or
                ``Site_A!units:trait`` for a ``dsum`` section)
    leaf        ordinal of the structure with parameters in its term (-1: the term's scale)
    index       position within that structure's parameters (0 for a scale)
    kind        variance / covariance / correlation / loading / scale / other
    name        the ASReml-style component name
    constraint  P / U / F / B (the start value's; a fit may change it)
    lower, upper  the template's bounds

A :class:`StructureSpan` is one structure with parameters: its term, factor, template, the
position of its first parameter and the position of the term scale multiplied into it (the
first structured part of a term without an own variance carries the scale).

The model stage builds the map once (:attr:`asr_py.model.spec.Model.param_map`, which knows
terms, factors and residual sections); a problem built without one gets
:meth:`ParamMap.from_templates` (terms = the random block names and 'residual'; scales are
not attached to a structure). Start values, the engine (kinds, bounds, the structures whose
positive-definite boundary is handled), ``covariance()`` and ``varcomp`` read positions here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from asr_py.vcov.base import CovTemplate, frozen_levels


@dataclass(frozen=True)
class ParamRow:
    """One parameter of θ (see the module docstring)."""

    term: str
    leaf: int
    index: int
    kind: str
    name: str
    constraint: str
    lower: float
    upper: float


@dataclass(frozen=True)
class StructureSpan:
    """One structure with parameters inside a term and where its θ lives: ``start`` (first
    parameter), ``scale`` (the term scale multiplied into it, None when none), ``key`` (the
    name :func:`asr_py.results.covariances.covariance` uses)."""

    key: str
    term: str
    factor: str
    template: CovTemplate
    levels: tuple[str, ...]
    start: int
    scale: int | None
    residual: bool = False

    @property
    def stop(self) -> int:
        return self.start + self.template.n_params

    @property
    def positions(self) -> np.ndarray:
        """Positions in θ of every parameter Σ depends on (scale first)."""
        own = np.arange(self.start, self.stop)
        return own if self.scale is None else np.concatenate([[self.scale], own])


@dataclass
class ParamMap:
    """Rows (one per parameter, in θ order) and structure spans (in θ order)."""

    rows: list[ParamRow]
    structures: list[StructureSpan] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def names(self) -> list[str]:
        return [r.name for r in self.rows]

    @property
    def kinds(self) -> list[str]:
        return [r.kind for r in self.rows]

    @property
    def constraints(self) -> list[str]:
        return [r.constraint for r in self.rows]

    @property
    def lower(self) -> np.ndarray:
        return np.array([r.lower for r in self.rows], dtype=float)

    @property
    def upper(self) -> np.ndarray:
        return np.array([r.upper for r in self.rows], dtype=float)

    @property
    def terms(self) -> list[str]:
        return [r.term for r in self.rows]

    def cross_trait(self, traits: Sequence[str], skip: Sequence[str] = ()) -> list[bool]:
        """Per parameter: a covariance or correlation of a structure over ``trait`` (its
        levels the traits): the between-trait parameters the staged start holds at 0
        (none with fewer than two traits; structures of the terms in ``skip`` excluded)."""
        mask = [False] * len(self.rows)
        if len(traits) < 2:
            return mask
        for s in self.structures:
            if s.factor == "trait" and tuple(s.levels) == tuple(traits) and s.term not in skip:
                for k in range(s.start, s.stop):
                    mask[k] = self.rows[k].kind in ("covariance", "correlation")
        return mask

    def term_slice(self, term: str) -> slice:
        """The contiguous θ slice of ``term`` (KeyError if it has no parameter)."""
        pos = [i for i, r in enumerate(self.rows) if r.term == term]
        if not pos:
            raise KeyError(term)
        return slice(pos[0], pos[-1] + 1)

    @classmethod
    def from_templates(cls, terms: Sequence[str], templates: Sequence[CovTemplate],
                       names: Sequence[str], constraints: Sequence[str],
                       residual: Sequence[bool] | None = None) -> ParamMap:
        """The map from the templates alone: each term's structures are its leaves with
        parameters (:meth:`CovTemplate.leaves`), other positions are scales (leaf -1, not
        attached to a structure)."""
        rows: list[ParamRow] = []
        spans: list[StructureSpan] = []
        res = list(residual) if residual is not None else [False] * len(terms)
        off = 0
        for term, t, is_res in zip(terms, templates, res):
            n = t.n_params
            leaf_of = [(-1, 0)] * n
            k = 0
            for leaf, start in t.leaves(off):
                if leaf.n_params == 0:
                    continue
                for j in range(leaf.n_params):
                    leaf_of[start - off + j] = (k, j)
                spans.append(StructureSpan(term, term, getattr(leaf, "name", "") or "", leaf,
                                           frozen_levels(getattr(leaf, "levels", ()))
                                           or tuple(str(i + 1) for i in range(leaf.n)),
                                           start, None, is_res))
                k += 1
            rows += _rows([term] * n, leaf_of, t, names[off:off + n],
                          constraints[off:off + n])
            off += n
        if off != len(names) or off != len(constraints):
            raise ValueError(f"parameter map: the templates have {off} parameters, "
                             f"{len(names)} names and {len(constraints)} constraints")
        return cls(rows, spans)


def _rows(terms: Sequence[str], leaf_of: list[tuple[int, int]], t: CovTemplate,
          names: Sequence[str], constraints: Sequence[str]) -> list[ParamRow]:
    lo, hi = t.lower(), t.upper()
    return [ParamRow(tm, lf, ix, kd, str(nm), str(c), float(a), float(b))
            for tm, (lf, ix), kd, nm, c, a, b in zip(terms, leaf_of, t.param_kinds, names,
                                                     constraints, lo, hi)]


Part = tuple[str, CovTemplate | None, tuple[str, ...]]


def term_spans(label: str, template: CovTemplate, sections: Sequence[tuple[str, Sequence[Part]]],
               residual: bool = False, offset: int = 0
               ) -> tuple[list[StructureSpan], list[tuple[int, int]], list[str]]:
    """One term's structures and where its parameters sit, θ positions from ``offset``:
    (spans, (leaf, index) per parameter, section term per parameter). ``sections`` is a
    list of ``(section term, parts)`` with ``parts`` the term's factors in order as
    ``(factor, template or None, levels)``. Within a section the scale σ² comes first when
    no part has its own variance; it is multiplied into the first structure with parameters
    (``covariance()``'s rule)."""
    spans: list[StructureSpan] = []
    leaf_of: list[tuple[int, int]] = []
    row_terms: list[str] = []
    pos = offset
    for sec_term, parts in sections:
        has_var = any(t is not None and t.has_variance for _, t, _ in parts)
        structured = [p for p in parts if p[1] is not None and p[1].n_params > 0]
        scale = None if has_var else pos
        if scale is not None:
            leaf_of.append((-1, 0))
            row_terms.append(sec_term)
            pos += 1
        first = True
        for k, (factor, t, levels) in enumerate(structured):
            assert t is not None
            key = sec_term if len(structured) == 1 else f"{sec_term}!{factor}"
            lv = frozen_levels(getattr(t, "levels", levels))
            if len(lv) != t.n:
                lv = tuple(str(i + 1) for i in range(t.n))
            spans.append(StructureSpan(key, sec_term, factor, t, lv, pos,
                                       scale if first else None, residual))
            first = False
            leaf_of += [(k, j) for j in range(t.n_params)]
            row_terms += [sec_term] * t.n_params
            pos += t.n_params
    if pos - offset != template.n_params:  # pragma: no cover - compiler invariant
        raise ValueError(f"parameter map: cannot match the {template.n_params} parameters of "
                         f"'{label}' to its structures ({pos - offset})")
    return spans, leaf_of, row_terms


def build_param_map(terms: Sequence[tuple[str, CovTemplate, Sequence[tuple[str, Sequence[
        Part]]], bool]], names: Sequence[str], constraints: Sequence[str]) -> ParamMap:
    """The map from the model stage's description of each term:
    ``(label, template, sections, residual)`` (see :func:`term_spans`)."""
    rows: list[ParamRow] = []
    spans: list[StructureSpan] = []
    off = 0
    for label, template, sections, residual in terms:
        n_term = template.n_params
        sp_, leaf_of, row_terms = term_spans(label, template, sections, residual, off)
        spans += sp_
        rows += _rows(row_terms, leaf_of, template, names[off:off + n_term],
                      constraints[off:off + n_term])
        off += n_term
    if off != len(names):  # pragma: no cover - compiler invariant
        raise ValueError(f"parameter map: {off} parameters, {len(names)} names")
    return ParamMap(rows, spans)


__all__ = ["ParamMap", "ParamRow", "StructureSpan", "build_param_map", "term_spans"]
