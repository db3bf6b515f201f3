# residuals and fitted values bound to the data after a fit with missing responses (asreml's
# default na.method(y = "include") keeps one entry per data row), as scripts plot or save them
library(asreml)
dat <- read.csv("DT.csv")
dat$Yield[dat$Yield > 25] <- NA
n.miss <- sum(is.na(dat$Yield))
m <- asreml(fixed = Yield ~ Env, random = ~ Name, data = dat)
dat$res <- resid(m)
dat$fit <- fitted(m)
d2 <- cbind(dat, resid(m))
d3 <- data.frame(dat, r = residuals(m))
if (nrow(d2) != nrow(dat) || nrow(d3) != nrow(dat)) stop("residuals not one per data row")
if (sum(is.na(dat$res)) != n.miss || length(fitted(m)) != nrow(dat)) stop("NA not kept")
print(head(d2))
