# source: https://cookbook.asreml.vsni.co.uk/asr/asr002.html
d001$gen <- as.factor(d001$gen)
d001$row <- as.numeric(d001$row)
d001$col <- as.numeric(d001$col)
asr002 <- asreml(
  fixed = yield ~ col + row,
  random = ~gen,
  residual = ~units,
  data = d001
)
wald(asr002, denDF = 'numeric')$Wald
summary(asr002, coef = TRUE)$coef.fixed
