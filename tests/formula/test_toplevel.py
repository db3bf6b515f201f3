"""split_top: separators count only outside (), []."""

from asr_py.formula.toplevel import split_top


def test_colon_outside_brackets_only() -> None:
    assert split_top("at(Site, S1):Genotype") == ["at(Site, S1)", "Genotype"]
    assert split_top("us(trait):vm(id, K[1:3])") == ["us(trait)", "vm(id, K[1:3])"]


def test_plus_and_strip() -> None:
    assert split_top(" G + z1:G ", "+", strip=True) == ["G", "z1:G"]
    assert split_top("New+grp(a+b)", "+") == ["New", "grp(a+b)"]


def test_no_separator_and_empty_parts() -> None:
    assert split_top("Variety") == ["Variety"]
    assert split_top("a::b") == ["a", "", "b"]
