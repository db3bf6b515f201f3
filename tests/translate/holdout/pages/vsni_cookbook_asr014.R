# Hold-out page: VSNi ASReml-R cookbook, ASR014 "LMM for a split-plot design with
# covariates - Oats varieties", https://cookbook.asreml.vsni.co.uk/asr/asr014.html
# (stored copy read 2026-12-06; it ends before the printed output: calls only). Data D011 =
# asreml's oats (block, nitrogen, subplot, variety, wplot, yield, ...), here asremlPlus's
# Oats.dat, the same 72 plots in the same order (asremlplus_oats.csv: local copy, scripts/fetched_data.py, MIT),
# renamed to D011's column names.
library(asreml)
d011 <- read.csv("asremlplus_oats.csv")
names(d011) <- c("block", "wplot", "subplot", "variety", "nitrogen", "nrate", "yield")
d011$block <- as.factor(d011$block)
d011$wplot <- as.factor(d011$wplot)
d011$variety <- as.factor(d011$variety)
d011$nitrogen <- as.factor(d011$nitrogen)

asr014 <- asreml(
  fixed = yield ~ variety + nitrogen + variety:nitrogen,
  random = ~block + block:wplot,
  residual = ~units,
  data = d011
)
asr014b <- asreml(
  fixed = yield ~ variety*nitrogen,
  random = ~block/wplot,
  residual = ~units,
  data = d011
)
wald(asr014, denDF = 'numeric')$Wald
summary(asr014)$varcomp
summary(asr014b)$varcomp
