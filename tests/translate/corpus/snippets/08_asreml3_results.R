library(asreml)
dat <- read.csv("DT.csv")
dat$Env <- as.factor(dat$Env)
dat$Name <- as.factor(dat$Name)
m <- asreml(fixed = Yield ~ Env, random = ~ Name, rcov = ~ units,
            na.method.X = "omit", data = dat)
pv <- predict(m, classify = "Env")$predictions$pvals
g <- m$gammas
b <- m$coefficients$fixed
u <- coef(m)$random
w <- wald(m)
