"""A name asr_py lacks raises AttributeError with a pointer: R's family names (binomial(),
poisson(), Gamma(), gaussian()) lead to asreml's asr_* families; misspellings to near names."""

import pytest

import asr_py as asr


@pytest.mark.parametrize("name, family", [
    ("binomial", "asr_binomial"), ("poisson", "asr_poisson"), ("Gamma", "asr_Gamma"),
    ("gamma", "asr_Gamma"), ("gaussian", "asr_gaussian"),
])
def test_r_family_name_points_to_asr_family(name: str, family: str) -> None:
    with pytest.raises(AttributeError, match=rf"has no attribute '{name}'.*asr\.{family}\(\)"):
        getattr(asr, name)
    assert callable(getattr(asr, family))


def test_misspelling_suggests_the_public_name() -> None:
    with pytest.raises(AttributeError, match=r"did you mean ainverse"):
        asr.ainverze  # noqa: B018


def test_unrelated_name_plain_error_and_hasattr() -> None:
    with pytest.raises(AttributeError) as e:
        asr.no_such_thing_here  # noqa: B018
    assert "did you mean" not in str(e.value) and "family" not in str(e.value)
    assert not hasattr(asr, "binomial")
