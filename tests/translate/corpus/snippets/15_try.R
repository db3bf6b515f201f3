library(asreml)
dat <- read.csv("DT.csv")
dat$Name <- factor(dat$Name)
fit <- try(asreml(Yield ~ 1, random = ~ Name, data = dat), silent = TRUE)
if (inherits(fit, "try-error")) {
  fit <- asreml(Yield ~ 1, data = dat)
}
print(fit$loglik)
