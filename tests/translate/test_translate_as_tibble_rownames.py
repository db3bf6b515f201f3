"""tibble's ``as_tibble(d, rownames = "id")``: the row names become the first column ``id``
(text) and the rows are renumbered (tibble's documented ``rownames`` argument); without
``rownames`` the data are kept (m-hrachov's C_inv script: ``as.data.frame(fit$Csparse) %>%
as_tibble(rownames = "id")``)."""

from __future__ import annotations

import pandas as pd
from _translate_fixtures import run_r


def test_as_tibble_rownames_makes_a_column() -> None:
    d = pd.DataFrame({"v": [1.0, 2.0, 3.0]}, index=["G", "G.1", "z1:G"])
    ns = run_r('x <- d %>% as_tibble(rownames = "id") %>% mutate(w = v * 2)\n'
               'y <- as_tibble(d, rownames = "rn")\n', complete=True, d=d)
    x = ns["x"]
    assert list(x.columns) == ["id", "v", "w"]
    assert list(x["id"]) == ["G", "G.1", "z1:G"]
    assert list(x.index) == [0, 1, 2]
    assert list(ns["y"].columns) == ["rn", "v"]
