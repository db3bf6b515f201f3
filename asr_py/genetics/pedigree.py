"""Pedigrees: checking and sorting, inbreeding coefficients, A and A-inverse.

Notation. Animals are numbered 0..n-1 with parents before offspring; s_i, d_i are the sire and
dam of i (-1 when unknown). The numerator relationship matrix factors as A = L D L' with L
lower-triangular (L_ii = 1, row i of L = e_i + (L_s + L_d)/2 over known parents) and D diagonal,
holding the Mendelian-sampling variances

    D_ii = 1/2 - (F_s + F_d)/4   both parents known
    D_ii = 3/4 - F_p/4           one parent p known
    D_ii = 1                     no parent known,

so that |A| = prod D_ii, and A^-1 = (I - P)' D^-1 (I - P) with P_{i,s_i} = P_{i,d_i} = 1/2
(Henderson 1976, with Quaas 1976's correction for inbreeding).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from asr_py.errors import PedigreeError
from asr_py.genetics.fgen import Fgen, check_fgen, fgen_arrays, line_inbreeding
from asr_py.genetics.relmatrix import RelMatrix
from asr_py.genetics.selfing import (
    check_selfing,
    parent_weights,
    selfed,
    selfed_inbreeding,
    selfed_mendelian,
)
from asr_py.genetics.unknown_codes import looks_like_code, warn_code_like_founders

__all__ = ["prepare_pedigree", "inbreeding", "ainverse", "amatrix"]

_NA = pd.NA
#: as asreml's ``ainverse(mv = c("NA", "0", "*"))``, plus an empty field
DEFAULT_UNKNOWN: tuple[Any, ...] = (0, "0", "", _NA, "*", "NA")

#: amatrix() refuses pedigrees larger than this (a dense n x n float64 is 8 n^2 bytes).
AMATRIX_MAX = 20_000


# ---------------------------------------------------------------------------------------------
# preparing a pedigree
# ---------------------------------------------------------------------------------------------
@dataclass
class _Ped:
    """A prepared pedigree: the frame plus integer parent indices (-1 = unknown)."""

    frame: pd.DataFrame
    ids: np.ndarray  # object array of str, sorted order
    sire: np.ndarray  # int64, index of sire or -1
    dam: np.ndarray  # int64
    generation: np.ndarray  # int64
    n_added: int = 0  # founders added for parents not listed as animals


def _is_na(x: Any) -> bool:
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def _code_text(x: Any) -> str:
    """Text of an id or unknown code; integral floats lose their '.0' (1306.0 -> '1306')."""
    if isinstance(x, (float, np.floating)) and float(x).is_integer():
        return str(int(x))
    return str(x).strip()


def _as_text(col: pd.Series, unknown_text: set[str]) -> np.ndarray:
    """Column -> object array of stripped strings, with None for missing/unknown codes."""
    s = col
    if pd.api.types.is_float_dtype(s.dtype):
        vals = s.to_numpy(dtype=float, na_value=np.nan)
        ok = ~np.isnan(vals)
        if np.all(np.equal(np.mod(vals[ok], 1), 0)):
            s = s.astype("Int64")
        else:
            # one non-integral value (206.1) must not turn every id into '203.0': each
            # value as R writes it (203, 206.1), so parents still match animals
            out = np.array([None if np.isnan(v) else _code_text(v) for v in vals],
                           dtype=object)
            unk = np.isnan(vals) | np.isin(out, list(unknown_text))
            out[unk] = None
            return out
    na = s.isna().to_numpy()
    txt = s.astype("string").str.strip()
    out = np.asarray(txt.to_numpy(dtype=object, na_value=None), dtype=object)
    unk = na | np.isin(out, list(unknown_text))
    out[unk] = None
    return out


def _column(df: pd.DataFrame, name: Any, pos: int, role: str) -> pd.Series:
    if name is None:
        return df.iloc[:, pos]
    if name not in df.columns:
        raise PedigreeError(
            f"pedigree has no {role} column {name!r}; columns are {list(df.columns)}",
            hint=f"pass {role}= with one of the column names",
        )
    return df[name]


def _show(xs: Iterable[Any], k: int = 5, quote: bool = True) -> str:
    xs = list(xs)
    more = f" ... ({len(xs)} in all)" if len(xs) > k else ""
    return ", ".join(repr(x) if quote else str(x) for x in xs[:k]) + more


def _find_cycle(remaining: np.ndarray, sire: np.ndarray, dam: np.ndarray) -> list[int]:
    """A cycle among ``remaining`` (bool mask) animals; each has a remaining parent."""
    start = int(np.flatnonzero(remaining)[0])
    order: dict[int, int] = {}
    path: list[int] = []
    v = start
    while v not in order:
        order[v] = len(path)
        path.append(v)
        s, d = int(sire[v]), int(dam[v])
        v = s if (s >= 0 and remaining[s]) else d
    cyc = path[order[v] :]
    # path follows child -> parent; report ancestor -> descendant, closed
    cyc = cyc[::-1]
    return cyc + [cyc[0]]


def _generations(sire: np.ndarray, dam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Generation numbers (longest path from a founder) by layered Kahn sorting.

    Returns (generation, remaining) where ``remaining`` marks animals never reached (they lie
    on or below a loop).
    """
    n = sire.size
    pending = (sire >= 0).astype(np.int64) + (dam >= 0)
    # child lists in CSR form: parent -> children (an animal selfed appears twice)
    par = np.concatenate([sire[sire >= 0], dam[dam >= 0]])
    kid = np.concatenate([np.flatnonzero(sire >= 0), np.flatnonzero(dam >= 0)])
    order = np.argsort(par, kind="stable")
    par, kid = par[order], kid[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(par, minlength=n), out=indptr[1:])
    gen = np.full(n, -1, dtype=np.int64)
    frontier = np.flatnonzero(pending == 0)
    g = 0
    while frontier.size:
        gen[frontier] = g
        starts, ends = indptr[frontier], indptr[frontier + 1]
        counts = ends - starts
        if counts.sum() == 0:
            break
        # gather kid[starts[k]:ends[k]] for all k without a Python loop
        offs = np.repeat(ends - counts.cumsum(), counts) + np.arange(counts.sum())
        kids = kid[offs]
        np.subtract.at(pending, kids, 1)
        frontier = np.unique(kids[pending[kids] == 0])
        g += 1
    return gen, gen < 0


def _roles_hint(both: list[Any], unknown: tuple[Any, ...]) -> str:
    """The roles error's hint; an id that looks like a missing-value code ('.', '-') is
    named first: it is an unknown parent written as text, not a hermaphrodite."""
    codes = [str(b) for b in both if looks_like_code(str(b))]
    base = ("fix the pedigree, or pass check_roles=False for monoecious plants or "
            "hermaphrodites (selfing and reciprocal crosses are then allowed)")
    if not codes:
        return base
    keep = tuple(u for u in unknown if not _is_na(u)) + tuple(codes[:5])
    return (f"{', '.join(repr(c) for c in codes[:5])} looks like a missing-value code: pass "
            f"unknown={keep!r} to read it as an unknown parent; otherwise " + base)


def _prepare(
    pedigree: pd.DataFrame,
    *,
    id: Any = None,
    sire: Any = None,
    dam: Any = None,
    unknown: Iterable[Any] = DEFAULT_UNKNOWN,
    sex: Any = None,
    check_roles: bool = True,
) -> _Ped:
    if not isinstance(pedigree, pd.DataFrame):
        raise PedigreeError(
            f"a pedigree must be a pandas DataFrame, not {type(pedigree).__name__}",
            hint="columns id, sire, dam (the first three by default)",
        )
    if pedigree.shape[1] < 3 and (id is None or sire is None or dam is None):
        raise PedigreeError(
            f"a pedigree needs three columns (id, sire, dam); this one has {pedigree.shape[1]}"
        )
    unknown = (unknown,) if isinstance(unknown, str) else tuple(unknown)  # R: mv = "0"
    unknown_text = {_code_text(u) for u in unknown if not _is_na(u)}

    ids = _as_text(_column(pedigree, id, 0, "id"), unknown_text)
    sires = _as_text(_column(pedigree, sire, 1, "sire"), unknown_text)
    dams = _as_text(_column(pedigree, dam, 2, "dam"), unknown_text)
    sexes = None
    if sex is not None:
        sexes = _as_text(_column(pedigree, sex, -1, "sex"), set())

    bad = np.flatnonzero(pd.isna(ids))
    if bad.size:
        raise PedigreeError(
            f"{bad.size} pedigree row(s) have a missing or unknown-coded animal id "
            f"(rows {_show(bad.tolist())})",
            hint=f"unknown codes are {unknown!r}; an animal needs a real id",
        )

    # ---- duplicates
    frame = pd.DataFrame({"id": ids, "sire": sires, "dam": dams}, dtype=object)
    if sexes is not None:
        frame["sex"] = sexes
    frame = frame.astype(object).where(frame.notna(), None)
    dup_mask = frame["id"].duplicated(keep=False).to_numpy()
    if dup_mask.any():
        key_cols = list(frame.columns)
        sub = frame.loc[dup_mask, key_cols].fillna("\x00")
        n_versions = sub.drop_duplicates().groupby("id", sort=False).size()
        conflict = n_versions[n_versions > 1].index.tolist()
        if conflict:
            first = conflict[0]
            rows = frame.loc[frame["id"] == first, key_cols]
            raise PedigreeError(
                f"{len(conflict)} animal(s) are listed more than once with different parents"
                f"{' or sex' if sexes is not None else ''}: {_show(conflict)}; e.g. "
                f"{first!r} has rows\n{rows.to_string()}",
                hint="keep one row per animal (identical duplicate rows are merged)",
            )
        frame = frame.drop_duplicates(subset="id", keep="first").reset_index(drop=True)

    # ---- parents not listed as animals become founders (order of first appearance)
    listed = pd.Index(frame["id"], dtype=object)
    parents = pd.Series(
        np.column_stack([frame["sire"].to_numpy(), frame["dam"].to_numpy()]).ravel(), dtype=object
    ).dropna()
    new = pd.unique(parents[~parents.isin(listed)].to_numpy())
    if len(new):
        warn_code_like_founders(list(new), parents, unknown)  # s34user: '.', 'NA' as ids
        add = pd.DataFrame({"id": new, "sire": None, "dam": None}, dtype=object)
        if sexes is not None:
            add["sex"] = None
        frame = pd.concat([add, frame], ignore_index=True)
    frame = frame.astype(object).where(frame.notna(), None)

    # ---- roles and sex
    sire_set = pd.unique(frame["sire"].dropna().to_numpy())
    dam_set = pd.unique(frame["dam"].dropna().to_numpy())
    if check_roles:
        both = pd.Index(sire_set, dtype=object).intersection(
            pd.Index(dam_set, dtype=object), sort=False
        ).tolist()
        if both:
            x = both[0]
            kids_s = frame.loc[frame["sire"] == x, "id"].tolist()
            kids_d = frame.loc[frame["dam"] == x, "id"].tolist()
            raise PedigreeError(
                f"{len(both)} id(s) appear as both sire and dam: {_show(both)}; e.g. {x!r} is "
                f"the sire of {_show(kids_s, 3)} and the dam of {_show(kids_d, 3)}",
                hint=_roles_hint(both, unknown),
            )
    if sexes is not None:
        _check_sex(frame, sire_set, dam_set)

    # ---- integer parents, loops, sorting
    index = pd.Index(frame["id"], dtype=object)
    s_idx = index.get_indexer(pd.Index(frame["sire"], dtype=object))
    d_idx = index.get_indexer(pd.Index(frame["dam"], dtype=object))
    s_idx = np.where(frame["sire"].isna().to_numpy(), -1, s_idx).astype(np.int64)
    d_idx = np.where(frame["dam"].isna().to_numpy(), -1, d_idx).astype(np.int64)
    gen, remaining = _generations(s_idx, d_idx)
    if remaining.any():
        cyc = _find_cycle(remaining, s_idx, d_idx)
        names = [str(frame["id"].iat[k]) for k in cyc]
        err = PedigreeError(
            "the pedigree has a loop: an animal is its own ancestor: "
            + " -> ".join(names)
            + f" (each is a parent of the next; {int(remaining.sum())} animal(s) on or below "
            "loops)",
            hint="check these animals' sire and dam entries for typing errors",
        )
        err.cycle = names  # type: ignore[attr-defined]
        raise err

    order = np.argsort(gen, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    s_new = np.where(s_idx >= 0, rank[np.maximum(s_idx, 0)], -1)[order]
    d_new = np.where(d_idx >= 0, rank[np.maximum(d_idx, 0)], -1)[order]
    out = frame.iloc[order].reset_index(drop=True)
    out["generation"] = gen[order]
    cols = ["id", "sire", "dam", "generation"] + (["sex"] if sexes is not None else [])
    out = out[cols]
    return _Ped(
        frame=out,
        ids=out["id"].to_numpy(dtype=object),
        sire=s_new.astype(np.int64),
        dam=d_new.astype(np.int64),
        generation=gen[order],
        n_added=len(new),
    )


def _check_sex(frame: pd.DataFrame, sire_set: np.ndarray, dam_set: np.ndarray) -> None:
    """Sires must share one sex code and dams another (codes inferred from the majority)."""
    sex_of = pd.Series(frame["sex"].to_numpy(), index=pd.Index(frame["id"], dtype=object))
    s_sex = sex_of.reindex(pd.Index(sire_set, dtype=object)).dropna()
    d_sex = sex_of.reindex(pd.Index(dam_set, dtype=object)).dropna()
    if s_sex.empty or d_sex.empty:
        return
    male = s_sex.value_counts().index[0]
    female = d_sex.value_counts().index[0]
    if male == female:
        raise PedigreeError(
            f"sires and dams have the same recorded sex {male!r} in the sex column",
            hint="check the sex column and its coding",
        )
    bad_s = s_sex[s_sex != male]
    bad_d = d_sex[d_sex != female]
    if len(bad_s) or len(bad_d):
        parts = []
        if len(bad_s):
            parts.append(
                f"used as sire but sex is not {male!r}: "
                + _show((f"{i!r} (sex {v!r})" for i, v in bad_s.items()), quote=False)
            )
        if len(bad_d):
            parts.append(
                f"used as dam but sex is not {female!r}: "
                + _show((f"{i!r} (sex {v!r})" for i, v in bad_d.items()), quote=False)
            )
        raise PedigreeError(
            "parents whose recorded sex contradicts their role; " + "; ".join(parts),
            hint=f"most sires have sex {male!r} and most dams {female!r}",
        )


def prepare_pedigree(
    pedigree: pd.DataFrame,
    *,
    id: Any = None,
    sire: Any = None,
    dam: Any = None,
    unknown: Iterable[Any] = DEFAULT_UNKNOWN,
    sex: Any = None,
    check_roles: bool = True,
) -> pd.DataFrame:
    """Check a pedigree and return it sorted so that parents precede offspring.

    Args:
        pedigree: DataFrame with animal, sire and dam columns (the first three by default).
        id, sire, dam: column names, if not the first three columns.
        unknown: codes meaning "parent unknown" (missing values always are). Integral floats
            are read as integers, so a column read as 1306.0 matches the id '1306'.
        sex: optional column name; then every sire must carry the sires' (majority) sex code
            and every dam the dams' code.
        check_roles: raise if an id is both a sire and a dam (pass False for plants).

    Returns a new DataFrame with columns ``id``, ``sire``, ``dam`` (strings; None for unknown),
    ``generation`` (0 for founders, else 1 + the largest parent generation) and ``sex`` if
    given. Parents not listed as animals are added first as founders; identical duplicate rows
    are merged. The input is never modified.

    Raises PedigreeError for: an animal that is its own ancestor (the loop is listed, and kept
    as ``err.cycle``), an id used as both sire and dam, a parent whose sex contradicts its
    role, an id listed twice with different parents, a missing animal id.
    """
    return _prepare(
        pedigree, id=id, sire=sire, dam=dam, unknown=unknown, sex=sex, check_roles=check_roles
    ).frame


# ---------------------------------------------------------------------------------------------
# inbreeding
# ---------------------------------------------------------------------------------------------
def _mendelian_var(sire: np.ndarray, dam: np.ndarray, F: np.ndarray,
                   selfing: float | None = None) -> np.ndarray:
    """D_ii = 1/2 - (F_s+F_d)/4, 3/4 - F_p/4 or 1 (see module docstring); with ``selfing``
    s, 1 - (1 + s²)(1 + F_p)/4 for an animal open to selfing (:mod:`.selfing`)."""
    fs = np.where(sire >= 0, F[np.maximum(sire, 0)], 0.0)
    fd = np.where(dam >= 0, F[np.maximum(dam, 0)], 0.0)
    ks = sire >= 0
    kd = dam >= 0
    D = np.ones(sire.size)
    both = ks & kd
    D[both] = 0.5 - 0.25 * (fs[both] + fd[both])
    one = ks ^ kd
    D[one] = 0.75 - 0.25 * (fs[one] + fd[one])
    if selfing is not None:
        k = selfed(sire, dam)
        D[k] = selfed_mendelian(fs[k], selfing)
    return D


#: Largest "active set" (animals with offspring still to come) handled by the dense method.
DENSE_WIDTH = 4000


def _last_offspring_gen(sire: np.ndarray, dam: np.ndarray, gen: np.ndarray) -> np.ndarray:
    """Generation of each animal's youngest offspring (-1 for none)."""
    last = np.full(gen.size, -1, dtype=np.int64)
    for par in (sire, dam):
        k = par >= 0
        np.maximum.at(last, par[k], gen[k])
    return last


def _active_width(sire: np.ndarray, dam: np.ndarray, gen: np.ndarray) -> int:
    """Largest number of animals alive as parents while a generation is built.

    Animal a is needed from its own generation up to the generation before its last offspring;
    while generation g is built the window holds those animals plus generation g itself.
    """
    n = gen.size
    if n == 0:
        return 0
    last = _last_offspring_gen(sire, dam, gen)
    G = int(gen.max()) + 2
    diff = np.zeros(G + 1, dtype=np.int64)
    has = last > gen
    np.add.at(diff, gen[has], 1)
    np.add.at(diff, last[has], -1)
    alive = np.cumsum(diff)[:G]  # alive[g]: kept after step g (has offspring after g)
    size = np.bincount(gen, minlength=G)
    width = size[1:G] + alive[: G - 1]  # during step g: previous alive + generation g
    return int(max(width.max(initial=0), size[0]))


def _sparse_cost(
    sire: np.ndarray, dam: np.ndarray, limit: float, k: int = 32, seed: int = 0
) -> float:
    """Estimated work of the sparse method: sampled ancestor-path counts x distinct pairs.

    Stops early (returning > limit) once the estimate passes ``limit``.
    """
    n = sire.size
    both = (sire >= 0) & (dam >= 0)
    keys = np.unique(sire[both] * n + dam[both])
    if keys.size == 0:
        return 0.0
    smp = np.random.default_rng(seed).choice(keys, min(k, keys.size), replace=False)
    P = _parent_matrix(sire, dam)
    an = np.concatenate([smp // n, smp % n])
    V = sp.csr_matrix((np.ones(an.size), (np.arange(an.size), an)), shape=(an.size, n))
    scale = keys.size / smp.size
    work = float(V.nnz)
    while V.nnz and work * scale <= limit:
        V = V @ P
        work += V.nnz
    return work * scale


def _parent_matrix(sire: np.ndarray, dam: np.ndarray,
                   selfing: float | None = None) -> sp.csr_matrix:
    """P with P[i, s_i] = P[i, d_i] = 1/2 (summed when s_i = d_i); with ``selfing`` s,
    (1 + s)/2 for the known parent of an animal open to selfing."""
    n = sire.size
    ks, kd = sire >= 0, dam >= 0
    ws, wd = parent_weights(sire, dam, selfing)
    rows = np.concatenate([np.flatnonzero(ks), np.flatnonzero(kd)])
    cols = np.concatenate([sire[ks], dam[kd]])
    P = sp.csr_matrix((np.concatenate([ws[ks], wd[kd]]), (rows, cols)), shape=(n, n))
    P.sum_duplicates()
    return P


def _inbreeding_arrays(
    sire: np.ndarray,
    dam: np.ndarray,
    gen: np.ndarray,
    *,
    dense_width: int = DENSE_WIDTH,
    method: str = "auto",
    selfing: float | None = None,
    fgen: Fgen | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Inbreeding F and Mendelian variances D for a sorted pedigree.

    Two exact methods: the tabular method on a sliding window of the animals that still have
    offspring to come (cost ~ window width x number of parents; good for deep, narrow
    pedigrees), and the sparse ancestor method of Meuwissen & Luo (1992) (cost ~ ancestor
    paths; good for wide, shallow ones). 'auto' picks the cheaper by an estimate. With
    ``selfing`` (asreml's partial selfing, :mod:`.selfing`) the sparse method, whose P
    carries the known parent's weight (1 + s)/2; with ``fgen`` (inbred lines,
    :mod:`.fgen`) too.
    """
    if sire.size == 0:
        return np.zeros(0), np.ones(0)
    if selfing is not None or fgen is not None:
        return _inbreeding_sparse(sire, dam, gen, selfing=selfing, fgen=fgen)
    if method == "auto":
        width = _active_width(sire, dam, gen)
        method = "sparse"
        if width <= dense_width:
            n_parents = int((_last_offspring_gen(sire, dam, gen) > gen).sum())
            window_cost = float(width) * n_parents
            if _sparse_cost(sire, dam, window_cost) > window_cost:
                method = "window"
    if method == "window":
        F = _inbreeding_window(sire, dam, gen)
        return F, _mendelian_var(sire, dam, F)
    return _inbreeding_sparse(sire, dam, gen)


def _inbreeding_window(sire: np.ndarray, dam: np.ndarray, gen: np.ndarray) -> np.ndarray:
    """F by the tabular method restricted to animals that are still to be parents.

    A dense matrix has one slot per animal of the window W (older animals with offspring still
    to come). For the animals N of generation g: F = A_{s d}/2 from the parents' slots; those
    with later offspring get free slots, filled as A[N, W] = (A[s_N, W] + A[d_N, W])/2, A[N, N]
    likewise and A_ii = 1 + A_{s d}/2. Slots of animals with no later offspring are reused.
    Entries of free slots hold stale numbers that are never read for a pair of live animals.
    """
    n = gen.size
    F = np.zeros(n)
    last = _last_offspring_gen(sire, dam, gen)
    cap = max(_active_width(sire, dam, gen), 1)
    A = np.zeros((cap, cap))
    slot_of = np.full(n, -1, dtype=np.int64)
    owner = np.full(cap, -1, dtype=np.int64)  # animal in each slot (-1 = free)
    bounds = np.searchsorted(gen, np.arange(gen.max() + 2))
    for g in range(int(gen.max()) + 1):
        new = np.arange(bounds[g], bounds[g + 1])
        s, d = sire[new], dam[new]
        ms, md = s >= 0, d >= 0
        ps = np.where(ms, slot_of[np.maximum(s, 0)], 0)
        pd_ = np.where(md, slot_of[np.maximum(d, 0)], 0)
        asd = np.where(ms & md, A[ps, pd_], 0.0)
        F[new] = 0.5 * asd
        # slots of animals with no offspring after g are reused: every read of A (B, asd)
        # happens before the writes below
        kn = np.flatnonzero(last[new] > g)
        live = owner >= 0
        leaving = live & (last[np.maximum(owner, 0)] <= g)
        free = np.flatnonzero(~live | leaving)
        if kn.size > free.size:  # pragma: no cover - cap is the exact peak width
            raise RuntimeError("inbreeding window overflow")
        slots = free[: kn.size]
        sk, dk, msk, mdk = ps[kn], pd_[kn], ms[kn], md[kn]
        B = 0.5 * (A[sk] * msk[:, None] + A[dk] * mdk[:, None])  # |kn| x cap
        within = 0.5 * (B[:, sk].T * msk[:, None] + B[:, dk].T * mdk[:, None])
        within = 0.5 * (within + within.T)
        within[np.diag_indices_from(within)] = 1.0 + 0.5 * asd[kn]
        B[:, slots] = within
        A[slots, :] = B
        A[:, slots] = B.T
        owner[leaving] = -1
        owner[slots] = new[kn]
        slot_of[new[kn]] = slots
    return F


def _inbreeding_sparse(
    sire: np.ndarray, dam: np.ndarray, gen: np.ndarray, *, chunk: int = 2048,
    selfing: float | None = None, fgen: Fgen | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Inbreeding by the sparse ancestor method.

    F_i = A_{s,d}/2 with A_{s,d} = sum_k L_sk L_dk D_k (Meuwissen & Luo 1992: the ancestors of
    s and d weighted by their Mendelian variances). The rows of L for the parents of one
    generation are found together by propagating e_s' up the pedigree, L_s' = e_s'(I + P +
    P^2 + ...), as sparse products, so work is proportional to the ancestor counts with no
    Python loop over animals. Generations are processed in order, so the D_k needed are known.
    """
    n = sire.size
    F = np.zeros(n)
    D = np.ones(n)
    if n == 0:
        return F, D
    P = _parent_matrix(sire, dam, selfing)
    both = (sire >= 0) & (dam >= 0)
    self_ = selfed(sire, dam) if selfing is not None else np.zeros(n, dtype=bool)
    Fc = np.zeros(n)            # inbred lines (fgen): the cross's F; D_ii grows by F_i - Fc_i
    if fgen is not None:
        F[~both] = line_inbreeding(np.zeros(int((~both).sum())), fgen, ~both)

    def mendel(lo: int, hi: int) -> np.ndarray:
        D_ = _mendelian_var(sire[lo:hi], dam[lo:hi], F, selfing)
        return D_ + (F[lo:hi] - Fc[lo:hi]) if fgen is not None else D_

    bounds = np.searchsorted(gen, np.arange(gen.max() + 2))  # gen is sorted
    for g in range(1, int(gen.max()) + 1):
        lo_prev, lo, hi = bounds[g - 1], bounds[g], bounds[g + 1]
        D[lo_prev:lo] = mendel(lo_prev, lo)
        sk = lo + np.flatnonzero(self_[lo:hi])
        if sk.size:
            F[sk] = selfed_inbreeding(F[sire[sk]], selfing)  # type: ignore[arg-type]
        kids = lo + np.flatnonzero(both[lo:hi])
        if kids.size == 0:
            continue
        key = sire[kids] * n + dam[kids]
        upair, inv = np.unique(key, return_inverse=True)
        ps, pd_ = upair // n, upair % n
        Fpair = np.empty(upair.size)
        for c0 in range(0, upair.size, chunk):
            cs, cd = ps[c0 : c0 + chunk], pd_[c0 : c0 + chunk]
            par, pos = np.unique(np.concatenate([cs, cd]), return_inverse=True)
            L = _ancestor_rows(par, P)
            Ls, Ld = L[pos[: cs.size]], L[pos[cs.size :]]
            Fpair[c0 : c0 + chunk] = 0.5 * (Ls.multiply(Ld) @ D)
        Fc[kids] = Fpair[inv]
        F[kids] = Fc[kids] if fgen is None else line_inbreeding(Fc[kids], fgen, kids)
    lo = bounds[int(gen.max())]
    D[lo:] = mendel(lo, n)
    return F, D


def _ancestor_rows(animals: np.ndarray, P: sp.csr_matrix) -> sp.csr_matrix:
    """Rows of L = (I - P)^-1 for ``animals``: sum over k of e' P^k (CSR, k x n)."""
    k, n = animals.size, P.shape[0]
    V = sp.csr_matrix((np.ones(k), (np.arange(k), animals)), shape=(k, n))
    r, c, v = [np.arange(k)], [animals], [np.ones(k)]
    while True:
        V = V @ P
        if V.nnz == 0:
            break
        coo = V.tocoo()
        r.append(coo.row)
        c.append(coo.col)
        v.append(coo.data)
    L = sp.csr_matrix(
        (np.concatenate(v), (np.concatenate(r), np.concatenate(c))), shape=(k, n)
    )
    L.sum_duplicates()
    return L


def _fgen_of(pedigree: pd.DataFrame, ped: _Ped, fgen: Any, selfing: float | None,
             opts: dict[str, Any]) -> Fgen | None:
    """The inbred-line levels of ``fgen`` (:mod:`.fgen`) for the prepared pedigree."""
    spec = check_fgen(fgen)
    if spec is None:
        return None
    if selfing is not None:
        raise PedigreeError("selfing= and fgen= together: asreml takes one or the other",
                            hint="selfing for open-pollinated seed, fgen for inbred lines")
    col, implicit = spec
    if col not in pedigree.columns:
        raise PedigreeError(f"fgen names the column '{col}', which the pedigree does not have;"
                            f" columns are {list(pedigree.columns)}",
                            hint="the column of selfing levels (0 a cross, 1 selfed once, ...)")
    unknown = opts.get("unknown", DEFAULT_UNKNOWN)
    unknown = (unknown,) if isinstance(unknown, str) else tuple(unknown)
    ids = _as_text(_column(pedigree, opts.get("id"), 0, "id"),
                   {_code_text(u) for u in unknown if not _is_na(u)})
    vals = pd.Series(pd.to_numeric(pedigree[col], errors="coerce").to_numpy(dtype=float),
                     index=pd.Index(ids, dtype=object))
    vals = vals[~vals.index.duplicated()]
    return fgen_arrays(vals, np.isin(ped.ids, ids), (ped.sire >= 0) | (ped.dam >= 0),
                       implicit, ped.ids, col)


def inbreeding(pedigree: pd.DataFrame, *, selfing: float | None = None, fgen: Any = None,
               **opts: Any) -> pd.Series:
    """Inbreeding coefficients F (Meuwissen & Luo 1992), by id in sorted pedigree order.

    ``opts`` go to :func:`prepare_pedigree`. F_i = A_{s_i d_i}/2 (0 if a parent is unknown;
    with ``selfing`` s, s (1 + F_p)/2 when only the sire p is known, :mod:`.selfing`; with
    ``fgen`` inbred lines, :mod:`.fgen`).
    """
    selfing = check_selfing(selfing)
    ped = _prepare(pedigree, **opts)
    F, _ = _inbreeding_arrays(ped.sire, ped.dam, ped.generation, selfing=selfing,
                              fgen=_fgen_of(pedigree, ped, fgen, selfing, opts))
    return pd.Series(F, index=pd.Index(ped.ids, dtype=object, name="id"), name="F")


# ---------------------------------------------------------------------------------------------
# A-inverse and A
# ---------------------------------------------------------------------------------------------
def ainverse(pedigree: pd.DataFrame, *, selfing: float | None = None, fgen: Any = None,
             **opts: Any) -> RelMatrix:
    """Sparse A-inverse by Henderson's rules with Quaas' inbreeding correction.

    With d_i = 1/D_ii (module docstring), animal i adds d_i to (i,i); with both parents known
    -d_i/2 to (i,s), (s,i), (i,d), (d,i) and d_i/4 to (s,s), (d,d), (s,d), (d,s); with one
    parent p known -d_i/2 to (i,p), (p,i) and d_i/4 to (p,p). ``selfing`` = s (asreml's
    ``selfing``; default None, asreml's NA): an animal whose sire is known and dam unknown
    was selfed with probability s, so its sire's weight 1/2 becomes w = (1 + s)/2 (-w d_i,
    w² d_i) and D_ii = 1 - (1 + s²)(1 + F_p)/4 (:mod:`asr_py.genetics.selfing`). ``fgen``
    = ("col", f) (asreml's ``fgen = list("col", f)``): inbred lines, the column giving each
    cross's selfing generations t (F_i = 1 - (1 - A_sd/2)/2^t, D_ii larger by F_i - A_sd/2)
    or a base individual's F in (0, 1), implicit individuals F = f
    (:mod:`asr_py.genetics.fgen`). ``opts`` go to :func:`prepare_pedigree`.

    Returns a RelMatrix (kind 'Ainv', inverse=True, csc) in sorted pedigree order, with
    ``logdet`` = log|A| = sum_i log D_ii and ``inbreeding`` = F.
    """
    selfing = check_selfing(selfing)
    ped = _prepare(pedigree, **opts)
    s, d, n = ped.sire, ped.dam, ped.ids.size
    F, D = _inbreeding_arrays(s, d, ped.generation, selfing=selfing,
                              fgen=_fgen_of(pedigree, ped, fgen, selfing, opts))
    w = 1.0 / D
    wts, wtd = parent_weights(s, d, selfing)
    i = np.arange(n)
    ks, kd = s >= 0, d >= 0
    both = ks & kd
    rr = [i]
    cc = [i]
    vv = [w]
    for known, par, wt in ((ks, s, wts), (kd, d, wtd)):  # animal-parent, parent-parent(self)
        a, p, wa, c = i[known], par[known], w[known], wt[known]
        rr += [a, p, p]
        cc += [p, a, p]
        vv += [-c * wa, -c * wa, c * c * wa]
    wb = w[both] * wts[both] * wtd[both]
    rr += [s[both], d[both]]
    cc += [d[both], s[both]]
    vv += [wb, wb]
    M = sp.coo_matrix(
        (np.concatenate(vv), (np.concatenate(rr), np.concatenate(cc))), shape=(n, n)
    ).tocsc()
    M.sum_duplicates()
    M.eliminate_zeros()
    index = pd.Index(ped.ids, dtype=object, name="id")
    return RelMatrix(
        matrix=M,
        ids=tuple(ped.ids),
        inverse=True,
        logdet=float(np.log(D).sum()),
        inbreeding=pd.Series(F, index=index, name="F"),
        kind="Ainv",
        info={"n_animals": n, "n_founders_added": ped.n_added,
              **({"selfing": selfing} if selfing is not None else {})},
    )


def amatrix(pedigree: pd.DataFrame, *, max_animals: int = AMATRIX_MAX,
            selfing: float | None = None, fgen: Any = None, **opts: Any) -> RelMatrix:
    """Dense numerator relationship matrix A by the tabular method.

    A_ij = (A_{j s_i} + A_{j d_i})/2 for j older than i, A_ii = 1 + A_{s_i d_i}/2, unknown
    parents contributing 0; computed a whole generation at a time. With ``selfing`` s (see
    :func:`ainverse`) an animal with only its sire p known has A_ij = (1 + s)/2 A_pj and
    A_ii = 1 + s A_pp/2; with ``fgen`` (inbred lines) A_ii = 1 + F_i of :func:`ainverse`.
    ``opts`` go to :func:`prepare_pedigree`. Refuses more than
    ``max_animals`` animals (A is dense, 8 n^2 bytes): use :func:`ainverse` for large
    pedigrees.
    """
    selfing = check_selfing(selfing)
    ped = _prepare(pedigree, **opts)
    n = ped.ids.size
    if n > max_animals:
        raise PedigreeError(
            f"amatrix() builds a dense {n} x {n} matrix ({8 * n * n / 1e9:.1f} GB); the limit "
            f"is max_animals={max_animals}",
            hint="use ainverse(pedigree), which is sparse, or raise max_animals=",
        )
    s, d, gen = ped.sire, ped.dam, ped.generation
    fg = _fgen_of(pedigree, ped, fgen, selfing, opts)
    wts, wtd = parent_weights(s, d, selfing)
    self_ = selfed(s, d) if selfing is not None else np.zeros(n, dtype=bool)
    A = np.zeros((n, n))
    bounds = np.searchsorted(gen, np.arange(gen.max() + 2)) if n else np.zeros(1, int)
    for g in range(int(gen.max()) + 1 if n else 0):
        lo, hi = bounds[g], bounds[g + 1]
        sg, dg = s[lo:hi], d[lo:hi]
        ms = ((sg >= 0) * wts[lo:hi])[:, None]
        md = ((dg >= 0) * wtd[lo:hi])[:, None]
        ss, dd = np.maximum(sg, 0), np.maximum(dg, 0)
        # block against older animals, then within the generation
        blk = A[ss, :lo] * ms + A[dd, :lo] * md
        A[lo:hi, :lo] = blk
        A[:lo, lo:hi] = blk.T
        within = A[ss, lo:hi] * ms + A[dd, lo:hi] * md
        within = 0.5 * (within + within.T)
        asd = np.where((sg >= 0) & (dg >= 0), A[ss, dd], 0.0)
        # selfed with probability s: F_i = s (1 + F_p)/2 = s A_pp/2 (asreml's selfing)
        asd = np.where(self_[lo:hi], (selfing or 0.0) * A[ss, ss], asd)
        Fi = 0.5 * asd if fg is None else line_inbreeding(0.5 * asd, fg, slice(lo, hi))
        within[np.diag_indices_from(within)] = 1.0 + Fi
        A[lo:hi, lo:hi] = within
    F = np.diag(A) - 1.0
    D = _mendelian_var(s, d, F, selfing)
    if fg is not None:          # D_ii grows by F_i - F_cross (fgen.py)
        both = (s >= 0) & (d >= 0)
        D += F - np.where(both, 0.5 * A[np.maximum(s, 0), np.maximum(d, 0)], 0.0)
    index = pd.Index(ped.ids, dtype=object, name="id")
    return RelMatrix(
        matrix=A,
        ids=tuple(ped.ids),
        inverse=False,
        logdet=float(np.log(D).sum()),
        inbreeding=pd.Series(F, index=index, name="F"),
        kind="A",
        info={"n_animals": n},
    )
