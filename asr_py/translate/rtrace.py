"""asreml 4's ``fit$trace``: the fit's iteration history as a matrix, one column an
iteration ("1", "2", ...), the row ``LogLik`` holding the REML log-likelihood at each
iteration and one row a variance parameter holding its value there. Scripts print the
LogLik row to see how the fit converged::

    fit$trace |> as.data.frame() |> rownames_to_column('Iteration') |>
      filter(Iteration == 'LogLik') |> print()

(lbmunaro/MTME_ILWheat's HPC_out/03_STSE.z_diag.out records asreml's: columns 1 .. 18,
LogLik 8985.604 at the first, 13255.37 at the last.) The first column is the
log-likelihood at the starting values, as asreml's iteration 1; the log-likelihood is on
asreml's scale (without the 2π constant: ℓ_R + ½ν log 2π, as ``fit$loglik``,
:func:`asr_py.translate.runtime.r_loglik`); the parameters are asr_py's components (the
varcomp table's scale), one row per parameter named as in that table. asr_py's engine may
take a different number of iterations than asreml from the same start.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["r_trace"]


def r_trace(fit: Any) -> pd.DataFrame:
    """``fit$trace``: see the module docstring."""
    if isinstance(fit, Untranslated):
        return fit._use()  # type: ignore[return-value]
    result = getattr(fit, "result", None)
    hist = getattr(result, "history", None)
    if not hist:
        raise AsrError("fit$trace: this fit records no iteration history",
                       hint="refit with asr.asreml(); a fit read back from a file has none")
    from asr_py.translate.runtime import r_loglik

    shift = r_loglik(fit) - float(fit.loglik)        # asreml's scale, as fit$loglik
    names = list(result.names)
    rows = {"LogLik": [float(h["loglik"]) + shift for h in hist]}
    for k, name in enumerate(names):
        rows[name] = [float(np.asarray(h["theta"])[k]) if len(h.get("theta", [])) > k
                      else np.nan for h in hist]
    cols = [str(i) for i in range(1, len(hist) + 1)]
    return pd.DataFrame([rows[r] for r in rows], index=list(rows), columns=cols)
