"""The gryphon animal model: birth weight with additive genetic and maternal effects.

Data: sommer's ``DT_gryphon`` (1 084 gryphons, 854 with a birth weight) and its pedigree
``P_gryphon`` (1 309 animals), the teaching example of Wilson et al. (2010). The model, as in
asreml-R,

    asreml(BWT ~ SEX, random = ~ vm(ANIMAL, ainv) + MOTHER, data = DT_gryphon)

with ``ainv`` the pedigree's A-inverse: y = Xβ + Z_a a + Z_m m + e,
a ~ N(0, σ²_A A), m ~ N(0, σ²_M I), e ~ N(0, σ²_E I). Prints the variance components, the
heritability h² = σ²_A/(σ²_A + σ²_M + σ²_E) and the maternal share with delta-method standard
errors (``vpredict``), the fixed effects and predicted means by sex, and the animals with
the largest breeding values with their accuracy r = sqrt(1 − PEV/((1 + F)σ²_A)). Saves a plot
of breeding values against accuracy.

    python examples/gryphon_animal_model.py [OUT_DIR]      (default ./asr_py_output)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from _common import parser, plot_or_note, pyplot, save_figure

import asr_py as asr

DATA = Path(__file__).resolve().parent / "data"


def load() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(records, pedigree) with ids as text; unknown parents are empty strings."""
    df = pd.read_csv(DATA / "DT_gryphon.csv", dtype=str).astype({"BWT": float,
                                                                  "TARSUS": float})
    ped = pd.read_csv(DATA / "P_gryphon.csv", dtype=str, keep_default_na=False)
    return df, ped


def breeding_values(m: asr.AsremlFit, ainv: asr.RelMatrix, phenotyped: set[str]
                    ) -> pd.DataFrame:
    """Breeding values of every animal in the pedigree: EBV, PEV, F, accuracy, phenotyped."""
    cr = m.coef_random
    prefix = "vm(ANIMAL, ainv)_"
    bv = cr[cr.index.str.startswith(prefix)].copy()
    bv.index = bv.index.str.removeprefix(prefix)
    sigma2_a = float(m.varcomp.loc["vm(ANIMAL, ainv)", "component"])
    F = ainv.inbreeding.reindex(bv.index).fillna(0.0).to_numpy()
    pev = bv["std.error"].to_numpy() ** 2
    return pd.DataFrame({
        "EBV": bv["solution"].to_numpy(), "PEV": pev, "F": F,
        "accuracy": np.sqrt(np.clip(1.0 - pev / ((1.0 + F) * sigma2_a), 0.0, None)),
        "phenotyped": [i in phenotyped for i in bv.index]}, index=bv.index.rename("ANIMAL"))


def main(out: Path | None = None) -> dict[str, object]:
    """Fit the model, print the tables, save the plot into ``out``; return the results."""
    df, ped = load()
    ainv = asr.ainverse(ped)
    print(f"pedigree: {ainv.n} animals, {int((ainv.inbreeding > 0).sum())} inbred; "
          f"records: {len(df)}, {int(df['BWT'].notna().sum())} with BWT")
    m = asr.asreml("BWT ~ SEX", "~ vm(ANIMAL, ainv) + MOTHER", data=df, ainv=ainv)
    print(m.summary())
    # V-numbers as asreml's: MOTHER (fewer levels) is V1, vm(ANIMAL, ainv) V2, units V3
    ratios = pd.concat([m.vpredict("h2 ~ V2 / (V1 + V2 + V3)"),
                        m.vpredict("m2 ~ V1 / (V1 + V2 + V3)")])
    print("\nheritability (h2) and maternal share (m2):")
    print(ratios.to_string(float_format=lambda v: f"{v:.4f}"))
    print("\npredicted birth weight by sex:")
    print(m.predict(classify="SEX").to_string(index=False))
    phenotyped = set(df.loc[df["BWT"].notna(), "ANIMAL"])
    bv = breeding_values(m, ainv, phenotyped)
    print("\nbreeding values, largest ten:")
    print(bv.sort_values("EBV", ascending=False).head(10).to_string(
        float_format=lambda v: f"{v:.4f}"))
    print("\nmean accuracy: phenotyped {:.3f}, not phenotyped {:.3f}".format(
        *bv.groupby("phenotyped")["accuracy"].mean().reindex([True, False])))
    if out is not None:
        plot_or_note(_plot, bv, Path(out))
    return {"fit": m, "data": df, "pedigree": ped, "ainv": ainv, "ratios": ratios, "bv": bv}


def _plot(bv: pd.DataFrame, out: Path) -> None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for flag, label, colour in ((True, "with BWT record", "tab:blue"),
                                (False, "without record", "tab:orange")):
        sel = bv[bv["phenotyped"] == flag]
        ax.scatter(sel["accuracy"], sel["EBV"], s=6, alpha=0.6, label=label, color=colour)
    ax.set_xlabel("accuracy  sqrt(1 − PEV / ((1 + F) σ²_A))")
    ax.set_ylabel("breeding value (BWT)")
    ax.set_title("Gryphon animal model")
    ax.legend(fontsize=7)
    save_figure(fig, out, "gryphon_animal_model.png")


if __name__ == "__main__":
    main(parser(__doc__).parse_args().out)
