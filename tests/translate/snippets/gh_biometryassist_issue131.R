# source: https://github.com/biometryhub/biometryassist/issues/131
pred.obj <-asreml::predict.asreml(object = mod.asr, classify = "x",sed = TRUE)
