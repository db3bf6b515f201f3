"""Benchmark problems for ``benchmarks/run_all.py``: seeded simulators and data loaders.

Every problem is a :class:`Problem` whose ``build(quick)`` returns an :class:`Instance`: the
keyword arguments of ``asr.asreml``, a one-line size, the peers' recorded times (seconds) and,
for models lme4 can fit, an lme4 formula with the data it needs. ``quick=True`` scales the
simulated sizes down (for CI and the smoke test). A problem whose data are not available
raises :class:`MissingData` with a note.

Simulators (all seeded, ``numpy.random.default_rng(seed)``):

* :func:`simulate_pedigree` - random mating over discrete generations;
* :func:`simulate_animal_data` - two traits with additive genetic values from the pedigree
  (Mendelian sampling), residual correlation, a fraction of trait-2 records missing;
* :func:`simulate_markers` / :func:`simulate_gblup_data` - SNP genotypes 0/1/2 and one or two
  traits with marker-based genetic values;
* :func:`simulate_crossed` - two (or three) crossed random factors with unbalanced random
  assignment;
* :func:`simulate_two_stage` - genotype-by-environment means with prior weights 1/se².
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
for _p in (ROOT, ROOT / "benchmarks"):  # asr_py from this checkout; bench_fits beside us
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

#: ridge added to genomic relationship matrices (VanRaden's G is singular: G 1 = 0)
G_RIDGE = 0.01
#: what sommer's mmer took for the bivariate cpdata GBLUP on this machine (lead's record)
SOMMER_CPDATA_S = 6.3


class MissingData(RuntimeError):
    """The data a problem needs are not available (the message says what is missing)."""


@dataclass
class Instance:
    """One built problem: what to fit and what to compare with."""

    kwargs: dict[str, Any]
    size: str
    peers: dict[str, float] = field(default_factory=dict)
    lme4_formula: str | None = None
    lme4_data: pd.DataFrame | None = None
    lme4_factors: list[str] = field(default_factory=list)


@dataclass
class Problem:
    """A named benchmark problem; ``build(quick)`` makes the instance."""

    name: str
    description: str
    build: Callable[[bool], Instance]


# ---------------------------------------------------------------------------------------
# simulators
# ---------------------------------------------------------------------------------------
def simulate_pedigree(n_animals: int, n_gen: int, *, n_sires: int | None = None,
                      seed: int = 1) -> pd.DataFrame:
    """Pedigree of ``n_animals`` in ``n_gen`` equal discrete generations (columns id, sire,
    dam, sex, gen; unknown parent '0'). Generation 0 are founders; each later animal gets a
    random sire among ``n_sires`` males and a random dam among the females of the previous
    generation, so relationships and some inbreeding accumulate. Rows in birth order."""
    rng = np.random.default_rng(seed)
    per = n_animals // n_gen
    n = per * n_gen
    n_sires = n_sires or max(2, per // 50)
    ids = np.arange(1, n + 1)
    gen = np.repeat(np.arange(n_gen), per)
    male = rng.random(n) < 0.5
    sire = np.zeros(n, dtype=np.int64)
    dam = np.zeros(n, dtype=np.int64)
    for g in range(1, n_gen):
        prev = gen == g - 1
        males = ids[prev & male]
        males = rng.choice(males, size=min(n_sires, males.size), replace=False)
        females = ids[prev & ~male]
        kids = gen == g
        sire[kids] = rng.choice(males, size=int(kids.sum()))
        dam[kids] = rng.choice(females, size=int(kids.sum()))
    return pd.DataFrame({"id": ids.astype(str), "sire": sire.astype(str),
                         "dam": dam.astype(str), "sex": np.where(male, "M", "F"), "gen": gen})


def simulate_animal_data(ped: pd.DataFrame, *, missing: float = 0.2,
                         seed: int = 2) -> pd.DataFrame:
    """Two traits for every animal of ``simulate_pedigree``'s output (columns id, sex, y1, y2).

    Breeding values a_i = (a_sire + a_dam)/2 + m_i, m_i ~ N(0, w_i G0) with w_i = 1/2, 3/4
    or 1 for two, one or no known parents (inbreeding ignored), G0 = [[1, .5], [.5, 2]];
    residual R0 = [[2, .6], [.6, 3]]; sex effects; a fraction ``missing`` of y2 is NaN."""
    rng = np.random.default_rng(seed)
    g0 = np.array([[1.0, 0.5], [0.5, 2.0]])
    r0 = np.array([[2.0, 0.6], [0.6, 3.0]])
    n = len(ped)
    index = {k: i for i, k in enumerate(ped["id"])}
    s = np.array([index.get(x, -1) for x in ped["sire"]])
    d = np.array([index.get(x, -1) for x in ped["dam"]])
    a = np.zeros((n, 2))
    lg = np.linalg.cholesky(g0)
    for g in np.unique(ped["gen"].to_numpy()):
        rows = np.flatnonzero(ped["gen"].to_numpy() == g)
        ks, kd = s[rows] >= 0, d[rows] >= 0
        w = 1.0 - 0.25 * ks - 0.25 * kd
        mean = 0.5 * (np.where(ks[:, None], a[s[rows]], 0.0)
                      + np.where(kd[:, None], a[d[rows]], 0.0))
        a[rows] = mean + np.sqrt(w)[:, None] * (rng.standard_normal((rows.size, 2)) @ lg.T)
    e = rng.standard_normal((n, 2)) @ np.linalg.cholesky(r0).T
    male = (ped["sex"] == "M").to_numpy()
    y = np.array([10.0, 20.0]) + np.outer(male, [1.0, -0.5]) + a + e
    y2 = y[:, 1].copy()
    y2[rng.random(n) < missing] = np.nan
    return pd.DataFrame({"id": ped["id"].to_numpy(), "sex": ped["sex"].to_numpy(),
                         "y1": y[:, 0], "y2": y2})


def simulate_markers(n_lines: int, n_snps: int, *, seed: int = 3) -> pd.DataFrame:
    """Genotypes 0/1/2 (n_lines x n_snps, Hardy-Weinberg with p ~ U(0.05, 0.5)) as a
    DataFrame with an ``id`` column ('L1', ...) then one column per SNP."""
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.05, 0.5, n_snps)
    m = rng.binomial(2, p, size=(n_lines, n_snps)).astype(np.int8)
    df = pd.DataFrame(m, columns=[f"snp{j + 1}" for j in range(n_snps)])
    df.insert(0, "id", [f"L{i + 1}" for i in range(n_lines)])
    return df


def simulate_gblup_data(markers: pd.DataFrame, *, n_traits: int = 2, h2: float = 0.5,
                        seed: int = 4) -> pd.DataFrame:
    """One record per line: columns id, y1[, y2]. Genetic values are sums of normal SNP
    effects (traits correlated 0.5), scaled to heritability ``h2``."""
    rng = np.random.default_rng(seed)
    m = np.array(markers.drop(columns="id").to_numpy(dtype=float))
    m -= m.mean(axis=0)
    cor = np.array([[1.0, 0.5], [0.5, 1.0]])[:n_traits, :n_traits]
    b = rng.standard_normal((m.shape[1], n_traits)) @ np.linalg.cholesky(cor).T
    g = m @ b
    g /= g.std(axis=0)
    e = rng.standard_normal(g.shape) * np.sqrt((1 - h2) / h2)
    out = pd.DataFrame({"id": markers["id"].to_numpy()})
    for t in range(n_traits):
        out[f"y{t + 1}"] = 100.0 + 10.0 * (g[:, t] + e[:, t])
    return out


def simulate_crossed(n: int, levels_a: int, levels_b: int, *, levels_c: int = 0,
                     seed: int = 5) -> pd.DataFrame:
    """``n`` records with factors a (``levels_a``) and b (``levels_b``) assigned at random
    (every level used), y = 5 + a + b + e with variances 1, 0.5 and 2. With ``levels_c`` > 0 a
    third crossed factor c (variance 0.25) is drawn after the others (a and b's draws and so
    the two-factor data are unchanged by the argument's existence) and added to y."""
    rng = np.random.default_rng(seed)
    ia = np.concatenate([np.arange(levels_a), rng.integers(0, levels_a, n - levels_a)])
    ib = np.concatenate([np.arange(levels_b), rng.integers(0, levels_b, n - levels_b)])
    ia, ib = rng.permutation(ia), rng.permutation(ib)
    y = (5.0 + rng.normal(0, 1.0, levels_a)[ia] + rng.normal(0, np.sqrt(0.5), levels_b)[ib]
         + rng.normal(0, np.sqrt(2.0), n))
    out = {"a": _labels("a", ia, levels_a), "b": _labels("b", ib, levels_b)}
    if levels_c:
        ic = rng.permutation(np.concatenate([np.arange(levels_c),
                                             rng.integers(0, levels_c, n - levels_c)]))
        y = y + rng.normal(0, 0.5, levels_c)[ic]
        out["c"] = _labels("c", ic, levels_c)
    return pd.DataFrame({**out, "y": y})


def _labels(prefix: str, codes: np.ndarray, k: int) -> pd.Series:
    """The column [f"{prefix}{i}" for i in codes] with the dtype pandas gives such a list,
    made by a take from the k level labels (no per-record string objects: at 10^6 records
    the list of strings held ~100 MB of the benchmark child's peak after it was freed)."""
    return pd.Series(pd.Series([f"{prefix}{i}" for i in range(k)]).array.take(codes))


def simulate_two_stage(n_gen: int, n_env: int, *, seed: int = 6) -> pd.DataFrame:
    """Stage-2 data of a two-stage analysis: one mean per genotype and environment (columns
    gen, env, y, w) with weights w = 1/se², se² ~ U(0.2, 2) (unequal replication);
    y = env + gen + e, e ~ N(0, se²)."""
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(n_gen), n_env)
    e = np.tile(np.arange(n_env), n_gen)
    se2 = rng.uniform(0.2, 2.0, g.size)
    y = (10.0 + rng.normal(0, 2.0, n_env)[e] + rng.normal(0, 1.0, n_gen)[g]
         + rng.normal(size=g.size) * np.sqrt(se2))
    return pd.DataFrame({"gen": [f"g{i}" for i in g], "env": [f"e{i}" for i in e], "y": y,
                         "w": 1.0 / se2})


# ---------------------------------------------------------------------------------------
# problems
# ---------------------------------------------------------------------------------------
def _reference(model_id: str, lme4: str | None, factors: list[str]) -> Problem:
    def build(quick: bool) -> Instance:
        import bench_fits

        kw = dict(bench_fits.reference_cases())[model_id]
        data = kw["data"]
        words = set(re.findall(r"\w+", lme4 or ""))
        cols = [c for c in data.columns if c in words]
        return Instance(kwargs=kw, size=f"{len(data)} rows", peers=bench_fits.peer_times(model_id),
                        lme4_formula=lme4,
                        lme4_data=data[cols] if lme4 else None, lme4_factors=factors)
    return Problem(model_id, f"reference model {model_id} (shared/reference)", build)


def _animal(quick: bool) -> Instance:
    import asr_py as asr

    n, gens = (500, 5) if quick else (50_000, 10)
    ped = simulate_pedigree(n, gens, seed=11)
    df = simulate_animal_data(ped, seed=12)
    ainv = asr.ainverse(ped[["id", "sire", "dam"]])
    kw = dict(fixed="cbind(y1, y2) ~ trait + trait:sex", random="~ us(trait):vm(id, Ainv)",
              residual="~ units:us(trait)", data=df, Ainv=ainv)
    miss = int(df["y2"].isna().sum())
    return Instance(kw, f"{len(ped)} animals, {gens} gen, 2 traits, {miss} y2 missing")


def _gblup(n_traits: int) -> Callable[[bool], Instance]:
    def build(quick: bool) -> Instance:
        import asr_py as asr

        n, m = (200, 300) if quick else (2_000, 1_000)
        mk = simulate_markers(n, m, seed=21)
        df = simulate_gblup_data(mk, n_traits=n_traits, seed=22)
        G = asr.gmatrix(mk, coding="012", ridge=G_RIDGE)
        if n_traits == 1:
            kw = dict(fixed="y1 ~ 1", random="~ vm(id, G)", data=df, G=G)
        else:
            kw = dict(fixed="cbind(y1, y2) ~ trait", random="~ us(trait):vm(id, G)",
                      residual="~ units:us(trait)", data=df, G=G)
        return Instance(kw, f"{n} lines, {m} SNPs, {n_traits} trait(s)")
    return build


def _gblup_psd(reps: int) -> Callable[[bool], Instance]:
    """GBLUP on a centred G without a ridge (rank min(n − 1, m): singular), fitted exactly as
    positive semi-definite; one record per line takes the eigen path, two the MME path
    (K = L L', asr_py.reml.psd)."""
    def build(quick: bool) -> Instance:
        import asr_py as asr

        n, m = (200, 300) if quick else (2_000, 1_000)
        mk = simulate_markers(n, m, seed=21)
        df = simulate_gblup_data(mk, n_traits=1, seed=22)
        if reps > 1:
            rng = np.random.default_rng(23)
            df = pd.concat([df.assign(y1=df["y1"] + 5.0 * rng.standard_normal(len(df)))
                            for _ in range(reps)], ignore_index=True)
        G = asr.gmatrix(mk, coding="012")
        kw = dict(fixed="y1 ~ 1", random="~ vm(id, G, singG = 'PSD')", data=df, G=G)
        return Instance(kw, f"{n} lines, {m} SNPs, G of rank {min(n - 1, m)}, "
                            f"{reps} record(s) per line")
    return build


def _crossed(quick: bool) -> Instance:
    n, la, lb = (5_000, 50, 250) if quick else (100_000, 1_000, 5_000)
    df = simulate_crossed(n, la, lb, seed=31)
    kw = dict(fixed="y ~ 1", random="~ a + b", data=df)
    return Instance(kw, f"{n} records, {la} x {lb} levels",
                    lme4_formula="y ~ 1 + (1|a) + (1|b)", lme4_data=df, lme4_factors=["a", "b"])


def _two_stage(quick: bool) -> Instance:
    n_gen, n_env = (200, 10) if quick else (2_000, 10)
    df = simulate_two_stage(n_gen, n_env, seed=41)
    kw = dict(fixed="y ~ env", random="~ gen", weights="w", data=df)
    return Instance(kw, f"{len(df)} means, {n_gen} genotypes x {n_env} envs, weights")


def _cpdata(quick: bool) -> Instance:
    import asr_py as asr

    d = SHARED / "data" / "sommer"
    fd, fg = d / "DT_cpdata.csv", d / "GT_cpdata.csv"
    if not (fd.exists() and fg.exists()):
        raise MissingData(f"{fd} / {fg} not found (needs ../shared beside the repo)")
    df = pd.read_csv(fd, dtype={"id": str})
    gt = pd.read_csv(fg, dtype={"id": str})
    if quick:  # the first 120 lines
        df, gt = df.iloc[:120], gt[gt["id"].isin(set(df["id"].iloc[:120]))]
    mk = pd.concat([gt[["id"]], gt.drop(columns="id") + 1.0], axis=1)  # -1/0/1 -> 0/1/2
    G = asr.gmatrix(mk, coding="012", ridge=G_RIDGE)
    kw = dict(fixed="cbind(Yield, color) ~ trait", random="~ us(trait):vm(id, G)",
              residual="~ units:us(trait)", data=df, G=G)
    return Instance(kw, f"{len(df)} lines, {gt.shape[1] - 1} markers, 2 traits",
                    peers={"sommer": SOMMER_CPDATA_S})


PROBLEMS: list[Problem] = [
    _reference("a_example_cs", "Yield ~ Env + (1|Name) + (1|Env:Name)", ["Env", "Name"]),
    _reference("b_example_diag", None, []),
    _reference("c_example_us", "Yield ~ Env + (0 + Env|Name)", ["Env", "Name"]),
    _reference("d_example_bivariate", None, []),
    _reference("g_gryphon_animal", None, []),
    _reference("h_sleepstudy", "Reaction ~ Days + (Days|Subject)", ["Subject"]),
    _reference("i1_penicillin", "diameter ~ 1 + (1|plate) + (1|sample)", ["plate", "sample"]),
    _reference("i2_dyestuff", "Yield ~ 1 + (1|Batch)", ["Batch"]),
    Problem("animal_2trait", "pedigree animal model: us(trait):vm(id, Ainv), units:us(trait); "
            "50 000 animals, 10 generations, 20% of trait 2 missing", _animal),
    Problem("gblup_1trait", "GBLUP vm(id, G), G = gmatrix(2 000 lines x 1 000 SNPs)",
            _gblup(1)),
    Problem("gblup_2trait", "bivariate GBLUP us(trait):vm(id, G), units:us(trait)", _gblup(2)),
    Problem("gblup_psd_eigen", "GBLUP on a singular G (2 000 lines x 1 000 SNPs, no ridge): "
            "vm(id, G, singG = 'PSD'), one record per line (eigen path)", _gblup_psd(1)),
    Problem("gblup_psd_mme", "the same G, two records per line (MME path, K = L L')",
            _gblup_psd(2)),
    Problem("crossed", "crossed random factors: 100 000 records, a (1 000) + b (5 000)",
            _crossed),
    Problem("two_stage_weighted", "stage 2 of a two-stage analysis: y ~ env, ~ gen, "
            "weights = 1/se² (20 000 means, 2 000 genotypes)", _two_stage),
    Problem("cpdata_bivariate", "sommer cpdata: cbind(Yield, color) ~ trait, "
            "us(trait):vm(id, G), units:us(trait)", _cpdata),
]


# ---------------------------------------------------------------------------------------
# the goals of issue 16 (benchmarks/bench_goals.py; not in run_all's default list: minutes)
# ---------------------------------------------------------------------------------------
def simulate_met(n_gen: int, n_env: int, *, seed: int = 7) -> pd.DataFrame:
    """Genotype x environment means (one per cell): y = mu_e + g_ge + e, with Var(g_.e)
    = Λ Λ' + Ψ (two factors, loadings ~ U(0.3, 1.2), Ψ = 0.2) and residual variance 0.5."""
    rng = np.random.default_rng(seed)
    lam = rng.uniform(0.3, 1.2, (n_env, 2)) * np.array([1.0, rng.choice([-1, 1])])
    sig = lam @ lam.T + 0.2 * np.eye(n_env)
    g = rng.standard_normal((n_gen, n_env)) @ np.linalg.cholesky(sig).T
    y = rng.uniform(5, 15, n_env) + g + rng.normal(0, np.sqrt(0.5), (n_gen, n_env))
    gen = np.repeat([f"G{i:04d}" for i in range(n_gen)], n_env)
    env = np.tile([f"E{j:02d}" for j in range(n_env)], n_gen)
    return pd.DataFrame({"gen": gen, "env": env, "y": y.ravel()})


def _animal_n(n: int, traits: int) -> Callable[[bool], Instance]:
    def build(quick: bool) -> Instance:
        import asr_py as asr

        size = max(n // 100, 500) if quick else n
        ped = simulate_pedigree(size, 10, seed=11)
        df = simulate_animal_data(ped, seed=12)
        ainv = asr.ainverse(ped[["id", "sire", "dam"]])
        if traits == 1:
            kw = dict(fixed="y1 ~ sex", random="~ vm(id, Ainv)", data=df, Ainv=ainv)
        else:
            kw = dict(fixed="cbind(y1, y2) ~ trait + trait:sex",
                      random="~ us(trait):vm(id, Ainv)", residual="~ units:us(trait)",
                      data=df, Ainv=ainv)
        return Instance(kw, f"{len(ped)} animals, 10 gen, {traits} trait(s)")
    return build


def _crossed_n(n: int, la: int, lb: int, lc: int = 0) -> Callable[[bool], Instance]:
    """y ~ 1 with crossed a + b (+ c when ``lc``): ``simulate_crossed``, lme4 alongside."""
    def build(quick: bool) -> Instance:
        m, a, b, c = (n // 100, la // 10, lb // 10, lc // 10) if quick else (n, la, lb, lc)
        df = simulate_crossed(m, a, b, levels_c=c, seed=31)
        facs = ["a", "b", "c"] if c else ["a", "b"]
        return Instance(dict(fixed="y ~ 1", random="~ " + " + ".join(facs), data=df),
                        f"{m} records, {' x '.join(str(k) for k in (a, b, c) if k)} levels",
                        lme4_formula="y ~ 1 + " + " + ".join(f"(1|{f})" for f in facs),
                        lme4_data=df, lme4_factors=facs)
    return build


def _met(n_env: int) -> Callable[[bool], Instance]:
    def build(quick: bool) -> Instance:
        n_gen = 100 if quick else 300
        df = simulate_met(n_gen, n_env)
        return Instance(dict(fixed="y ~ env", random="~ us(env):id(gen)", data=df),
                        f"{n_gen} genotypes x {n_env} environments, us(env)")
    return build


GOAL_PROBLEMS: list[Problem] = [
    *[Problem(f"goal_animal1_{k}k", f"univariate animal model, {k} 000 animals",
              _animal_n(k * 1000, 1)) for k in (10, 25, 50, 100, 200, 500, 1000)],
    *[Problem(f"goal_animal2_{k}k", f"bivariate animal model, {k} 000 animals",
              _animal_n(k * 1000, 2)) for k in (10, 25, 50, 100)],
    Problem("goal_crossed_1e5", "crossed y ~ 1 + (1|a) + (1|b), 1e5 records, 1 000 x 5 000",
            _crossed_n(100_000, 1_000, 5_000)),
    Problem("goal_crossed_1e6", "crossed y ~ 1 + (1|a) + (1|b), 1e6 records, 5 000 x 20 000",
            _crossed_n(1_000_000, 5_000, 20_000)),
    # the design, three crossed factors. Level counts of an evaluation's shape: a
    # (e.g. herds or sites, 100-200 records each), b (e.g. sires or items, 20-50 records each:
    # the large, thin factor that makes the MME wide) and c (e.g. year-seasons or raters,
    # 500-1 000 records each); a and c grow with the data (x5) but less than b (x4 at 4x the
    # records per level) and the two-factor problems' a and b are kept.
    Problem("goal_crossed_abc_1e5", "crossed y ~ 1 + (1|a) + (1|b) + (1|c), 1e5 records, "
            "1 000 x 5 000 x 200", _crossed_n(100_000, 1_000, 5_000, 200)),
    Problem("goal_crossed_abc_1e6", "crossed y ~ 1 + (1|a) + (1|b) + (1|c), 1e6 records, "
            "5 000 x 20 000 x 1 000", _crossed_n(1_000_000, 5_000, 20_000, 1_000)),
    Problem("goal_us_env20", "us(env):id(gen), 20 environments, 300 genotypes", _met(20)),
]


def get(name: str) -> Problem:
    """The problem called ``name`` (KeyError listing the names otherwise)."""
    for p in [*PROBLEMS, *GOAL_PROBLEMS]:
        if p.name == name:
            return p
    raise KeyError(f"no problem {name!r}; known: {', '.join(p.name for p in PROBLEMS)}")
