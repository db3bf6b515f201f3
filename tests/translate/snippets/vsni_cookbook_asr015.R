# source: https://cookbook.asreml.vsni.co.uk/asr/asr015.html
asr015 <- asreml(
  fixed = yield ~ rep,
  random = ~gen + rep:row + rep:bed,
  residual = ~units,
  data = d010
)
wald(asr015, denDF = 'numeric')$Wald
summary(asr015)$varcomp
