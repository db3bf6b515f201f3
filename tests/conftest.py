"""Puts tests/ on sys.path (pytest's prepend import mode adds a conftest's folder), so every
test module can import the shared helpers there: ``from _dense_reml import reml_loglik``."""
