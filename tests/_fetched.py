"""Data taken from fetched public repositories: read from a local copy, never committed.

The workplace rule (the search tool's README, Notes) keeps what ``fetch`` brings in out of
commits, data included. ``scripts/fetched_data.py`` builds the copy from the mirrors into
``$ASR_FETCHED_DATA`` (default ``/work/.fetched_data``); a test that needs a file skips
without it (CI has none)."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT = "/work/.fetched_data"

#: file -> the public repository it comes from (recipes: scripts/fetched_data.py)
SOURCES: dict[str, str] = {
    **{f"agridat_{n}.csv": "kwstat/agridat" for n in (
        "archbold_apple", "besag_elbatan", "besag_triticale", "box_cork", "bridges_cucumber",
        "burgueno_alpha", "burgueno_rowcol", "butron_maize", "damesa_maize", "durban_rowcol",
        "gilmour_slatehall", "harris_wateruse", "hildebrand_systems", "ilri_sheep",
        "john_alpha", "kempton_slatehall", "kenward_cattle", "lonnquist_maize", "stroup_nin",
        "stroup_splitplot", "vsn_lupin3", "weiss_incblock", "weiss_lattice")},
    "harvey.csv": "kwstat/agridat",
    "harvey.ped.csv": "kwstat/agridat",
    "barrero_maize_2000_2001.csv": "kwstat/agridat",
    **{f"bayesreml_barrero_m2_{w}.csv": "AAGI-AUS/bayesreml"
       for w in ("vcomp", "fixed", "random_every50")},
    **{f"asremlplus_{n}": "briencj/asremlPlus" for n in (
        "local851.csv", "wheat.csv", "waterrunoff.csv", "oats.csv", "psa27.csv",
        "chkpea_biomass.csv", "wheat94.csv", "longit.csv", "testDiffs.rda")},
    **{f"biometryassist_w2_{n}.csv": "biometryhub/biometryassist"
       for n in ("exercise6", "example7", "exercise11", "exercise13", "exercise14")},
    **{f"biometryassist_w2_{n}.csv": "cran/biometryassist"
       for n in ("example1", "example3", "example4", "exercise12", "exercise15")},
    "biometryassist_oats.csv": "biometryhub/biometryassist",
    "vsnc_grassUV.csv": "VSNC/vsnc",
    "vsnc_wheat.csv": "VSNC/vsnc",
    "vsnc_oats.csv": "VSNC/vsnc",
    "trainingmm_example_1.csv": "AparicioJohan/trainingMM",
    "trainingmm_example_2.csv": "AparicioJohan/trainingMM",
    "fieldsimr_s11_pheno_df.RData": "crWerner/fieldsimr",
    "lmmtools_WheatData.csv": "mpeddu/lmmtools",
    "covardat_alzheimers.txt": "kwstat/covardat",
    "covardat_alzheimers.csv": "kwstat/covardat",
    "lizard_vsni_course.txt": "RaissaKrupek/Mixed_Models",
    "salmon_uk_vsni_course.txt": "RaissaKrupek/Mixed_Models",
    "aafun_prspa_spacing3.csv": "yzhlinscau/AAfun",
    "jane_ogtt_hr.csv": "AaronRendahl/Jane-asreml-modeling",
    "jane_asreml3_predict_time.csv": "AaronRendahl/Jane-asreml-modeling",
    "blups_gge_gart.csv": "isabellajchiara/BLUPs_and_GGE",
    "blups_gge_gart_asreml.csv": "isabellajchiara/BLUPs_and_GGE",
    "alfalfa_blue_geno_records.csv": "Breeding-Insight/alfalfa_BLUE",
    "nlme_rail.csv": "vincentarelbundock/Rdatasets",
    "saulo_fa_outs.R": "saulo-chaves/May_b_useful",
}


def fetched_dir() -> Path:
    """Where the local copy lives: ``$ASR_FETCHED_DATA``, else /work/.fetched_data."""
    return Path(os.environ.get("ASR_FETCHED_DATA") or DEFAULT)


def fetched(name: str) -> Path:
    """The local copy of ``name`` (a key of SOURCES); skips the calling test when absent."""
    if name not in SOURCES:
        raise KeyError(f"{name!r} is not a file of tests/_fetched.py SOURCES "
                       "(add it there and a recipe to scripts/fetched_data.py)")
    p = fetched_dir() / name
    if not p.is_file():
        import pytest  # here: benchmarks import fetched_dir() without pytest

        pytest.skip(f"{name}: data from a fetched public repository {SOURCES[name]} — not "
                    "committed (workplace rule); build the local copy with "
                    "scripts/fetched_data.py")
    return p
