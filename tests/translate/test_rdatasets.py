"""R's built-in data sets (translate/rdatasets.py): the data frames of R's ``datasets``
package bundled from R 4.2.2 (scripts/record_r_datasets.R), reached from translated scripts
by ``data(iris)``, ``data("iris")``, ``data(iris, package = "datasets")``,
``datasets::iris`` and a bare ``iris``. Figures checked are R's (R 4.2.2, printed by
``summary()``/``str()`` and the data sets' help pages); the R-oracle harness
(test_r_oracle.py) checks more of them through translated snippets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

from asr_py.errors import AsrError
from asr_py.translate import rdatasets, translate


def test_all_44_data_frames_load_with_their_r_shapes() -> None:
    # R: Filter(is.data.frame, mget(ls("package:datasets"), as.environment("package:datasets")))
    shapes = {"iris": (150, 5), "mtcars": (32, 11), "ChickWeight": (578, 4), "CO2": (84, 5),
              "Orange": (35, 3), "warpbreaks": (54, 3), "PlantGrowth": (30, 2),
              "Loblolly": (84, 3), "cars": (50, 2), "airquality": (153, 6), "quakes": (1000, 5),
              "esoph": (88, 5), "npk": (24, 5), "ToothGrowth": (60, 3)}
    assert len(rdatasets.names()) == 44
    for name in rdatasets.names():
        d = rdatasets.dataset(name)
        assert isinstance(d, pd.DataFrame) and len(d) > 0
    for name, shape in shapes.items():
        assert rdatasets.dataset(name).shape == shape, name


def test_iris_values_and_species_levels() -> None:
    iris = rdatasets.dataset("iris")
    # R: colMeans(iris[, 1:4]) = 5.843333 3.057333 3.758000 1.199333
    np.testing.assert_allclose(iris.iloc[:, :4].mean().to_numpy(),
                               [5.843333333, 3.057333333, 3.758, 1.199333333], atol=1e-8)
    assert list(iris["Species"].cat.categories) == ["setosa", "versicolor", "virginica"]
    assert not iris["Species"].cat.ordered
    assert iris["Species"].value_counts().tolist() == [50, 50, 50]


def test_ordered_factors_keep_r_level_order() -> None:
    """ChickWeight$Chick, CO2$Plant, esoph$agegp are ordered factors whose levels are not
    alphabetical (R: levels(ChickWeight$Chick)[1:5] = "18" "16" "15" "13" "9")."""
    chick = rdatasets.dataset("ChickWeight")["Chick"]
    assert chick.cat.ordered and list(chick.cat.categories[:5]) == ["18", "16", "15", "13", "9"]
    plant = rdatasets.dataset("CO2")["Plant"]
    assert plant.cat.ordered and list(plant.cat.categories) == [
        "Qn1", "Qn2", "Qn3", "Qc1", "Qc3", "Qc2", "Mn3", "Mn2", "Mn1", "Mc2", "Mc3", "Mc1"]
    assert list(rdatasets.dataset("esoph")["agegp"].cat.categories) == [
        "25-34", "35-44", "45-54", "55-64", "65-74", "75+"]
    assert list(rdatasets.dataset("warpbreaks")["tension"].cat.categories) == ["L", "M", "H"]


def test_row_names_that_carry_data_and_missing_values() -> None:
    mt = rdatasets.dataset("mtcars")
    assert list(mt.index[:3]) == ["Mazda RX4", "Mazda RX4 Wag", "Datsun 710"]
    assert mt["mpg"].mean() == pytest.approx(20.090625)          # R: mean(mtcars$mpg)
    assert isinstance(rdatasets.dataset("iris").index, pd.RangeIndex)   # automatic 1..n
    aq = rdatasets.dataset("airquality")
    assert aq.isna().sum().tolist() == [37, 7, 0, 0, 0, 0]      # R: colSums(is.na(...))
    assert aq["Temp"].dtype == np.int64 and aq["Ozone"].dtype == np.float64


@pytest.mark.parametrize("code", ["data(iris)\n", 'data("iris")\n',
                                  'data(iris, package = "datasets")\n',
                                  "iris <- datasets::iris\n", ""])
def test_every_way_a_script_reaches_iris(code: str) -> None:
    ns = run_r(code + "out <- tapply(iris$Sepal.Length, iris$Species, mean)\n",
               complete=True)
    # R: tapply(iris$Sepal.Length, iris$Species, mean) = 5.006 5.936 6.588
    assert ns["out"].round(3).tolist() == [5.006, 5.936, 6.588]


def test_a_script_own_value_of_the_name_wins() -> None:
    """A script that makes its own ``cars`` (or loads one) uses it, not R's."""
    ns = run_r("cars <- data.frame(speed = c(1, 2))\nout <- nrow(cars)\n")
    assert ns["out"] == 2
    py = translate("load('x.RData')\nout <- nrow(cars)\n")
    assert "r_lazy('cars', globals())" in py        # the loaded value first, then R's
    ns = run_r("out <- nrow(cars)\n", cars=pd.DataFrame({"speed": [1.0]}))
    assert ns["out"] == 1


def test_data_of_another_package_is_not_the_bundled_one(tmp_path, monkeypatch) -> None:
    """``data(npk, package = "MASS")`` is not datasets' npk: a file or a clear error."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(AsrError, match="no file npk"):
        run_r('data(npk, package = "MASS")\n')


def test_corpus_benchmark_counts_r_datasets_as_present(tmp_path) -> None:
    """benchmarks/translate_corpus.py runs a script whose only data is R's (``data(iris)``,
    a bare ``CO2``): no file is needed; another data set still needs its file."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import translate_corpus as tc

    code = "data(iris)\nm <- lm(uptake ~ conc, data = CO2)\ndata(oats)\n"
    ins = tc._inputs(code, translate(code))
    assert all(tc._exists(tmp_path, p) for p in ins if "iris" in p or "CO2" in p)
    assert not all(tc._exists(tmp_path, p) for p in ins)        # oats: a file is needed
