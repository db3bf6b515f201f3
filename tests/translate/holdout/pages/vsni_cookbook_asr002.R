# Hold-out page: VSNi ASReml-R cookbook, ASR002 "LMM for a randomized complete block
# design with covariates - Wheat varieties", https://cookbook.asreml.vsni.co.uk/asr/asr002.html
# (stored copy read 2026-12-06; asreml-R 4.x). The page's calls, restated; data D001 =
# agridat's besag.elbatan (agridat_besag_elbatan.csv: local copy, scripts/fetched_data.py, MIT). expect_lt(): the
# printed numbers (asreml's wald rounds F to 4 significant digits and denDF to 1 decimal).
library(asreml)
library(testthat)
d001 <- read.csv("agridat_besag_elbatan.csv")
d001$gen <- as.factor(d001$gen)
d001$row <- as.numeric(d001$row)
d001$col <- as.numeric(d001$col)

asr002 <- asreml(
  fixed = yield ~ col + row,
  random = ~gen,
  residual = ~units,
  data = d001
)

wt <- wald(asr002, denDF = 'numeric')$Wald
expect_lt(abs(wt["(Intercept)", "denDF"] - 48.8), 0.1)
expect_lt(abs(wt["col", "denDF"] - 98.1), 0.1)
expect_lt(abs(wt["row", "denDF"] - 127.4), 0.1)
expect_lt(abs(wt["(Intercept)", "F.inc"] - 1318), 1)
expect_lt(abs(wt["col", "F.inc"] - 4.855), 1e-3)
expect_lt(abs(wt["row", "F.inc"] - 129.6), 0.1)
expect_lt(abs(wt["col", "Pr"] - 0.02990027), 1e-8)

cf <- summary(asr002, coef = TRUE)$coef.fixed
expect_lt(abs(cf["(Intercept)", "solution"] - 3.57713516), 1e-8)
expect_lt(abs(cf["col", "solution"] - (-0.10808700)), 1e-8)
expect_lt(abs(cf["row", "solution"] - (-0.03563415)), 1e-8)
expect_lt(abs(cf["(Intercept)", "std error"] - 0.143371942), 1e-9)
expect_lt(abs(cf["col", "std error"] - 0.049053064), 1e-9)
expect_lt(abs(cf["row", "std error"] - 0.003129811), 1e-9)
expect_lt(abs(cf["row", "z.ratio"] - (-11.385402)), 1e-6)
