"""``cbind(fa1.l, fa2.l, fa3.l)`` names each column by its bare (dotted) name, as R's
deparse.level = 1 does; only the first did, the others were "" twice and ``svd()`` of the
matrix stopped ("columns ['', ''] are not numeric": a repeated name read as a frame).
saulo-chaves MHT_MET_MM MET.R's third-order factor-analytic loadings. Expected values:
R 4.2 (Rscript on the same snippet)."""

import numpy as np
import pandas as pd

from asr_py.translate import translate
from asr_py.translate.rsvd import r_svd


def test_dotted_bare_names_name_their_columns_and_svd_runs() -> None:
    ns: dict = {}
    exec(compile(translate("fa1.l <- c(1, 2, 3)\nfa2.l <- c(0, 4, 5)\nfa3.l <- c(0, 0, 6)\n"
                           "m <- as.matrix(cbind(fa1.l, fa2.l, fa3.l))\ns <- svd(m)\n"
                           "cn <- colnames(m)\n"), "t", "exec"), ns)  # noqa: S102
    assert list(ns["cn"]) == ["fa1.l", "fa2.l", "fa3.l"]
    # R: svd(m)$d
    np.testing.assert_allclose(np.asarray(ns["s"]["d"]), [9.0125424, 2.9974695, 0.8884012],
                               rtol=1e-7)


def test_svd_of_a_matrix_with_repeated_column_names() -> None:
    m = pd.DataFrame(np.array([[3.0, 0.0], [0.0, 4.0]]), columns=["", ""])
    np.testing.assert_allclose(np.asarray(r_svd(m)["d"]), [4.0, 3.0])
