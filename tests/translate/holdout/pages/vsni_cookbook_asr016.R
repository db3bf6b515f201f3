# Hold-out page: VSNi ASReml-R cookbook, ASR016 "LMM for a split-split-plot design with a
# three-way factorial - Apple trees cultivars", https://cookbook.asreml.vsni.co.uk/asr/asr016.html
# (stored copy read 2026-12-06; it ends before the model call and the output: the call is
# the page's model equation, y = mu + spacing*stock*gen + rep + rep:wplot + rep:wplot:subplot,
# with wplot = row x spacing and subplot = row x spacing x stock as the page describes).
# Data D013 = agridat's archbold.apple (agridat_archbold_apple.csv: local copy, scripts/fetched_data.py, MIT).
library(asreml)
d013 <- read.csv("agridat_archbold_apple.csv")
d013$rep <- as.factor(d013$rep)
d013$spacing <- as.factor(d013$spacing)
d013$stock <- as.factor(d013$stock)
d013$gen <- as.factor(d013$gen)
d013$wplot <- as.factor(paste(d013$row, d013$spacing, sep = "_"))
d013$subplot <- as.factor(paste(d013$row, d013$spacing, d013$stock, sep = "_"))

asr016 <- asreml(
  fixed = yield ~ spacing*stock*gen,
  random = ~rep + rep:wplot + rep:wplot:subplot,
  residual = ~units,
  data = d013
)
wald(asr016, denDF = 'numeric')$Wald
summary(asr016)$varcomp
