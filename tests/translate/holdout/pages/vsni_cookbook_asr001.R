# Hold-out page: VSNi ASReml-R cookbook, ASR001 "LMM for a randomized complete block
# design - Wheat varieties", https://cookbook.asreml.vsni.co.uk/asr/asr001.html
# (stored copy read 2026-12-06; asreml-R 4.x output). The page's calls, restated; its data
# D001 is agridat's besag.elbatan (agridat_besag_elbatan.csv: local copy, scripts/fetched_data.py, MIT).
# The expect_lt() lines hold the numbers the page prints (one unit of the last digit).
library(asreml)
library(testthat)
d001 <- read.csv("agridat_besag_elbatan.csv")
d001$gen <- as.factor(d001$gen)
d001$col <- as.factor(d001$col)

asr001 <- asreml(
  fixed = yield ~ col,
  random = ~gen,
  residual = ~units,
  data = d001
)

wt <- wald(asr001, denDF = 'numeric')$Wald
expect_lt(abs(wt["(Intercept)", "denDF"] - 49), 1)
expect_lt(abs(wt["(Intercept)", "F.inc"] - 967.9), 0.1)
expect_lt(abs(wt["col", "denDF"] - 98), 1)
expect_lt(abs(wt["col", "F.inc"] - 1.135), 1e-3)
expect_lt(abs(wt["col", "Pr"] - 0.3257146), 1e-7)

vc <- summary(asr001)$varcomp
expect_lt(abs(vc["gen", "component"] - 0.1388994), 1e-7)
expect_lt(abs(vc["gen", "std.error"] - 0.06738716), 1e-8)
expect_lt(abs(vc["gen", "z.ratio"] - 2.061215), 1e-6)
expect_lt(abs(vc["units!R", "component"] - 0.5153082), 1e-7)
expect_lt(abs(vc["units!R", "std.error"] - 0.07361595), 1e-8)

h2 <- vpredict(asr001, h2 ~ V1/(V1+V2))
expect_lt(abs(h2$Estimate - 0.2123171), 1e-7)
expect_lt(abs(h2$SE - 0.09254986), 1e-8)

BLUP <- summary(asr001, coef = TRUE)$coef.random
head(BLUP)
expect_lt(abs(BLUP["gen_G01", "solution"] - 0.42473388), 1e-8)
expect_lt(abs(BLUP["gen_G02", "solution"] - 0.28676626), 1e-8)
expect_lt(abs(BLUP["gen_G03", "solution"] - 0.26607112), 1e-8)
expect_lt(abs(BLUP["gen_G01", "std.error"] - 0.2793489), 1e-7)
