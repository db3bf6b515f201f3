"""asremlPlus's PSA.27 data (fetched asremlplus_psa27.csv, from asremlPlus's .rda, GPL)
as R's factors hold it: Lane and Position with levels in numeric order."""
from __future__ import annotations

import pandas as pd
from _fetched import fetched


def psa27() -> pd.DataFrame:
    """The PSA.27 frame, response renamed ``PSA``; rows with a missing response kept."""
    df = pd.read_csv(fetched("asremlplus_psa27.csv"), dtype={"Lane": str, "Position": str})
    df = df.rename(columns={"PSA.27": "PSA"})
    for c in ("Lane", "Position"):  # levels in numeric order, as R's factor of the .rda
        df[c] = pd.Categorical(df[c], categories=sorted(df[c].unique(), key=int))
    return df
