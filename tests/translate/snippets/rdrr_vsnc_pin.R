# source: https://rdrr.io/github/VSNC/vsnc/man/pin.html
library(asreml)
data(harvey,package = "asreml")
head(harvey)
ainv <- asreml.Ainverse(harvey[,1:3])$ginv
mod.asr <- asreml(y1 ~ Line, random = ~ ped(Calf), ginverse = list(Calf = ainv),data=harvey)
summary(mod.asr)$varcomp
pin(mod.asr,h2 ~ V1/(V1+V2))
