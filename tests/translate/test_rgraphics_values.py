"""The values of R's graphics functions (hist, pretty, fivenum, boxplot.stats, density,
qqnorm, ppoints) against R 4.2.2's own output, recorded by scripts/record_r_graphics.R into
tests/translate/rgraphics/oracle.json (inputs included: no R needed here)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from asr_py.translate import rgraphvalues as gv

_ORACLE = json.loads((Path(__file__).parent / "rgraphics" / "oracle.json").read_text())
_INPUTS = {k: np.array(v, dtype=float) for k, v in _ORACLE["inputs"].items()}
_CASES = _ORACLE["cases"]


def _num(v: object) -> np.ndarray:
    return np.array(v if isinstance(v, list) else [v], dtype=float)


def _id(c: dict) -> str:
    return f"{c['fun']}-{c['input']}-{json.dumps(c['args'], sort_keys=True)}"


@pytest.mark.parametrize("case", _CASES, ids=[_id(c) for c in _CASES])
def test_value_as_r(case: dict) -> None:
    fun, args, want = case["fun"], case["args"] or {}, case["value"]
    x = _INPUTS.get(case["input"])
    if fun == "hist":
        br = args["breaks"]
        br = br if br in ("Sturges", "Scott", "FD") else _num(br)
        got = gv.hist_values(x, br, right=args.get("right", True))
        np.testing.assert_allclose(got["breaks"], _num(want["breaks"]), rtol=1e-14, atol=0)
        assert list(got["counts"]) == list(np.atleast_1d(want["counts"]))
        np.testing.assert_allclose(got["density"], _num(want["density"]), rtol=1e-12)
        np.testing.assert_allclose(got["mids"], _num(want["mids"]), rtol=1e-14)
        assert got["equidist"] == want["equidist"]
    elif fun == "pretty":
        got = gv.r_pretty(float(x.min()), float(x.max()), int(args["n"]))
        np.testing.assert_allclose(got, _num(want["value"]), rtol=1e-14, atol=0)
    elif fun == "fivenum":
        np.testing.assert_allclose(gv.fivenum(x), _num(want["value"]), rtol=1e-15)
    elif fun == "boxplot.stats":
        got = gv.boxplot_stats(x, args["coef"])
        np.testing.assert_allclose(got["stats"], _num(want["stats"]), rtol=1e-15)
        assert got["n"] == want["n"]
        np.testing.assert_allclose(got["conf"], _num(want["conf"]), rtol=1e-14)
        np.testing.assert_allclose(got["out"], np.array(want["out"], dtype=float)
                                   if isinstance(want["out"], list) else _num(want["out"]))
    elif fun == "density":
        got = gv.density_values(x, adjust=args.get("adjust", 1), n=args.get("n", 512))
        np.testing.assert_allclose(got["bw"], float(want["bw"]), rtol=1e-14)
        np.testing.assert_allclose(got["x"], _num(want["x"]), rtol=1e-13, atol=1e-13)
        y = _num(want["y"])
        np.testing.assert_allclose(got["y"], y, rtol=1e-9, atol=1e-12 * y.max())
        assert got["n"] == want["n"]
    elif fun == "qqnorm":
        got = gv.qqnorm_values(x)
        np.testing.assert_allclose(got["x"], _num(want["x"]), rtol=1e-14)
        np.testing.assert_allclose(got["y"], _num(want["y"]))
    elif fun == "ecdf":
        fn = gv.REcdf(x)
        np.testing.assert_allclose(fn.knots, _num(want["knots"]), rtol=1e-15)
        np.testing.assert_allclose(fn(fn.knots), _num(want["value"]), rtol=1e-15)
        assert fn(float(x.min()) - 1) == float(want["below"])
    elif fun == "ppoints":
        np.testing.assert_allclose(gv.ppoints(int(args["n"])), _num(want["value"]),
                                   rtol=1e-15)
    elif fun == "boxplot.formula":
        from asr_py.translate.rdatasets import dataset as r_dataset
        from asr_py.translate.rgraphbox import boxplot_values

        d = r_dataset(case["input"])
        y, g = args["formula"].split(" ~ ")
        got = boxplot_values([d[y]], groups=d[g])
        np.testing.assert_allclose(np.asarray(got["stats"]).ravel(order="F"),
                                   _num(want["stats"]), rtol=1e-15)
        assert list(got["n"]) == list(want["n"])
        np.testing.assert_allclose(np.asarray(got["out"]), _num(want["out"]))
        assert list(got["group"]) == list(np.atleast_1d(want["group"]))
        assert list(got["names"]) == list(want["names"])
    else:
        raise AssertionError(fun)


def test_hist_breaks_must_span() -> None:
    with pytest.raises(Exception, match="not counted"):
        gv.hist_values(pd.Series([1.0, 2.0, 9.0]), [0.0, 1.0, 5.0])
