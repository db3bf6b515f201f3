# source: https://cookbook.asreml.vsni.co.uk/asr/asr014.html
asr014 <- asreml(
  fixed = yield ~ variety + nitrogen + variety:nitrogen,
  random = ~block + block:wplot,
  residual = ~units,
  data = d011
)
asr014 <- asreml(
  fixed = yield ~ variety*nitrogen,
  random = ~block/wplot,
  residual = ~units,
  data = d011
)
