# Hold-out page: "Spatial correlation in designed experiments" (Luis Apiolaza, Quantum
# Forest, October 2011), http://www.quantumforest.com/2011/10/spatial-correlation-in-designed-experiments/
# (stored copy read 2026-12-06; asreml-R 3 output; the stored copy ends after model m1).
# Data cravens.Rdata is the author's, not public: translate only. Printed for m1: loglik
# -8834.071; Block 1227.4058 (s.e. 168.84681), Family 145.9898 (42.20675), R 2333.1722
# (78.32733).
library(ggplot2)
library(asreml)
load('cravens.Rdata')
qplot(col, row, fill = Surv, geom='tile', data = cravens)
m1 = asreml(ht ~ 1, random = ~ Block + Family, data = cravens)
summary(m1)$loglik
summary(m1)$varcomp
