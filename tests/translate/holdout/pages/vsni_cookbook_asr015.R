# Hold-out page: VSNi ASReml-R cookbook, ASR015 "LMM for a row-column design with nested
# effects - Spring barley varieties", https://cookbook.asreml.vsni.co.uk/asr/asr015.html
# (stored copy read 2026-12-06; asreml-R 4.x). The page's calls, restated; data D010 =
# agridat's durban.rowcol (agridat_durban_rowcol.csv: local copy, scripts/fetched_data.py, MIT). expect_lt(): the
# numbers the page prints (the stored copy ends inside the residual's row).
library(asreml)
library(testthat)
d010 <- read.csv("agridat_durban_rowcol.csv")
d010$rep <- as.factor(d010$rep)
d010$gen <- as.factor(d010$gen)
d010$row <- as.factor(d010$row)
d010$bed <- as.factor(d010$bed)

asr015 <- asreml(
  fixed = yield ~ rep,
  random = ~gen + rep:row + rep:bed,
  residual = ~units,
  data = d010
)

wt <- wald(asr015, denDF = 'numeric')$Wald
expect_lt(abs(wt["(Intercept)", "denDF"] - 28.1), 0.1)
expect_lt(abs(wt["(Intercept)", "F.inc"] - 9816), 1)
expect_lt(abs(wt["rep", "denDF"] - 23.7), 0.1)
expect_lt(abs(wt["rep", "F.inc"] - 1.504), 1e-3)
expect_lt(abs(wt["rep", "Pr"] - 0.2321964), 1e-7)

vc <- summary(asr015)$varcomp
expect_lt(abs(vc["rep:row", "component"] - 0.03115915), 1e-8)
expect_lt(abs(vc["rep:row", "std.error"] - 0.012943351), 1e-9)
expect_lt(abs(vc["rep:row", "z.ratio"] - 2.407348), 1e-6)
expect_lt(abs(vc["rep:bed", "component"] - 0.05255079), 1e-8)
expect_lt(abs(vc["rep:bed", "std.error"] - 0.011455872), 1e-9)
expect_lt(abs(vc["rep:bed", "z.ratio"] - 4.587237), 1e-6)
expect_lt(abs(vc["gen", "component"] - 0.06962016), 1e-8)
expect_lt(abs(vc["gen", "std.error"] - 0.010053014), 1e-9)
expect_lt(abs(vc["gen", "z.ratio"] - 6.925302), 1e-6)
expect_lt(abs(vc["units!R", "component"] - 0.06622248), 1e-8)
