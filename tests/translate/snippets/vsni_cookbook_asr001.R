# source: https://cookbook.asreml.vsni.co.uk/asr/asr001.html
asr001 <- asreml(
  fixed = yield ~ col,
  random = ~gen,
  residual = ~units,
  data = d001
)
wald(asr001, denDF = 'numeric')$Wald
summary(asr001)$varcomp
vpredict(asr001, h2 ~ V1/(V1+V2))
BLUP <- summary(asr001, coef = TRUE)$coef.random
head(BLUP)
