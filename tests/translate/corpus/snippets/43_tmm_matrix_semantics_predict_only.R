# Session 13 (c15tmm; AparicioJohan/trainingMM teaching scripts): the response held in a
# global one-column matrix y (asreml finds it outside data=), the MME's right-hand side
# as rbind() of matrix %*% vector columns, m[i] of a named n x 1 solution, L %*% a 1 x 1
# value, predict(only = ) and a classify naming a vm() term, $pval (R's partial $),
# transmute(), pluck(), eigen(), a <- b <- list() filled per element, dimnames(l[[k]]) <-
library(asreml)
library(polyBreedR)
library(dplyr)
library(purrr)
dat <- read.csv("DT.csv")
dat <- dat[dat$Env %in% c("CA.2012", "CA.2013"), ]
dat$Name <- factor(dat$Name)
dat$Env <- factor(dat$Env)
g <- levels(dat$Name)
ped <- data.frame(id = g, p1 = NA, p2 = NA)
A <- A_mat(ped, ploidy = 2)
y <- matrix(dat$Yield)
fit <- asreml(fixed = y ~ Env, random = ~ vm(Name, A), data = dat)
X <- model.matrix(Yield ~ Env, dat)
Z <- model.matrix(Yield ~ -1 + Name, dat)
yv <- dat$Yield
rhs <- rbind(t(X) %*% yv, t(Z) %*% yv)
print(dim(rhs))
C <- rbind(cbind(t(X) %*% X, t(X) %*% Z), cbind(t(Z) %*% X, t(Z) %*% Z + diag(ncol(Z))))
sol <- solve(C) %*% rhs
rownames(sol) <- rownames(C)
print(sol[1:2])
L <- cbind(matrix(1, nrow = 3, ncol = 1))
print(L %*% sol[1, 1])
blups <- predict(fit, classify = "Name", only = "vm(Name, A)")$pval |>
  transmute(Name, blup = predicted.value)
print(head(blups))
print(head(predict(fit, classify = "vm(Name, A)")$pvals))
p <- predict(fit, classify = "Name", vcov = TRUE)
V <- p |> pluck("vcov")
ev <- eigen(V[1:3, 1:3])
print(round(ev$values, 4))
a <- b <- list()
for (e in levels(dat$Env)) {
  a[[e]] <- e
  b[[e]] <- matrix(1:4, 2)
  dimnames(b[[e]]) <- list(c("r1", "r2"), c("c1", "c2"))
}
print(names(a))
print(b[[1]])
