"""asreml's partial selfing, ``ainverse(pedigree, selfing = s)`` (asr_py.genetics.selfing).

Independent checks: (1) closed forms: a line selfed t times from a non-inbred founder with
probability s each time has F_t = s/(2 - s) (1 - (s/2)^t) (F_t = s (1 + F_{t-1})/2); half
sibs of one non-inbred mother are related (1 + s)²/4, mother and offspring (1 + s)/2;
(2) the rule itself, by enumeration: every animal with its sire known and dam unknown is
either selfed (dam = sire, probability s) or outcrossed with a new unrelated founder
(1 - s); the 2^k realised pedigrees' ordinary A matrices (no selfing option), averaged with
those probabilities, are the A of ``amatrix(selfing=s)``; its inverse is ``ainverse``'s.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import PedigreeError
from asr_py.genetics.pedigree import inbreeding

#: a small plant pedigree: open-pollinated seed (dam unknown) in three generations, full sibs,
#: an open-pollinated seedling of an open-pollinated seedling, crosses between lines
PED = pd.DataFrame({"id": list("abcdefghij"),
                    "sire": [None, None, "a", "a", "c", "b", "e", "c", "f", "g"],
                    "dam": [None, None, None, "b", None, None, "d", None, "h", "i"]})


def _dense(rel: asr.RelMatrix, ids: list[str]) -> np.ndarray:
    m = rel.matrix.toarray() if hasattr(rel.matrix, "toarray") else np.asarray(rel.matrix)
    return pd.DataFrame(m, index=rel.ids, columns=rel.ids).loc[ids, ids].to_numpy()


@pytest.mark.parametrize("s", [0.0, 0.1, 0.5, 1.0])
def test_a_selfed_line_follows_the_closed_form(s: float) -> None:
    t = 10
    ped = pd.DataFrame({"id": [f"L{k}" for k in range(t + 1)],
                        "sire": [None] + [f"L{k}" for k in range(t)], "dam": None})
    F = inbreeding(ped, selfing=s).loc[[f"L{k}" for k in range(t + 1)]].to_numpy()
    closed = s / (2 - s) * (1 - (s / 2) ** np.arange(t + 1))
    np.testing.assert_allclose(F, closed, rtol=0, atol=1e-15)
    # the A-inverse's inbreeding and the dense A's diagonal say the same
    Ainv = asr.ainverse(ped, selfing=s)
    np.testing.assert_allclose(Ainv.inbreeding.loc[[f"L{k}" for k in range(t + 1)]], closed,
                               atol=1e-15)
    ids = [f"L{k}" for k in range(t + 1)]
    np.testing.assert_allclose(np.diag(_dense(asr.amatrix(ped, selfing=s), ids)) - 1, closed,
                               atol=1e-15)


@pytest.mark.parametrize("s", [0.0, 0.3, 1.0])
def test_half_sibs_of_one_mother(s: float) -> None:
    ped = pd.DataFrame({"id": ["k1", "k2", "k3"], "female": "M", "male": "0"})
    A = _dense(asr.amatrix(ped, selfing=s), ["M", "k1", "k2", "k3"])
    assert A[0, 1] == pytest.approx((1 + s) / 2)
    assert A[1, 2] == pytest.approx((1 + s) ** 2 / 4)
    assert A[1, 1] == pytest.approx(1 + s / 2)


@pytest.mark.parametrize("s", [0.0, 0.3, 0.85, 1.0])
def test_expected_relationships_over_the_selfing_outcomes(s: float) -> None:
    open_ = [r.id for r in PED.itertuples() if pd.notna(r.sire) and pd.isna(r.dam)]
    ids = list(PED["id"])
    expect = np.zeros((len(ids), len(ids)))
    for selfed in itertools.product([False, True], repeat=len(open_)):
        real = PED.copy()
        p = 1.0
        for who, self_ in zip(open_, selfed):
            k = real.index[real["id"] == who][0]
            real.loc[k, "dam"] = real.loc[k, "sire"] if self_ else f"pollen_{who}"
            p *= s if self_ else 1 - s
        if p:
            expect += p * _dense(asr.amatrix(real, check_roles=False), ids)
    A = asr.amatrix(PED, selfing=s, check_roles=False)
    np.testing.assert_allclose(_dense(A, ids), expect, rtol=0, atol=1e-14)
    Ainv = asr.ainverse(PED, selfing=s, check_roles=False)
    np.testing.assert_allclose(_dense(Ainv, ids) @ _dense(A, ids), np.eye(len(ids)),
                               atol=1e-12)
    assert Ainv.logdet == pytest.approx(np.linalg.slogdet(_dense(A, ids))[1], abs=1e-12)
    F = inbreeding(PED, selfing=s, check_roles=False).loc[ids]
    np.testing.assert_allclose(F, np.diag(expect) - 1, atol=1e-14)


def test_no_selfing_is_the_default_and_nan_is_asremls_na() -> None:
    base = asr.ainverse(PED, check_roles=False)
    for s in (None, float("nan"), 0.0):
        other = asr.ainverse(PED, selfing=s, check_roles=False)
        assert other.ids == base.ids
        assert abs(other.matrix - base.matrix).max() < 1e-15


@pytest.mark.parametrize("bad", [-0.1, 1.5, "high"])
def test_a_selfing_rate_outside_zero_one_is_an_error(bad: object) -> None:
    with pytest.raises(PedigreeError, match="selfing"):
        asr.ainverse(PED, selfing=bad, check_roles=False)  # type: ignore[arg-type]
