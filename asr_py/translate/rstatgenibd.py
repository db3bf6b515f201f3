"""statgenIBD's (and its predecessor calcIBD's) IBD calculations, which translated scripts
cannot do: ``calcIBD()`` computes identity-by-descent probabilities with a hidden Markov
model from marker genotypes (the ``locfile``), a genetic map (the ``mapfile``) and the
population type (``poptype``: DH, F2, BCx, C4S3, ...); ``getQTL()`` reads them at given
markers. asr_py has no equivalent, so each call gets a TODO that says what to compute in R
and how to bring it in: the probabilities as a CSV, one row per individual, one column per
parent (and position), which the translated script reads with ``pd.read_csv`` in place of
the call. The mixed models fitted on them afterwards are asr_py's as usual.
"""
from __future__ import annotations

__all__ = ["UNAVAILABLE"]

_HOW = ("compute the IBD probabilities in R and save them, e.g. "
        "write.csv(as.data.frame(getQTL(calcIBD(...), markers)), \"ibd.csv\"), then read "
        "that file here in place of the call")

#: function -> (packages it may come from, "|"-separated; the TODO's text): rpkgcalls.py
UNAVAILABLE: dict[str, tuple[str, str]] = {
    "calcIBD": ("statgenIBD|calcIBD",
                "calcIBD() (R package statgenIBD, formerly calcIBD): IBD probabilities from "
                "marker genotypes (locfile), a genetic map (mapfile) and the population type "
                "by a hidden Markov model are not available in asr_py; " + _HOW),
    "getQTL": ("statgenIBD",
               "getQTL() (R package statgenIBD): the IBD probabilities of a calcIBD() "
               "result at given markers are not available in asr_py; " + _HOW),
}
