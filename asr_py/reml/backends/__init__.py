"""Optional sparse factor backends (registered in :mod:`asr_py.reml.solver`)."""
