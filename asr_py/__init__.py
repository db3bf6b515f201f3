"""asr_py: ASReml-R model formulas in Python."""
__version__ = "0.1.0"
