# Hold-out page: VSNi ASReml-R cookbook, ASR009 "LMM for a randomized complete block
# design with spatial analysis - Wheat varieties", https://cookbook.asreml.vsni.co.uk/asr/asr009.html
# (stored copy read 2026-12-06; the stored copy ends before the printed output: calls only).
# Data D001 = agridat's besag.elbatan (agridat_besag_elbatan.csv: local copy, scripts/fetched_data.py, MIT).
library(asreml)
d001 <- read.csv("agridat_besag_elbatan.csv")
d001$gen <- as.factor(d001$gen)
d001$col <- as.factor(d001$col)
d001$row <- as.factor(d001$row)

asr009 <- asreml(
  fixed = yield ~ 1 + col,
  random = ~gen,
  residual = ~ar1v(col):ar1(row),
  data = d001
)
summary(asr009, coef = TRUE)$coef.fixed
summary(asr009)$varcomp
