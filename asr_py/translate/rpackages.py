"""R packages whose functions translate turns into asr_py calls (asreml, asremlPlus, dae,
lme4/lmerTest/emmeans, the tidyverse verbs, ...): ``requireNamespace("pkg")`` and
``require(pkg)`` in an ``if`` condition are TRUE for them, so a script's
``if (requireNamespace("lmerTest") & requireNamespace("emmeans")) {...}`` block runs, as
it did where the script was written (its recorded numbers come from that block)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from asr_py.translate import (
    rasremllrt,
    rasrgenomicskin,
    rcvtools,
    rggplot,
    rgraphcalls,
    rgtools,
    rlme4,
    rlogltest,
    rmulttest,
    rpkgcalls,
)

if TYPE_CHECKING:
    from asr_py.translate.parser import R

__all__ = ["TRANSLATED", "is_require", "is_translated"]

#: packages whose library() call needs no TODO (asreml_rules) and lmerTest, whose lmer()
#: translates as lme4's (asr.lme4.lmer)
TRANSLATED = frozenset({
    "asreml", "asremlPlus", "dae", "pedicure", "dplyr", "tidyverse", "aod", "magrittr",
    "readxl", "data.table", "readr", "tidyr", "stats", "utils", "here", "testthat",
    "stringr", "tibble", "forcats", "lmerTest",
    # broom.asreml's tidy() of a fit (rbroomasreml.py)
    "broom.asreml",
    # parallel applies run serially (rparallel.py)
    "parallel", "pbapply", "future.apply",
    # plyr's join(), count(), arrange(), ldply(), summarise() are translated (rjoin.py,
    # rcount.py, rdplyr.py); its other functions get their own TODO where called
    "plyr",
    # reshape2's melt()/dcast() (rdcast.py, runtime.r_melt), reshape's cast()/melt()
    # (rcast.py), msm's deltamethod() (rdeltamethod.py); other functions: a TODO where called
    "reshape2", "reshape", "msm",
    # nlme's lme() (rnlme.py); gls() and other functions get their own TODO where called
    "nlme",
    # AGHmatrix's Gmatrix()/Amatrix() (raghmatrix.py), nadiv's makeA() (rgenetics.py): their
    # other functions get their own TODO where called
    "AGHmatrix", "nadiv",
    # janitor's clean_names() (rbase.py); its other functions: a TODO where called
    "janitor",
}) | rlme4.PACKAGES | rmulttest.PACKAGES | rpkgcalls.PACKAGES | rgtools.PACKAGES \
    | rasrgenomicskin.PACKAGES | rggplot.PACKAGES | rasremllrt.PACKAGES | rlogltest.PACKAGES \
    | rgraphcalls.PACKAGES | rcvtools.PACKAGES


def is_translated(pkg: str) -> bool:
    """Whether translate emulates package ``pkg`` (its requireNamespace() is TRUE)."""
    return pkg in TRANSLATED


def is_require(e: R) -> bool:
    """``requireNamespace(...)``/``require(...)``, possibly negated with ``!``."""
    if e.kind == "unary" and e.value == "!" and e.right is not None:
        e = e.right
    return e.kind == "call" and e.value in ("require", "requireNamespace")
