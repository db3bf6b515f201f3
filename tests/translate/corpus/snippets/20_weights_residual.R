library(asreml)
dat <- read.csv("DT.csv")
dat$Name <- factor(dat$Name)
dat$Env <- factor(dat$Env)
dat$wt <- 1 / (1 + abs(dat$Weight))
m <- asreml(Yield ~ Env, random = ~ Name, residual = ~ dsum(~ units | Env),
            weights = wt, data = dat, na.action = na.method(x = "omit", y = "omit"))
