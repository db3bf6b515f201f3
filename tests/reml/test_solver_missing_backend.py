"""A missing CHOLMOD (cvxopt or asr_py.reml.backends absent) is a PerformanceWarning naming
the cost, never a silent switch to SuperLU."""

from __future__ import annotations

import subprocess
import sys

import asr_py as asr
from asr_py.reml import solver

CODE = r"""
import sys, warnings
sys.modules[{blocked!r}] = None  # import of it raises ImportError
import numpy as np, scipy.sparse as sp
from asr_py.reml.solver import factorize
c = sp.random(400, 400, density=0.01, random_state=1, format="csc")
c = (c @ c.T + sp.identity(400)).tocsc()
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    f = factorize(c, "sparse")
print(type(f).__name__)
print("|".join(f"{{x.category.__name__}}: {{x.message}}" for x in w))
print(abs(f.logdet() - np.linalg.slogdet(c.toarray())[1]) < 1e-8)
"""


def _run(blocked: str) -> list[str]:
    r = subprocess.run([sys.executable, "-c", CODE.format(blocked=blocked)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout.splitlines()


def test_missing_cvxopt_warns_with_the_cost() -> None:
    name, warned, ok = _run("cvxopt")
    assert name == "SparseFactor" and ok == "True"
    assert warned.startswith("PerformanceWarning: the CHOLMOD sparse backend is not available")
    assert "SuperLU" in warned and "slower" in warned


def test_missing_backends_package_warns() -> None:
    name, warned, _ = _run("asr_py.reml.backends.cholmod")
    assert name == "SparseFactor" and "PerformanceWarning" in warned


def test_installed_sparse_is_cholmod_and_warning_class_exported() -> None:
    from asr_py.reml.backends.cholmod import CholmodFactor

    assert solver._BACKENDS["sparse"] is CholmodFactor
    assert issubclass(asr.PerformanceWarning, asr.AsrWarning)
