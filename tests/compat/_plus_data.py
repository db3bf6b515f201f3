"""asremlPlus's Wheat and Oats data (fetched asremlplus_wheat.csv, asremlplus_oats.csv)
as the compat tests read them, factors as text, and the models its tests fit to them; each
call reads a fresh frame, so a test that changes it changes no other test's."""

from __future__ import annotations

import pandas as pd
from _fetched import fetched

#: the Wheat data's factor columns
WHEAT_FACTORS = ("Rep", "Row", "Column", "WithinColPairs", "Variety")

#: asremlPlus's maximal Wheat model (its test41REMLRTIC.r and test41ChangeModelOnIC.r)
WHEAT_MAXIMAL = dict(fixed="yield ~ Rep + WithinColPairs + Variety",
                     random="~ Row + Column + units", residual="~ ar1(Row):ar1(Column)")


def wheat_data() -> pd.DataFrame:
    """A fresh copy of the Wheat data, factors as text."""
    return pd.read_csv(fetched("asremlplus_wheat.csv"), dtype=dict.fromkeys(WHEAT_FACTORS, str))


#: the Oats data's factor columns
OATS_FACTORS = ("Blocks", "Wplots", "Subplots", "Variety", "Nitrogen")

#: asremlPlus's Oats split plot (its test42alldiffsasr.r, test41LSDs.r, ...)
OATS_SPLIT_PLOT = dict(fixed="Yield ~ Nitrogen*Variety", random="~ Blocks/Wplots")


def oats_data() -> pd.DataFrame:
    """A fresh copy of the Oats data, factors as text."""
    return pd.read_csv(fetched("asremlplus_oats.csv"), dtype=dict.fromkeys(OATS_FACTORS, str))
