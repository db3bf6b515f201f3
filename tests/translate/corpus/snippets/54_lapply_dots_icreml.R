# c16newG (saulo-chaves/Cod_Pinus Espacial.R, mpeddu/lmmtools wheat.R): arguments after FUN
# in lapply() go on to FUN (icREML's lapply(1:n, function(el, Cfixed, which.X0, scale) ...,
# Cfixed, which.X0, scale)); max(0, x) and prod() combine all their arguments; lmmtools'
# icREML() of a list of fits and genherit1(); sapply(strsplit(x, "_"), "[", 1).
library(asreml)
library(lmmtools)
dat <- read.csv("DT.csv")
dat$Name <- factor(dat$Name)
dat$Env <- factor(dat$Env)
m1 <- asreml(Yield ~ Env, random = ~ Name, data = dat)
m2 <- asreml(Yield ~ Env, random = ~ Name + Name:Env, data = dat)
fm <- list(m1 = m1, m2 = m2)
lls <- c(m1$loglik, m2$loglik)
ll <- lapply(1:length(fm), function(el, lls, k) k * lls[el], lls, -2)
stopifnot(length(ll) == 2, ll[[1]] == -2 * m1$loglik)
sel <- icREML(fm)
print(sel)
stopifnot(all(sel$p == nlevels(dat$Env)), sel$q[2] == sel$q[1] + 1)
h2 <- genherit1(m2, id = "Name")
stopifnot(h2 > 0, h2 < 1)
stopifnot(max(-1, unlist(ll)) == max(unlist(ll)), prod(c(2, 3), 4) == 24)
loc <- sapply(strsplit(levels(dat$Env), ".", fixed = TRUE), "[", 1)
print(table(loc))
