# fa loadings read from vparameters by position, as asremlPlus's test41MET.r and MET
# scripts do: asreml lists every loading ('!fa1' of each level, then '!fa2' ...), the
# structural zeros of k >= 2 included, on the ratio scale (G = sigma2 * (L L' + Psi)).
library(asreml)
dat <- read.csv("DT.csv")
dat$Env <- factor(dat$Env)
dat$Name <- factor(dat$Name)
m <- asreml(Yield ~ Env, random = ~ fa(Env, 1):Name, data = dat, maxit = 30)
vp <- m$vparameters
loads <- matrix(vp[grepl("!fa", names(vp), fixed = TRUE)], ncol = 1)
psi <- diag(vp[grepl("!var", names(vp), fixed = TRUE)])
G <- m$sigma2 * (loads %*% t(loads) + psi)
stopifnot(nrow(loads) == nlevels(dat$Env), all(diag(G) > 0))
print(round(G, 3))
