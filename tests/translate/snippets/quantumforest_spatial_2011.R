# source: http://www.quantumforest.com/2011/10/spatial-correlation-in-designed-experiments/
library(asreml)
load('cravens.Rdata')
m1 = asreml(ht ~ 1, random = ~ Block + Family, data = cravens)
summary(m1)$loglik
summary(m1)$varcomp
