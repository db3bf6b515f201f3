"""``family = eval(parse(text = s))``: an asreml family chosen at run time from a string
(``"asr_negative.binomial(link = 'log', phi = 1)"``), mapped when the translated script runs
exactly as translate maps a family written in the call
(:func:`asr_py.translate.asreml_rules.family_source`)."""

from __future__ import annotations

from typing import Any

from asr_py.errors import AsrError

__all__ = ["r_asr_family"]


def r_asr_family(text: Any) -> Any:
    """The asr_py family of the asreml family call in ``text`` (None: asreml's default
    Gaussian); an AsrError for a family asr_py does not fit."""
    import asr_py as asr
    from asr_py.translate.asreml_rules import family_source
    from asr_py.translate.parser import parse_expr

    src = str(text[0] if isinstance(text, (list, tuple)) and len(text) == 1 else text)
    try:
        expr = parse_expr(src)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the same answer
        raise AsrError(f"family = eval(parse(text = {src!r})): not an R call ({exc})") from None
    if expr.kind == "call" and expr.value in ("asr_gaussian", "gaussian") and not expr.args:
        return None
    py = family_source(expr)
    if py is None:
        raise AsrError(f"family = eval(parse(text = {src!r})): this family is not available "
                       "in asr_py", hint="asr_py fits asr_binomial, asr_poisson, asr_Gamma, "
                       "asr_gaussian, asr_negative.binomial and asr_inverse.gaussian (with its "
                       "link and dispersion)")
    return eval(py, {"asr": asr})  # noqa: S307 - source built by family_source, not user text
