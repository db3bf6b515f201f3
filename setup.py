"""Package list for setuptools (everything else is in pyproject.toml).

Every package under ``asr_py/`` is discovered, so a new subpackage is never left out of the
wheel, plus ``asr_py.grammar``, which lives in ``grammar/`` at the top of the checkout
(``[tool.setuptools.package-dir]``); pyproject's ``packages.find`` cannot add a mapped one.
"""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["asr_py", "asr_py.*"]), "asr_py.grammar"])
