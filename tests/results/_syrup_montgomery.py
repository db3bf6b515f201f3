"""Montgomery's example 9-1 (5th edn), the syrup-loss 3^3 factorial with 2 replicates, as
asremlPlus's test*PredictionsPresentation.r build it (dae's fac.gen(..., each = 2), then
ordered by SpeedPress and WSpeedPress)."""

from __future__ import annotations

import numpy as np
import pandas as pd

_LOSS = np.array([-35, -25, -45, -60, -40, 15, 110, 75, -10, 30, 80, 54, 4, 5, -40, -30, 31,
                  36, 17, 24, -65, -58, 20, 4, 55, 120, -55, -44, 110, 44, -23, -5, -64, -62,
                  -20, -31, -39, -35, -55, -67, 15, -30, 90, 113, -28, -26, 110, 135, -30,
                  -55, -61, -52, 54, 4], dtype=float) + 70


def _syrup() -> pd.DataFrame:
    """dae's fac.gen(list(Nozzle, Pressure, Speed), each = 2) with the script's Loss."""
    rows = [(n, p, s) for n in "ABC" for p in (10, 15, 20) for s in (100, 120, 140)
            for _ in range(2)]
    d = pd.DataFrame(rows, columns=["Nozzle", "Pressure", "Speed"]).astype(str)
    d["Loss"] = _LOSS
    d["SpeedPress"] = d["Speed"] + "," + d["Pressure"]
    d["WSpeedPress"] = (d.groupby("SpeedPress").cumcount() + 1).astype(str)
    return d.sort_values(["SpeedPress", "WSpeedPress"]).reset_index(drop=True)
