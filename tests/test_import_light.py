"""``import asr_py`` stays light: the translate rewrite rules (and the R emulations they pull
in, scipy.stats among them) load on the first ``translate()`` call, not at import; a user who
only fits models never pays for them (on a loaded 2-core machine the eager import took 13 s)."""

import subprocess
import sys

_PROBE = """
import sys
import asr_py
print(sorted(m for m in ("asr_py.translate.asreml_rules", "scipy.stats", "asr_py.compat.alldiffs")
             if m in sys.modules))
asr_py.translate("m <- asreml(y ~ 1, data = d)")
print("asr_py.translate.asreml_rules" in sys.modules)
from asr_py.translate import Translator, spatial_coords
print(Translator.__name__, callable(spatial_coords))
"""


def test_import_does_not_load_translate_rules() -> None:
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert out[0] == "[]"
    assert out[1] == "True"
    assert out[2] == "Translator True"
