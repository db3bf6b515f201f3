"""The ASReml formula grammar (Lark). Shipped inside the package as ``asr_py.grammar``."""
