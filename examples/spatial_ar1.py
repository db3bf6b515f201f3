"""A field trial analysed with a separable autoregressive residual, ar1(Row):ar1(Col).

Simulated trial: ``n_row`` x ``n_col`` plots, genotypes each planted ``reps`` times at
random positions. The plot errors follow a separable first-order autoregressive process,

    Var(e) = σ² Σ_row(ρ_r) ⊗ Σ_col(ρ_c),   Σ(ρ)_ij = ρ^|i−j|,

with known σ² = 2, ρ_r = 0.6 and ρ_c = 0.4 (plots ordered by Row, then Col within Row).
Two models are fitted:

    asreml(y ~ 1, random = ~ Geno, residual = ~ units)                 # independent plots
    asreml(y ~ 1, random = ~ Geno, residual = ~ ar1(Row):ar1(Col))     # spatial

Row and Col must be factors whose levels are in field order: here they are integers read
with ``factors=["Row", "Col"]`` (text labels "1", "10", "2", ... would sort as text).
Prints both variance-component tables, AIC/BIC and how well each model's genotype BLUPs
track the true genotype values; saves a map of the spatial model's residuals.

    python examples/spatial_ar1.py [OUT_DIR]      (default ./asr_py_output)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from _common import parser, plot_or_note, pyplot, save_figure

import asr_py as asr

TRUE = {"sigma2": 2.0, "rho_row": 0.6, "rho_col": 0.4, "sigma2_geno": 1.0}


def ar1_corr(n: int, rho: float) -> np.ndarray:
    """The n x n AR(1) correlation matrix ρ^|i−j|."""
    i = np.arange(n)
    return rho ** np.abs(i[:, None] - i[None, :])


def simulate(n_row: int = 30, n_col: int = 20, reps: int = 4, seed: int = 5
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(plots: Row, Col, Geno, y, e; genotypes: true values by Geno)."""
    rng = np.random.default_rng(seed)
    n = n_row * n_col
    n_geno = n // reps
    lr = np.linalg.cholesky(ar1_corr(n_row, TRUE["rho_row"]))
    lc = np.linalg.cholesky(ar1_corr(n_col, TRUE["rho_col"]))
    # E = Lr Z Lc' has Var(vec_row-major(E)) = Σ_row ⊗ Σ_col
    e = (lr @ rng.normal(size=(n_row, n_col)) @ lc.T).ravel() * np.sqrt(TRUE["sigma2"])
    row, col = np.meshgrid(np.arange(1, n_row + 1), np.arange(1, n_col + 1), indexing="ij")
    geno = rng.permutation(np.resize(np.arange(n_geno), n))
    gv = rng.normal(0.0, np.sqrt(TRUE["sigma2_geno"]), n_geno)
    names = np.array([f"G{i + 1:03d}" for i in range(n_geno)])
    plots = pd.DataFrame({"Row": row.ravel(), "Col": col.ravel(), "Geno": names[geno],
                          "y": 50.0 + gv[geno] + e, "e": e})
    return plots, pd.DataFrame({"value": gv}, index=pd.Index(names, name="Geno"))


def main(out: Path | None = None, n_row: int = 30, n_col: int = 20) -> dict[str, object]:
    """Fit both models, print the tables, save the residual map into ``out``."""
    plots, geno = simulate(n_row, n_col)
    print(f"{n_row} x {n_col} plots, {len(geno)} genotypes; true values {TRUE}")
    kw = dict(data=plots[["Row", "Col", "Geno", "y"]], factors=["Row", "Col"])
    iid = asr.asreml("y ~ 1", "~ Geno", "~ units", **kw)
    spatial = asr.asreml("y ~ 1", "~ Geno", "~ ar1(Row):ar1(Col)", **kw)
    table = []
    for name, m in (("independent", iid), ("ar1(Row):ar1(Col)", spatial)):
        print(f"\n=== residual {name}: converged={m.converged}, loglik={m.loglik:.3f} ===")
        print(m.varcomp.to_string(float_format=lambda v: f"{v:.4g}"))
        cr = m.coef_random
        blup = cr["solution"].rename(lambda s: s.removeprefix("Geno_")).reindex(geno.index)
        table.append({"residual": name, "loglik": m.loglik, "parameters": m.n_estimated,
                      "AIC": m.aic, "BIC": m.bic,
                      "r(BLUP, true genotype)": np.corrcoef(blup, geno["value"])[0, 1]})
    comparison = pd.DataFrame(table).set_index("residual")
    print("\nmodel comparison:")
    print(comparison.to_string(float_format=lambda v: f"{v:.3f}"))
    vc = spatial.varcomp
    print(f"\nestimated rho_row = {vc['component'].iloc[2]:.3f} "
          f"(SE {vc['std.error'].iloc[2]:.3f}, true {TRUE['rho_row']}), rho_col = "
          f"{vc['component'].iloc[3]:.3f} (SE {vc['std.error'].iloc[3]:.3f}, "
          f"true {TRUE['rho_col']})")
    if out is not None:
        plot_or_note(_plot, plots, spatial, Path(out))
    return {"plots": plots, "geno": geno, "iid": iid, "spatial": spatial,
            "comparison": comparison}


def _plot(plots: pd.DataFrame, m: asr.AsremlFit, out: Path) -> None:
    plt = pyplot()
    res = plots[["Row", "Col"]].assign(r=m.residuals.reindex(plots.index).to_numpy())
    grid = res.pivot(index="Row", columns="Col", values="r")
    fig, ax = plt.subplots(figsize=(4.5, 5))
    im = ax.imshow(grid.to_numpy(), origin="lower", cmap="RdBu_r", aspect="auto",
                   extent=(0.5, grid.shape[1] + 0.5, 0.5, grid.shape[0] + 0.5))
    fig.colorbar(im, ax=ax, label="residual (y − Xβ̂ − Zû)")
    ax.set_xlabel("Col")
    ax.set_ylabel("Row")
    ax.set_title("Residuals, ar1(Row):ar1(Col) model")
    save_figure(fig, out, "spatial_ar1.png")


if __name__ == "__main__":
    main(parser(__doc__).parse_args().out)
