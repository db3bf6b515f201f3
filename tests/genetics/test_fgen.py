"""Inbred lines, asreml's ``ainverse(pedigree, fgen = list("Selfing", f))``
(asr_py.genetics.fgen).

Independent checks: the pedigree written out generation by generation (a cross selfed t
times is the cross followed by t selfed individuals, each with one parent twice) through
the ordinary tabular A (no fgen), restricted to the original ids; the closed form
F = 1 − (1 − A_sd/2)/2^t (Oakey et al. 2006: a_jj = 2 − 0.5^(n−1) + 0.5^n a_sd with
n = t + 1); asreml's documented values for base individuals and implicit ones.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import PedigreeError
from asr_py.genetics.pedigree import inbreeding

PED = pd.DataFrame({"id": ["A", "B", "C", "L1", "L2", "L3", "X", "Y"],
                    "p1": [None, None, None, "A", "A", "L1", "L1", "X"],
                    "p2": [None, None, None, "B", "C", "L2", "L2", "L3"],
                    "Selfing": [0, 0, 0, 3, 5, 2, 0, 1]})


def _dense(rel: asr.RelMatrix, ids: list[str]) -> np.ndarray:
    m = rel.matrix.toarray() if hasattr(rel.matrix, "toarray") else np.asarray(rel.matrix)
    return pd.DataFrame(m, index=rel.ids, columns=rel.ids).loc[ids, ids].to_numpy()


def _written_out(ped: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for r in ped.itertuples():
        t = int(r.Selfing)
        if t == 0:
            rows.append((r.id, r.p1, r.p2))
            continue
        prev = f"{r.id}_x0"
        rows.append((prev, r.p1, r.p2))
        for k in range(1, t):
            rows.append((f"{r.id}_x{k}", prev, prev))
            prev = f"{r.id}_x{k}"
        rows.append((r.id, prev, prev))
    return pd.DataFrame(rows, columns=["id", "sire", "dam"])


def test_lines_equal_their_pedigree_written_out() -> None:
    ids = list(PED["id"])
    A = asr.amatrix(PED, fgen=("Selfing", None), check_roles=False)
    ref = _dense(asr.amatrix(_written_out(PED), check_roles=False), ids)
    np.testing.assert_allclose(_dense(A, ids), ref, rtol=0, atol=1e-14)
    Ainv = asr.ainverse(PED, fgen=["Selfing"], check_roles=False)
    np.testing.assert_allclose(_dense(Ainv, ids) @ ref, np.eye(len(ids)), atol=1e-12)
    assert Ainv.logdet == pytest.approx(np.linalg.slogdet(ref)[1], abs=1e-12)
    F = inbreeding(PED, fgen="Selfing", check_roles=False).loc[ids].to_numpy()
    np.testing.assert_allclose(F, np.diag(ref) - 1, atol=1e-14)
    # the closed form: L3 = (L1 x L2) selfed twice, A_{L1 L2} from the written-out pedigree
    a12 = ref[ids.index("L1"), ids.index("L2")]
    assert F[ids.index("L3")] == pytest.approx(1 - (1 - a12 / 2) / 4)


def test_base_and_implicit_inbreeding() -> None:
    ped = pd.DataFrame({"id": ["P", "Q", "K"], "s": [None, None, "P"], "d": [None, None, "M"],
                        "F": [0.4, 2, 0]})
    F = inbreeding(ped, fgen=("F", 0.25)).to_dict()
    # P: base with F = 0.4; Q: base selfed twice 1 - 1/4; M: implicit 0.25; K a cross of
    # P and M (unrelated): F = 0
    assert F == pytest.approx({"M": 0.25, "P": 0.4, "Q": 0.75, "K": 0.0})
    A = asr.amatrix(ped, fgen=("F", 0.25))
    ids = ["P", "M", "K"]
    a = _dense(A, ids)
    assert a[2, 0] == pytest.approx(0.7) and a[2, 1] == pytest.approx(0.625)


@pytest.mark.parametrize(("fgen", "msg"), [(("Selfing", 5), "0 < f < 1"),
                                           (("Nope",), "does not have"),
                                           ((3, 0.1), "names a pedigree column")])
def test_bad_fgen_is_an_error(fgen: tuple, msg: str) -> None:
    with pytest.raises(PedigreeError, match=msg):
        asr.ainverse(PED, fgen=fgen, check_roles=False)


def test_fractional_level_of_a_cross_is_an_error() -> None:
    bad = PED.assign(Selfing=[0, 0, 0, 0.5, 0, 0, 0, 0])
    with pytest.raises(PedigreeError, match="'L1' has parents"):
        asr.ainverse(bad, fgen="Selfing", check_roles=False)
    with pytest.raises(PedigreeError, match="selfing= and fgen="):
        asr.ainverse(PED, fgen="Selfing", selfing=0.1, check_roles=False)
