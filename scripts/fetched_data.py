"""Build the local copy of the test data taken from fetched public repositories.

The workplace rule (the search tool's README, Notes): what ``fetch`` brings in is kept out of
commits. These data sets come from public GitHub repositories fetched into
``/work/.mirror/owner+name/`` (or ``$ASR_MIRROR``); the tests read them through
``tests/_fetched.py`` from ``$ASR_FETCHED_DATA`` (default ``/work/.fetched_data``) and skip
without them. This script rebuilds that directory from the mirrors, one recipe per file (the
column selections, subsets and renames of tests/data/README.md), and with ``--check`` compares
each built file value by value with the copy the repository held until commit ``HISTORY``.

    python scripts/fetched_data.py                  # build /work/.fetched_data
    python scripts/fetched_data.py --out DIR --check
    python scripts/fetched_data.py --history-fallback   # a file whose mirror is missing is
                                                        # copied from git history (local only)
"""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
#: the last commit of main that held the files in the tree (removed on branch s31fetched)
HISTORY = "e1e10dd"
MIRROR = Path(os.environ.get("ASR_MIRROR", "/work/.mirror"))
DEFAULT_OUT = Path(os.environ.get("ASR_FETCHED_DATA", "/work/.fetched_data"))


class MissingSource(RuntimeError):
    """The mirror (or the file in it) a recipe reads is not on this machine."""


def blob(repo: str, path: str, commit: str = "HEAD") -> bytes:
    """The bytes of ``path`` at ``commit`` in the mirror of ``repo`` ('owner/name')."""
    git_dir = MIRROR / repo.replace("/", "+") / "repo"
    if not git_dir.is_dir():
        raise MissingSource(f"no mirror of {repo} at {git_dir} (fetch github:{repo})")
    r = subprocess.run(["git", "--git-dir", str(git_dir), "show", f"{commit}:{path}"],
                       capture_output=True)
    if r.returncode:
        raise MissingSource(f"{repo}@{commit}:{path}: {r.stderr.decode().strip()}")
    return r.stdout


def history(path: str) -> bytes:
    """The bytes of ``path`` (a repository path) at commit HISTORY of this repository."""
    r = subprocess.run(["git", "-C", str(ROOT), "show", f"{HISTORY}:{path}"], capture_output=True)
    if r.returncode:
        raise MissingSource(f"{HISTORY}:{path}: {r.stderr.decode().strip()}")
    return r.stdout


def r_objects(data: bytes, suffix: str = ".rda") -> dict[str, pd.DataFrame]:
    """The data frames of an .rda/.RData/.rds file (pyreadr)."""
    import pyreadr

    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / f"x{suffix}"
        p.write_bytes(data)
        return dict(pyreadr.read_r(str(p)))


def tsv_to_csv(data: bytes, rename: dict[str, str] | None = None) -> pd.DataFrame:
    """agridat's/covardat's tab-separated .txt (quoted strings, NA) as a frame of text."""
    d = pd.read_csv(io.BytesIO(data), sep="\t", dtype=str, keep_default_na=False)
    d = d.replace("NA", "")
    return d.rename(columns=rename or {})


def csv_bytes(d: pd.DataFrame, float_format: str | None = None) -> bytes:
    return d.to_csv(index=False, lineterminator="\n", float_format=float_format).encode()


def r_write_csv(d: pd.DataFrame) -> bytes:
    """As R's ``write.csv(d, row.names = FALSE)``: text quoted, numbers to 15 digits."""
    def cell(v: object, num: bool) -> str:
        return f"{v:.15g}" if num else f'"{v}"'
    num = [pd.api.types.is_numeric_dtype(d[c]) for c in d.columns]
    lines = [",".join(f'"{c}"' for c in d.columns)]
    lines += [",".join(cell(v, k) for v, k in zip(row, num)) for row in d.itertuples(index=False)]
    return ("\n".join(lines) + "\n").encode()


@dataclass(frozen=True)
class Recipe:
    """How one file is built: its repository (owner/name), the commit read, the builder."""

    name: str
    repo: str
    commit: str
    build: Callable[[], bytes]
    old: str   # its path in this repository at HISTORY

    @property
    def where(self) -> str:
        return f"{self.repo}@{self.commit}"


RECIPES: list[Recipe] = []


def recipe(name: str, repo: str, commit: str, old: str = "tests/data"):
    def deco(fn: Callable[[str, str], bytes]) -> Callable[[str, str], bytes]:
        RECIPES.append(Recipe(name, repo, commit, lambda: fn(repo, commit), f"{old}/{name}"))
        return fn
    return deco


def copy(name: str, repo: str, commit: str, path: str, old: str = "tests/data") -> None:
    RECIPES.append(Recipe(name, repo, commit, lambda: blob(repo, path, commit), f"{old}/{name}"))


# ----- kwstat/agridat (MIT) -------------------------------------------------------------------

AGRIDAT, AGRIDAT_AT = "kwstat/agridat", "5919e3f"
_CRLF = {"besag_elbatan", "durban_rowcol", "archbold_apple"}
for _n in ("kempton_slatehall", "john_alpha", "bridges_cucumber", "hildebrand_systems",
           "ilri_sheep", "box_cork", "burgueno_alpha", "gilmour_slatehall", "damesa_maize",
           "stroup_nin", "besag_triticale", "vsn_lupin3", "butron_maize", "burgueno_rowcol",
           "lonnquist_maize", "weiss_lattice", "weiss_incblock", "kenward_cattle",
           "besag_elbatan", "durban_rowcol", "archbold_apple", "stroup_splitplot",
           "harris_wateruse"):
    def _agridat(repo: str, commit: str, n: str = _n) -> bytes:
        raw = blob(repo, f"data/{n.replace('_', '.')}.txt", commit)
        if n in _CRLF:   # session 29 kept the text of each cell, with Windows line ends
            return csv_bytes(tsv_to_csv(raw)).replace(b"\n", b"\r\n")
        d = pd.read_csv(io.BytesIO(raw), sep="\t")   # numbers as pandas writes them
        if n == "stroup_splitplot":
            d = d.rename(columns={"Y": "y"})
        if n == "harris_wateruse":
            d = d[(d["age"] == "A2") & (d["species"] == "S2")]
        return csv_bytes(d)
    recipe(f"agridat_{_n}.csv", AGRIDAT, AGRIDAT_AT)(_agridat)


def _harvey_lsmeans(commit: str) -> pd.DataFrame:
    return tsv_to_csv(blob(AGRIDAT, "data/harvey.lsmeans.txt", commit))


@recipe("harvey.csv", AGRIDAT, AGRIDAT_AT, "tests/translate/holdout/pages/data")
def _harvey(repo: str, commit: str) -> bytes:
    """asreml's harvey from agridat's harvey.lsmeans: ageOfDam = the number of damage (A3 -> 3),
    y1 = weanage, y2 = weight, y3 = 100 adg, dams unknown (0)."""
    h = _harvey_lsmeans(commit)
    y3 = (h["adg"].astype(float) * 100).round().astype(int)
    d = pd.DataFrame({"Calf": h["calf"], "Sire": h["sire"], "Dam": 0, "Line": h["line"],
                      "ageOfDam": h["damage"].str[1:].astype(int), "y1": h["weanage"],
                      "y2": h["weight"], "y3": y3})
    return csv_bytes(d)


@recipe("harvey.ped.csv", AGRIDAT, AGRIDAT_AT, "tests/translate/holdout/pages/data")
def _harvey_ped(repo: str, commit: str) -> bytes:
    """The sires (first appearance order), then the calves with their sire; unknown = 0."""
    h = _harvey_lsmeans(commit)
    sires = pd.DataFrame({"Calf": pd.unique(h["sire"]), "Sire": 0, "Dam": 0})
    calves = pd.DataFrame({"Calf": h["calf"], "Sire": h["sire"], "Dam": 0})
    return csv_bytes(pd.concat([sires, calves]))


@recipe("barrero_maize_2000_2001.csv", AGRIDAT, AGRIDAT_AT)
def _barrero(repo: str, commit: str) -> bytes:
    """bayesreml's scripts/ET-01-asreml.R m2 data: years 2000-2001, its columns, na.omit()."""
    d = pd.read_csv(io.BytesIO(blob(repo, "data/barrero.maize.txt", commit)), sep="\t",
                    dtype=str, keep_default_na=False)
    d = d[d["year"].isin(["2000", "2001"])]
    keep = ["year", "loc", "env", "rep", "gen", "yield"]
    d = d[keep][~(d[keep] == "NA").any(axis=1)]
    return csv_bytes(d[["env", "gen", "yield"]])


# ----- AAGI-AUS/bayesreml (GPL): ASReml-R tidy() tables it records ----------------------------

BAYESREML, BAYESREML_AT = "AAGI-AUS/bayesreml", "821fae0"


def _tidy(commit: str, what: str) -> pd.DataFrame:
    rds = blob(BAYESREML, f"outputs/01-asreml-barrero-maize-m2-{what}.rds", commit)
    return next(iter(r_objects(rds, ".rds").values()))


for _w in ("vcomp", "fixed"):
    def _bayes(repo: str, commit: str, w: str = _w) -> bytes:
        return csv_bytes(_tidy(commit, w), "%.10g")
    recipe(f"bayesreml_barrero_m2_{_w}.csv", BAYESREML, BAYESREML_AT)(_bayes)


@recipe("bayesreml_barrero_m2_random_every50.csv", BAYESREML, BAYESREML_AT)
def _bayes_random(repo: str, commit: str) -> bytes:
    r = _tidy(commit, "random")
    rows = sorted(set(range(0, len(r), 50)) | {len(r) - 1})
    return csv_bytes(r.iloc[rows], "%.10g")


# ----- briencj/asremlPlus (MIT + file LICENSE) ------------------------------------------------

PLUS, PLUS_AT = "briencj/asremlPlus", "b936278"
_PLUS = {   # name: (rda path, object, columns or None for all)
    "asremlplus_local851.csv": ("tests/testthat/data/local851.rda", "site2",
                                ["Row", "Col", "Control", "Check", "New", "tch"]),
    "asremlplus_wheat.csv": ("data/Wheat.dat.rda", "Wheat.dat",
                             ["Rep", "Row", "Column", "WithinColPairs", "Variety", "yield"]),
    "asremlplus_waterrunoff.csv": ("data/WaterRunoff.dat.rda", "WaterRunoff.dat",
                                   ["Benches", "MainPlots", "SubPlots", "Date", "Sources",
                                    "Species", "Type", "pH"]),
    "asremlplus_oats.csv": ("data/Oats.dat.rda", "Oats.dat", None),
    "asremlplus_psa27.csv": ("tests/testthat/data/PSA.27.dat.rda", "PSA.27.dat",
                             ["Lane", "Position", "PSA.27"]),
    "asremlplus_chkpea_biomass.csv": ("tests/testthat/data/chkpeadat.rda", "chkpea.dat",
                                      ["Smarthouse", "Lines", "TRT", "Biomass.plant"]),
    "asremlplus_wheat94.csv": ("tests/testthat/data/wheat94.dat.rda", "wheat94.dat",
                               ["yield", "Variety", "Block", "Rowcode", "Colcode", "Row", "Col"]),
    "asremlplus_longit.csv": ("tests/testthat/data/longit.dat.rda", "longit.dat",
                              ["Block", "Cart", "DAP", "xDAP", "Treatments", "Area"]),
}
for _name, (_path, _obj, _cols) in _PLUS.items():
    def _plus(repo: str, commit: str, path: str = _path, obj: str = _obj,
              cols: list[str] | None = _cols) -> bytes:
        objs = r_objects(blob(repo, path, commit))
        d = objs[obj] if obj in objs else next(iter(objs.values()))
        if cols is None:   # Oats.dat was written by R's write.csv: text quoted
            return r_write_csv(d)
        return csv_bytes(d[cols])
    recipe(_name, PLUS, PLUS_AT)(_plus)
copy("asremlplus_testDiffs.rda", PLUS, PLUS_AT, "inst/extdata/testDiffs.rda",
     "tests/translate/data")


# ----- biometryassist (MIT + file LICENSE): w2_data.Rdata, oats_data.Rdata --------------------

_W2 = {"biometryhub/biometryassist": ("efd60ee", ["exercise6", "example7", "exercise11",
                                                   "exercise13", "exercise14"]),
       "cran/biometryassist": ("c6efad4", ["example1", "example3", "example4", "exercise12",
                                            "exercise15"])}
for _repo, (_at, _objs) in _W2.items():
    for _o in _objs:
        def _w2(repo: str, commit: str, o: str = _o) -> bytes:
            return csv_bytes(r_objects(blob(repo, "tests/testthat/data/w2_data.Rdata", commit),
                                       ".Rdata")[o])
        recipe(f"biometryassist_w2_{_o}.csv", _repo, _at)(_w2)


@recipe("biometryassist_oats.csv", "biometryhub/biometryassist", "efd60ee")
def _ba_oats(repo: str, commit: str) -> bytes:
    objs = r_objects(blob(repo, "tests/testthat/data/oats_data.Rdata", commit), ".Rdata")
    return csv_bytes(next(iter(objs.values())))


# ----- VSNC/vsnc (GPL-3): asreml's example data -----------------------------------------------

for _n, _o in (("vsnc_grassUV.csv", "grassUV"), ("vsnc_wheat.csv", "wheat"),
               ("vsnc_oats.csv", "oats")):
    def _vsnc(repo: str, commit: str, o: str = _o) -> bytes:
        return csv_bytes(r_objects(blob(repo, f"data/{o}.rda", commit))[o])
    recipe(_n, "VSNC/vsnc", "e0083ce")(_vsnc)


# ----- other repositories -------------------------------------------------------------------



@recipe("trainingmm_example_1.csv", "AparicioJohan/trainingMM", "24f5460")
def _tmm1(repo: str, commit: str) -> bytes:
    return csv_bytes(pd.read_csv(io.BytesIO(blob(repo, "data/example_1.csv", commit))))


copy("trainingmm_example_2.csv", "AparicioJohan/trainingMM", "24f5460", "data/example_2.csv")
copy("fieldsimr_s11_pheno_df.RData", "crWerner/fieldsimr", "7335473",
     "code-papers/FieldSimR_frontiers/pheno_df.RData")
copy("lmmtools_WheatData.csv", "mpeddu/lmmtools", "266563c", "inst/extdata/WheatData.csv",
     "tests/translate/data")
copy("covardat_alzheimers.txt", "kwstat/covardat", "08f62c1", "data/alzheimers.txt",
     "tests/translate/data")
copy("lizard_vsni_course.txt", "RaissaKrupek/Mixed_Models", "89ea064",
     "Introduction Course VSNi/Datasets/LIZARD/LIZARD.TXT", "tests/translate/data")
copy("salmon_uk_vsni_course.txt", "RaissaKrupek/Mixed_Models", "89ea064",
     "Material/Session03/SALMON_UK.txt", "tests/translate/data")


@recipe("covardat_alzheimers.csv", "kwstat/covardat", "08f62c1")
def _alz(repo: str, commit: str) -> bytes:
    d = pd.read_csv(io.BytesIO(blob(repo, "data/alzheimers.txt", commit)), sep="\t")
    return csv_bytes(d)


@recipe("aafun_prspa_spacing3.csv", "yzhlinscau/AAfun", "85ff44d", "tests/translate/data")
def _prspa(repo: str, commit: str) -> bytes:
    d = r_objects(blob(repo, "data/PrSpa.rda", commit))["PrSpa"]
    d = d[d["Spacing"].astype(str) == "3"]
    return csv_bytes(d[["TreeID", "Rep", "Fam", "dj", "h3", "h5"]])


JANE, JANE_AT = "AaronRendahl/Jane-asreml-modeling", "f56afc4"


@recipe("jane_ogtt_hr.csv", JANE, JANE_AT)
def _jane_ogtt(repo: str, commit: str) -> bytes:
    d = pd.read_csv(io.BytesIO(blob(repo, "OST_R_asreml_NS_hr.csv", commit)))
    return csv_bytes(d[["Number_ID", "time", "glucose", "insulin"]])


@recipe("jane_asreml3_predict_time.csv", JANE, JANE_AT)
def _jane_pred(repo: str, commit: str) -> bytes:
    d = pd.read_csv(io.BytesIO(blob(repo, "results-fit.csv", commit)))
    d = d[d["var"] == "time_only"].assign(time=lambda x: x["time"].round(6))
    return csv_bytes(d[["response", "time", "predicted.value", "standard.error"]], "%.15g")


BLUPS, BLUPS_AT = "isabellajchiara/BLUPs_and_GGE", "c840be8"


@recipe("blups_gge_gart.csv", BLUPS, BLUPS_AT)
def _gart(repo: str, commit: str) -> bytes:
    """BLUPs.R's yield: as.numeric(factor(yield)), the code of the yield text among all the
    file's sorted distinct yield strings (R's factor() of read.csv's numbers: numeric order)."""
    d = pd.read_csv(io.BytesIO(blob(repo, "KelvinData.csv", commit)))
    d.columns = ["name", "loc", "year", "rep", "yield"]
    levels = np.sort(d["yield"].unique())
    d["yield"] = np.searchsorted(levels, d["yield"]) + 1
    return csv_bytes(d[d["loc"] == "GART"][["name", "year", "rep", "yield"]])


@recipe("blups_gge_gart_asreml.csv", BLUPS, BLUPS_AT)
def _gart_asreml(repo: str, commit: str) -> bytes:
    d = pd.read_excel(io.BytesIO(blob(repo, "BLUPsTwoStep.xlsx", commit)))
    return csv_bytes(d[d["loc"] == "GART"][["name", "yield", "se"]], "%.10g")


ALFALFA, ALFALFA_AT = "Breeding-Insight/alfalfa_BLUE", "f88c708"


@recipe("alfalfa_blue_geno_records.csv", ALFALFA, ALFALFA_AT)
def _alfalfa(repo: str, commit: str) -> bytes:
    raw = pd.read_csv(io.BytesIO(blob(repo, "data/raw/input_meng.csv", commit)),
                      encoding="utf-8-sig", na_values=[".", "na"])
    g = raw.groupby("geno_id_Meng", sort=True)
    d = pd.DataFrame({"n22": g["spread_22"].count(), "n23": g["spread_23"].count(),
                      "mean22": g["spread_22"].mean(), "mean23": g["spread_23"].mean()})
    pv = pd.read_csv(io.BytesIO(blob(repo, "data/processed/blue_2phase_results.csv", commit)))
    d["in_asreml_pvals"] = d.index.isin(pv["geno_id_Meng"]).astype(int)
    return csv_bytes(d.reset_index().round(3))


@recipe("nlme_rail.csv", "vincentarelbundock/Rdatasets", "1c97ab8")
def _rail(repo: str, commit: str) -> bytes:
    """Rdatasets' csv/nlme/Rail.csv without its row names; without that mirror, nlme's Rail
    from the R installed here (the same 18 records)."""
    try:
        d = pd.read_csv(io.BytesIO(blob(repo, "csv/nlme/Rail.csv", commit)))
        d = d[["Rail", "travel"]]
    except MissingSource as e:
        print(f"nlme_rail.csv: {e}; nlme::Rail of the R installed here instead", file=sys.stderr)
        r = subprocess.run(["Rscript", "-e", "d <- as.data.frame(nlme::Rail); "
                            "d$Rail <- as.integer(as.character(d$Rail)); "
                            "write.csv(d[, c('Rail', 'travel')], row.names = FALSE, "
                            "quote = FALSE)"], capture_output=True)
        if r.returncode:
            raise MissingSource(f"no mirror of {repo} and no R nlme: {r.stderr.decode()}") from e
        d = pd.read_csv(io.BytesIO(r.stdout))
    return csv_bytes(d)


# ----- saulo-chaves/May_b_useful (no licence stated): the fa.outs() many MET scripts source ---

copy("saulo_fa_outs.R", "saulo-chaves/May_b_useful", "4d81810", "fa_outs.R")


# ----- build and check ------------------------------------------------------------------------

def same_values(new: bytes, old: bytes, name: str) -> str:
    """'bytes' when identical, 'values' when every cell agrees (text exactly, numbers to
    1e-9 relative: the committed files round some floats to 10 digits), else what differs."""
    if new == old:
        return "bytes"
    if not name.endswith((".csv", ".txt")):
        return "differ (binary)"
    sep = "\t" if name.endswith(".txt") else ","
    a = pd.read_csv(io.BytesIO(new), sep=sep)
    b = pd.read_csv(io.BytesIO(old), sep=sep)
    if list(a.columns) != list(b.columns) or a.shape != b.shape:
        return f"differ (columns/shape {list(a.columns)} {a.shape} vs {list(b.columns)} {b.shape})"
    for c in a.columns:
        x, y = a[c], b[c]
        if pd.api.types.is_numeric_dtype(x) and pd.api.types.is_numeric_dtype(y):
            ok = np.allclose(x.to_numpy(float), y.to_numpy(float), rtol=1e-9, atol=0,
                             equal_nan=True)
        else:
            ok = x.astype(str).tolist() == y.astype(str).tolist()
        if not ok:
            return f"differ (column {c})"
    return "values"


def _against_history(data: bytes, r: Recipe) -> str:
    """:func:`same_values` against the copy at HISTORY; a file added later has none."""
    try:
        return same_values(data, history(r.old), r.name)
    except MissingSource:
        return "no copy (added after it)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true",
                    help=f"compare with the files at commit {HISTORY} of this repository")
    ap.add_argument("--history-fallback", action="store_true",
                    help=f"copy a file from commit {HISTORY} when its recipe cannot run here")
    ap.add_argument("--match", default="", help="only the files whose name matches this regex")
    a = ap.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    bad = 0
    for r in RECIPES:
        if not re.search(a.match, r.name):
            continue
        try:
            data, how = r.build(), f"built from {r.where}"
        except MissingSource as e:
            if not a.history_fallback:
                print(f"{r.name}: NOT BUILT ({e})")
                bad += 1
                continue
            data, how = history(r.old), f"copied from git {HISTORY}:{r.old} ({e})"
        (a.out / r.name).write_bytes(data)
        verdict = f"; {HISTORY}: {_against_history(data, r)}" if a.check else ""
        bad += "differ" in verdict
        print(f"{r.name}: {how}{verdict}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
