"""The textbook sire model: y = Xβ + Zs + e with unrelated sires as random effects.

Weaning gains of calves, each recorded with its herd, sex and sire; the sires' progeny
groups are unbalanced. The model

    y = Xβ + Zs + e,   s ~ N(0, σ²_S I),   e ~ N(0, σ²_E I)

is fitted twice:

1. with the variances FIXED at σ²_S = 2 and σ²_E = 6 (the textbook's "known" variances),
   through ``params=`` with constraint 'F': no iteration, only Henderson's mixed model
   equations are solved (BLUEs β̂, BLUPs ŝ, prediction error variances PEV);
2. with the variances estimated by REML; the intra-class correlation t = σ²_S/(σ²_S + σ²_E)
   and the heritability h² = 4t (a sire transmits half its genes) with standard errors
   from ``vpredict``.

Prints BLUEs, BLUPs with PEV and accuracy r = sqrt(1 − PEV/σ²_S), the Wald table and the
REML estimates; saves a plot of the sire BLUPs against their progeny-group size.

    python examples/sire_model.py [OUT_DIR]      (default ./asr_py_output)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from _common import parser, plot_or_note, pyplot, save_figure

import asr_py as asr

#: the "known" variances of the textbook fit
SIGMA2_S = 2.0
SIGMA2_E = 6.0
FORMULA = {"fixed": "gain ~ herd + sex", "random": "~ sire"}


def simulate(seed: int = 7, n_sires: int = 12, herds: int = 3) -> pd.DataFrame:
    """Calves with unbalanced progeny groups (2..14 per sire), drawn with σ²_S = 2, σ²_E = 6."""
    rng = np.random.default_rng(seed)
    s = rng.normal(0.0, np.sqrt(SIGMA2_S), n_sires)
    herd_eff = np.array([0.0, 1.5, -1.0, 0.5, 2.0])[:herds]
    rows = []
    for j in range(n_sires):
        for _ in range(int(rng.integers(2, 15))):
            h = int(rng.integers(herds))
            sex = str(rng.choice(["F", "M"]))
            y = 20.0 + herd_eff[h] + (1.2 if sex == "M" else 0.0) + s[j] + rng.normal(
                0.0, np.sqrt(SIGMA2_E))
            rows.append({"herd": f"H{h + 1}", "sex": sex, "sire": f"S{j + 1:02d}",
                         "gain": round(float(y), 2)})
    return pd.DataFrame(rows)


def fixed_variance_table() -> pd.DataFrame:
    """The start-values table with σ²_S = 2, σ²_E = 6, both fixed ('F')."""
    return pd.DataFrame({"Component": ["sire", "units!R"], "Value": [SIGMA2_S, SIGMA2_E],
                         "Constraint": ["F", "F"]})


def blup_table(m: asr.AsremlFit, data: pd.DataFrame, sigma2_s: float) -> pd.DataFrame:
    """Sire BLUPs with PEV, accuracy sqrt(1 − PEV/σ²_S) and progeny counts."""
    cr = m.coef_random
    sire = cr[cr.index.str.startswith("sire_")].copy()
    sire.index = sire.index.str.removeprefix("sire_")
    sire["PEV"] = sire["std.error"] ** 2
    sire["accuracy"] = np.sqrt(np.clip(1.0 - sire["PEV"] / sigma2_s, 0.0, None))
    sire["progeny"] = data["sire"].value_counts().reindex(sire.index).to_numpy()
    return sire[["solution", "std.error", "PEV", "accuracy", "progeny"]]


def main(out: Path | None = None, data: pd.DataFrame | None = None) -> dict[str, object]:
    """Fit both versions, print the tables, save the plot into ``out``; return the results."""
    df = simulate() if data is None else data
    print(f"{len(df)} calves, {df['sire'].nunique()} sires, herds {sorted(df['herd'].unique())}")

    # 1. variances fixed: edit the start-values table and pass it back as params=
    print("\nstart-values table (before editing):")
    print(asr.asreml(**FORMULA, data=df, start_values=True).to_string(index=False))
    known = asr.asreml(**FORMULA, data=df, params=fixed_variance_table())
    print(f"\n=== variances fixed at sigma2_S = {SIGMA2_S}, sigma2_E = {SIGMA2_E} ===")
    print(known.varcomp.to_string())
    print("\nBLUEs (fixed effects):")
    print(known.coef_fixed.to_string(float_format=lambda v: f"{v:.4f}"))
    blups = blup_table(known, df, SIGMA2_S)
    print("\nBLUPs of the sires, prediction error variances and accuracies:")
    print(blups.to_string(float_format=lambda v: f"{v:.4f}"))
    print("\nWald tests:")
    print(known.wald().to_string(float_format=lambda v: f"{v:.4g}"))

    # 2. variances estimated by REML
    free = asr.asreml(**FORMULA, data=df)
    print(f"\n=== REML estimates: converged={free.converged}, loglik={free.loglik:.4f}, "
          f"AIC={free.aic:.3f}, BIC={free.bic:.3f} ===")
    print(free.varcomp.to_string(float_format=lambda v: f"{v:.4g}"))
    h2 = pd.concat([free.vpredict("t ~ V1 / (V1 + V2)"),
                    free.vpredict("h2 ~ 4 * V1 / (V1 + V2)")])
    print("\nintra-class correlation t = sigma2_S / (sigma2_S + sigma2_E) and h2 = 4 t:")
    print(h2.to_string(float_format=lambda v: f"{v:.4f}"))
    t = SIGMA2_S / (SIGMA2_S + SIGMA2_E)
    print(f"values of the fixed variances: t = {t:.4f}, h2 = {4 * t:.4f}")

    if out is not None:
        plot_or_note(_plot, blups, Path(out))
    return {"data": df, "known": known, "free": free, "blups": blups, "h2": h2}


def _plot(blups: pd.DataFrame, out: Path) -> None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.errorbar(blups["progeny"], blups["solution"], yerr=blups["std.error"], fmt="o",
                capsize=3)
    for name, row in blups.iterrows():
        ax.annotate(str(name), (row["progeny"], row["solution"]), fontsize=6,
                    xytext=(3, 3), textcoords="offset points")
    ax.axhline(0.0, color="grey", lw=0.8)
    ax.set_xlabel("number of progeny")
    ax.set_ylabel("sire BLUP ± sqrt(PEV)")
    ax.set_title("Sire model, σ²_S = 2, σ²_E = 6 (fixed)")
    save_figure(fig, out, "sire_model.png")


if __name__ == "__main__":
    main(parser(__doc__).parse_args().out)
