"""Large problems: BLUP with given variance components by PCG iterating on the data, the
record products computed chunk by chunk in this process or on Dask (``asr.blup_pcg``).

Optional dependencies (``pip install 'asr_py[large]'``): dask[distributed] for a cluster,
pyarrow for Parquet input.
"""

from asr_py.large.blup import PcgBlup, blup_pcg

__all__ = ["PcgBlup", "blup_pcg"]
