# source: https://cookbook.asreml.vsni.co.uk/asr/asr009.html
asr009 <- asreml(
  fixed = yield ~ 1 + col,
  random = ~gen,
  residual = ~ar1v(col):ar1(row),
  data = d001
)
summary(asr009, coef = TRUE)$coef.fixed
