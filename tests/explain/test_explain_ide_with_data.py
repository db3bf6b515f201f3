"""explain with data: ``~ vm(id, K) + ide(id)`` (asreml 4's maternal / permanent environment
pair) — each term's sizes come from compiling it, and ide(id) takes its ids from the vm(id, K)
before it (it failed with "ide(id) needs the ids of a vm(id, K) term" in session 28)."""

from __future__ import annotations

import numpy as np
import pandas as pd

import asr_py as asr


def test_ide_term_sized_with_its_vm_term() -> None:
    ids = [f"a{i}" for i in range(6)]
    K = pd.DataFrame(0.5 ** np.abs(np.subtract.outer(np.arange(6), np.arange(6))),
                     index=ids, columns=ids)
    d = pd.DataFrame({"m": np.repeat(ids[:5], 3), "y": np.arange(15.0) % 4})  # a5: no records
    e = asr.explain("~ vm(m, K) + ide(m) + ide(m, K)", d, K=K)
    texts = [t.text for t in e.terms]
    assert texts == ["vm(m, K)", "ide(m)", "ide(m, K)"]
    # Z of every term: 15 records x the 6 ids of K (a5 included, as asreml's vm/ide levels)
    for t in e.terms:
        assert "Z is 15 x 6, 1 parameter(s)" in t.sizes, t.sizes
        assert t.n_params == 1
    fit = asr.asreml("y ~ 1", random="~ vm(m, K) + ide(m) + ide(m, K)", data=d, K=K)
    assert [r.Z.shape for r in fit.model.random] == [(15, 6)] * 3
