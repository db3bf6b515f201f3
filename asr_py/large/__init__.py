"""Large problems: BLUP with given variance components by PCG iterating on the data, the
record products computed chunk by chunk in this process or on Dask (``asr.blup_pcg``), and
the variance components of the univariate animal model by Monte Carlo REML (``asr.reml_mc``).

Optional dependencies (``pip install 'asr_py[large]'``): dask[distributed] for a cluster,
pyarrow for Parquet input.
"""

from asr_py.large.blup import PcgBlup, blup_pcg
from asr_py.large.reml_mc import McReml, reml_mc

__all__ = ["McReml", "PcgBlup", "blup_pcg", "reml_mc"]
