"""R's ``update.formula`` writes each fixed term with its variables in their order of first
appearance in the updated formula (``formula(terms.formula(tmp, simplify = TRUE))``): in R,
``update(y ~ b + a, ~ . + a:b)`` is ``y ~ b + a + b:a`` and
``update(y ~ x, ~ . + g:at(f, 2):x)`` is ``y ~ x + x:g:at(f, 2)`` (x is the first variable).
asreml names the Wald rows of the refit by those labels (asremlPlus's test42Selection.r:251,
``Genotype:per.col:at(AMF, 'AMF_plus')`` after changeTerms(addFixed = ...))."""

from __future__ import annotations

import pytest

from asr_py.formula.update import update_text


@pytest.mark.parametrize("old, new, want", [
    ("y ~ b + a", ". ~ . + a:b", "y ~ b + a + b:a"),
    ("y ~ x", ". ~ . + g:at(f, 2):x", "y ~ x + x:g:at(f, 2)"),
    ("y ~ a + b + c", ". ~ . + c:b:a - a", "y ~ b + c + a:b:c"),
    ("y ~ a:b", ". ~ . + b", "y ~ b + a:b"),
])
def test_fixed_terms_in_r_variable_order(old: str, new: str, want: str) -> None:
    assert update_text(old, new, "fixed") == want


def test_random_terms_keep_the_written_order() -> None:
    """A random term's parts are a direct product (us(trait):vm(id) is Σ ⊗ K): not reordered."""
    assert update_text("~ vm(id, K):us(trait)", "~ . + us(trait):Rep", "random") == \
        "~ vm(id, K):us(trait) + us(trait):Rep"
