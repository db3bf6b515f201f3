"""Multivariate tree-breeding models on simulated data with known parameters.

Two traits, h (height) and d (diameter), measured on the trees of 60 half-sib families
planted in 5 blocks (4 trees per family and block). Simulated with family (genetic)
covariance Σ_f, block effects and residual covariance Σ_e. The models of the classic
asreml-R multivariate blog post ("livin' la vida loca"), all with random blocks:

* m1: one univariate model per trait: ``h ~ 1``, random ``~ Block + Family``
* m2: bivariate, no covariances: ``cbind(h, d) ~ trait``,
      random ``~ diag(trait):Block + diag(trait):Family``, residual ``~ units:diag(trait)``
* m3: the same model written with ``at()``: random ``~ at(trait):Block + at(trait):Family``,
      residual ``~ units:diag(trait)``
* m4: unstructured: random ``~ us(trait):Block + us(trait):Family``,
      residual ``~ units:us(trait)``
* m5: m4 with ``corgh(trait):Family`` (the genetic correlation is a parameter)

m2 and m3 are the same model, and with no covariances they split into the two univariate
models: log L(m2) = log L(m3) = log L(m1, h) + log L(m1, d). Prints every variance table,
AIC/BIC, the genetic correlation r_g with its standard error from vpredict (m4) and as a
parameter (m5), the half-sib heritabilities h² = 4σ²_f/(σ²_f + σ²_e); saves a plot of the
family BLUPs of the two traits.

    python examples/multivariate_trees.py [OUT_DIR]      (default ./asr_py_output)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from _common import parser, plot_or_note, pyplot, save_figure

import asr_py as asr

TRUE = {"Sf": np.array([[4.0, 1.8], [1.8, 2.0]]), "Se": np.array([[12.0, 3.0], [3.0, 8.0]]),
        "block_means": np.array([[0.0, 0.0], [2.0, 1.0], [-1.0, 0.5], [1.5, -1.0],
                                 [-2.0, 0.0]])}


def simulate(seed: int = 2024, n_fam: int = 60, n_block: int = 5, per_plot: int = 4
             ) -> pd.DataFrame:
    """Trees: family x block plots with ``per_plot`` trees; traits h (height), d (diameter)."""
    rng = np.random.default_rng(seed)
    fam = rng.multivariate_normal([0, 0], TRUE["Sf"], size=n_fam)
    rows = []
    for f in range(n_fam):
        for b in range(n_block):
            for _ in range(per_plot):
                e = rng.multivariate_normal([0, 0], TRUE["Se"])
                y = np.array([30.0, 20.0]) + TRUE["block_means"][b] + fam[f] + e
                rows.append({"Family": f"F{f + 1:02d}", "Block": f"B{b + 1}",
                             "h": y[0], "d": y[1]})
    return pd.DataFrame(rows)


def _position(m: asr.AsremlFit, name: str) -> str:
    """The component called ``name`` in a vpredict formula (in backticks: vpredict's V1..
    count asreml's fixed residual scale row, which varcomp does not list)."""
    assert name in m.varcomp.index
    return f"`{name}`"


def main(out: Path | None = None) -> dict[str, asr.AsremlFit]:
    """Fit m1 (two models), m2..m5; print the tables, save the plot into ``out``."""
    df = simulate()
    print(f"{len(df)} trees, {df['Family'].nunique()} families, {df['Block'].nunique()} blocks")
    fits: dict[str, asr.AsremlFit] = {}
    for t in ("h", "d"):
        fits[f"m1_{t}"] = asr.asreml(f"{t} ~ 1", "~ Block + Family", data=df)
    biv = "cbind(h, d) ~ trait"
    fits["m2"] = asr.asreml(biv, "~ diag(trait):Block + diag(trait):Family",
                            "~ units:diag(trait)", data=df)
    fits["m3"] = asr.asreml(biv, "~ at(trait):Block + at(trait):Family",
                            "~ units:diag(trait)", data=df)
    fits["m4"] = asr.asreml(biv, "~ us(trait):Block + us(trait):Family",
                            "~ units:us(trait)", data=df)
    fits["m5"] = asr.asreml(biv, "~ us(trait):Block + corgh(trait):Family",
                            "~ units:us(trait)", data=df)
    for name, m in fits.items():
        print(f"\n=== {name}: converged={m.converged}  loglik={m.loglik:.3f}  "
              f"AIC={m.aic:.2f}  BIC={m.bic:.2f}")
        print(m.varcomp.to_string(float_format=lambda v: f"{v:.4g}"))
    print(f"\nlog L(m1, h) + log L(m1, d) = {fits['m1_h'].loglik + fits['m1_d'].loglik:.6f}"
          f" = log L(m2) = {fits['m2'].loglik:.6f} = log L(m3) = {fits['m3'].loglik:.6f}")
    print("\ntrue family covariance:", TRUE["Sf"].tolist(), " residual:", TRUE["Se"].tolist())

    m4 = fits["m4"]
    f_hh, f_dh, f_dd = (_position(m4, f"trait:Family!trait_{s}") for s in ("h:h", "d:h", "d:d"))
    e_hh, e_dd = (_position(m4, f"units:trait!trait_{s}") for s in ("h:h", "d:d"))
    ratios = pd.concat([
        m4.vpredict(f"r_g ~ {f_dh} / sqrt({f_hh} * {f_dd})"),
        m4.vpredict(f"h2_h ~ 4 * {f_hh} / ({f_hh} + {e_hh})"),
        m4.vpredict(f"h2_d ~ 4 * {f_dd} / ({f_dd} + {e_dd})")])
    print("\ngenetic correlation and heritabilities (m4, vpredict):")
    print(ratios.to_string(float_format=lambda v: f"{v:.4f}"))
    cor = fits["m5"].varcomp.loc["trait:Family!trait_d:h!cor", ["component", "std.error"]]
    print(f"genetic correlation as the corgh parameter (m5): {cor.iloc[0]:.4f} "
          f"(SE {cor.iloc[1]:.4f})")
    sf = TRUE["Sf"]
    print(f"true r_g = {sf[0, 1] / np.sqrt(sf[0, 0] * sf[1, 1]):.4f}")
    if out is not None:
        plot_or_note(_plot, m4, ratios, Path(out))
    return fits


def _plot(m4: asr.AsremlFit, ratios: pd.DataFrame, out: Path) -> None:
    plt = pyplot()
    cr = m4.coef_random
    fam = cr[cr.index.str.startswith("trait:Family_")]
    h = fam[fam.index.str.contains("_h:")]["solution"].to_numpy()
    d = fam[fam.index.str.contains("_d:")]["solution"].to_numpy()
    fig, ax = plt.subplots(figsize=(4, 4))
    ax.scatter(h, d, s=12)
    ax.set_xlabel("family BLUP, height")
    ax.set_ylabel("family BLUP, diameter")
    ax.set_title(f"r_g = {ratios.loc['r_g', 'Estimate']:.2f} ± {ratios.loc['r_g', 'SE']:.2f}")
    save_figure(fig, out, "multivariate_trees.png")


if __name__ == "__main__":
    main(parser(__doc__).parse_args().out)
