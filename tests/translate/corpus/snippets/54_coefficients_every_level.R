# Session 14 (c16layout): fit$coefficients$fixed lists every level of a fixed factor, the
# reference one 0, (Intercept) first (asreml 4.2): BLUEs taken as intercept + effects
# (AGENTproject's notebooks) keep the first level, whose BLUE is the intercept.
library(asreml)
dat <- read.csv("DT.csv")
dat$Env <- factor(dat$Env)
dat$Name <- factor(dat$Name)
m <- asreml(Yield ~ Env, random = ~ Name, data = dat)
intercept <- m$coefficients$fixed[1]
BLUE <- m$coefficients$fixed[-1, ] + intercept
stopifnot(length(BLUE) == nlevels(dat$Env))
stopifnot(abs(BLUE[1] - intercept) < 1e-12)
cf <- summary(m, coef = TRUE)$coef.fixed
stopifnot(nrow(cf) == nlevels(dat$Env) + 1)
print(BLUE)
