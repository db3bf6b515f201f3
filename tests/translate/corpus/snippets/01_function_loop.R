# fit one model per environment inside a function called in a loop
library(asreml)
dat <- read.csv("DT.csv")
dat$Name <- as.factor(dat$Name)
one_env <- function(d, env, maxit = 20) {
  sub <- droplevels(d[d$Env == env, ])
  fit <- asreml(fixed = Yield ~ 1, random = ~ Name, data = sub, maxit = maxit)
  fit$loglik
}
envs <- c("CA.2011", "CA.2012", "CA.2013")
ll <- c()
for (e in envs) {
  ll <- c(ll, one_env(dat, e))
}
print(ll)
