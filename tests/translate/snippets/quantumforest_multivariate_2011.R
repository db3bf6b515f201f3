# source: https://luis.apiolaza.net/2011/11/01/multivariate-linear-mixed-models-livin-la-vida-loca/
library(asreml)
canty <- read.csv('canty_trials.csv', header = TRUE)
summary(canty)
m1 <- asreml(bden ~ 1, random = ~ Block + Family, data = canty)
summary(m1)$varcomp
m2 <- asreml(veloc ~ 1, random = ~ Block + Family, data = canty)
summary(m2)$varcomp
