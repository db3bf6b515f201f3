# Hold-out page: ASReml-S reference manual (VSN International), section 8.2 "Split Plot
# Design", as stored at https://www.yumpu.com/en/document/view/50857650/asreml-s-reference-manual-vsn-international/93
# (stored copy read 2026-12-06; asreml-S/R 2-3 syntax and output). The manual's model,
# restated: fixed Variety*Nitrogen, random Blocks and Blocks:Wplots; data asreml's oats,
# here asremlPlus's Oats.dat, the same 72 plots (asremlplus_oats.csv: local copy, scripts/fetched_data.py, MIT).
# expect_lt(): the manual's printed gamma, component and std.error (its z.ratio follows).
library(asreml)
library(testthat)
oats <- read.csv("asremlplus_oats.csv")
oats$Blocks <- as.factor(oats$Blocks)
oats$Wplots <- as.factor(oats$Wplots)
oats$Nitrogen <- as.factor(oats$Nitrogen)
oats$Variety <- as.factor(oats$Variety)
oats.asr <- asreml(Yield ~ Variety*Nitrogen, random = ~ Blocks/Wplots, data = oats)
vc <- summary(oats.asr)$varcomp
expect_lt(abs(vc[1, "component"] - 214.4808), 1e-4)
expect_lt(abs(vc[1, "std.error"] - 168.78653), 1e-5)
expect_lt(abs(vc[2, "component"] - 106.0637), 1e-4)
expect_lt(abs(vc[2, "std.error"] - 67.87730), 1e-5)
expect_lt(abs(vc[3, "component"] - 177.0864), 1e-4)
expect_lt(abs(vc[3, "std.error"] - 37.33342), 1e-5)
