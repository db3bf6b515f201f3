"""Genomic prediction (GBLUP) with k-fold cross-validated predictive ability.

Simulated breeding population: ``n_lines`` lines, each a cross of two of ``n_parents``
parents, genotyped at ``n_markers`` bi-allelic markers (0/1/2). Every marker carries a small
normal effect; the genetic values g are scaled to variance 0.5 and a residual of variance
0.5 is added, so h² = 0.5.

GBLUP: G = VanRaden's genomic relationship matrix (``asr.gmatrix``, with a ridge of 0.01 on
the diagonal so it can be inverted) and

    asreml(y ~ 1, random = ~ vm(id, G), data = ...)

The lines are split at random into k folds. For each fold its phenotypes are set to NA; the
model is fitted to the others and the BLUPs ĝ of the masked lines (they are in G, so they
get predictions through their genomic relationships) are compared with their phenotypes:
predictive ability r(ĝ, y), and, since the truth is known here, accuracy r(ĝ, g).
Prints one row per fold and the mean; saves a plot of predicted against observed values.

    python examples/gblup_cv.py [OUT_DIR]      (default ./asr_py_output)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from _common import parser, plot_or_note, pyplot, save_figure

import asr_py as asr

H2 = 0.5


def simulate(n_lines: int = 300, n_markers: int = 800, n_parents: int = 20,
             seed: int = 11) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(phenotypes: id, y, g (true genetic value); markers: lines x markers, index = id)."""
    rng = np.random.default_rng(seed)
    freq = rng.uniform(0.05, 0.95, n_markers)
    parents = rng.binomial(1, freq, size=(n_parents, 2, n_markers))  # two haplotypes each
    pairs = np.array([rng.choice(n_parents, 2, replace=False) for _ in range(n_lines)])
    # each line gets one random haplotype (per marker) from each of its two parents
    pick = rng.integers(0, 2, size=(n_lines, 2, n_markers))
    m = np.arange(n_markers)
    hap1 = parents[pairs[:, 0][:, None], pick[:, 0], m]
    hap2 = parents[pairs[:, 1][:, None], pick[:, 1], m]
    M = (hap1 + hap2).astype(float)
    ids = [f"L{i + 1:04d}" for i in range(n_lines)]
    g = (M - M.mean(axis=0)) @ rng.normal(0.0, 1.0, n_markers)
    g = (g - g.mean()) / g.std() * np.sqrt(H2)
    y = 100.0 + g + rng.normal(0.0, np.sqrt(1.0 - H2), n_lines)
    pheno = pd.DataFrame({"id": ids, "y": y, "g": g})
    return pheno, pd.DataFrame(M, index=pd.Index(ids, name="id"))


def cross_validate(pheno: pd.DataFrame, G: asr.RelMatrix, k: int = 5, seed: int = 1
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """k-fold CV: (table per fold, predictions of every line when it was masked)."""
    rng = np.random.default_rng(seed)
    fold = rng.permutation(np.arange(len(pheno)) % k)
    rows, preds = [], []
    for f in range(k):
        test = fold == f
        train = pheno[["id", "y"]].copy()
        train.loc[test, "y"] = np.nan  # masked: the lines stay in G and get a BLUP
        m = asr.asreml("y ~ 1", "~ vm(id, G)", data=train, G=G)
        cr = m.coef_random
        gebv = cr["solution"].rename(lambda s: s.removeprefix("vm(id, G)_"))
        t = pheno[test]
        pred = gebv.reindex(t["id"]).to_numpy()
        vc = m.varcomp["component"]
        rows.append({"fold": f + 1, "n_train": int((~test).sum()), "n_test": int(test.sum()),
                     "sigma2_g": vc.iloc[0], "sigma2_e": vc.iloc[1],
                     "h2_hat": vc.iloc[0] / vc.sum(), "converged": m.converged,
                     "r(gebv, y)": np.corrcoef(pred, t["y"])[0, 1],
                     "r(gebv, g)": np.corrcoef(pred, t["g"])[0, 1]})
        preds.append(pd.DataFrame({"id": t["id"].to_numpy(), "fold": f + 1, "gebv": pred,
                                   "y": t["y"].to_numpy(), "g": t["g"].to_numpy()}))
    return pd.DataFrame(rows).set_index("fold"), pd.concat(preds, ignore_index=True)


def main(out: Path | None = None, n_lines: int = 300, n_markers: int = 800, k: int = 5
         ) -> dict[str, object]:
    """Simulate, cross-validate, print the per-fold table, save the plot into ``out``."""
    pheno, markers = simulate(n_lines, n_markers)
    G = asr.gmatrix(markers, min_maf=0.01, ridge=0.01)
    print(f"{n_lines} lines, {G.info['n_markers_used']} markers used of {n_markers}; "
          f"mean diag(G) = {np.mean(np.diag(G.matrix)):.3f}; simulated h2 = {H2}")
    folds, preds = cross_validate(pheno, G, k)
    print(f"\n{k}-fold cross-validation (GBLUP, masked phenotypes):")
    print(folds.to_string(float_format=lambda v: f"{v:.3f}"))
    pa = folds["r(gebv, y)"].mean()
    print(f"\nmean predictive ability r(gebv, y) = {pa:.3f}; mean accuracy r(gebv, g) = "
          f"{folds['r(gebv, g)'].mean():.3f}; predictive ability / sqrt(h2) = "
          f"{pa / np.sqrt(H2):.3f}")
    if out is not None:
        plot_or_note(_plot, preds, pa, Path(out))
    return {"pheno": pheno, "G": G, "folds": folds, "predictions": preds}


def _plot(preds: pd.DataFrame, pa: float, out: Path) -> None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(4.5, 4))
    sc = ax.scatter(preds["gebv"], preds["y"], c=preds["fold"], s=10, cmap="viridis")
    ax.set_xlabel("GEBV (phenotype masked)")
    ax.set_ylabel("observed phenotype")
    ax.set_title(f"GBLUP cross-validation, mean r = {pa:.2f}")
    fig.colorbar(sc, ax=ax, label="fold")
    save_figure(fig, out, "gblup_cv.png")


if __name__ == "__main__":
    main(parser(__doc__).parse_args().out)
