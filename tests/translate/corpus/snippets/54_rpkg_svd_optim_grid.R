# Session 14 (c16rpkg): functions of base R and other packages scripts call around their
# fits. FA loadings rotated by svd()$v (saulo-chaves MET scripts); a REML log-likelihood
# written by hand and maximised by optimr(method = "nlminb") / optim() (AparicioJohan/
# trainingMM 09_remlikelihood: log(det(V)), diag(V) <- ..., |> drop()); a table of pairs
# from tidyr::expand_grid() with purrr's map2_dbl() and pmax()/pmin() (trainingMM 08).
library(asreml)
library(dplyr)
library(purrr)
library(optimx)
dat <- read.csv("DT.csv")
L <- cbind(c(0.9, 0.7, 0.5, 0.8), c(0.2, -0.3, 0.4, 0.1))
s <- svd(L)
Ls <- L %*% s$v * -1
stopifnot(abs(sum(Ls %*% t(Ls) - L %*% t(L))) < 1e-10, length(s$d) == 2)
y <- c(5.1, 4.8, 5.5, 6.9, 7.2, 6.6, 4.1, 3.8, 4.4, 6.0, 6.3, 5.8)
g <- factor(rep(1:4, each = 3))
d <- data.frame(y = y, g = g)
X <- model.matrix(~ 1, d)
Z <- model.matrix(~ -1 + g, d)
negll <- function(theta, y, X, Z) {
  V <- Z %*% diag(x = theta[1], nrow = ncol(Z)) %*% t(Z) + diag(x = theta[2], nrow = length(y))
  diag(V) <- diag(V) + 1e-14
  Vi <- solve(V)
  XVX <- t(X) %*% Vi %*% X
  b <- solve(XVX) %*% t(X) %*% Vi %*% y
  yPy <- t(y) %*% (Vi %*% y - Vi %*% X %*% b) |> drop()
  0.5 * (log(det(V)) + log(det(XVX)) + yPy)
}
sol <- optimr(par = c(0.1, 0.1), fn = negll, lower = c(0, 0), upper = c(Inf, Inf),
              y = y, X = X, Z = Z, method = "nlminb")
# balanced one-way: the REML estimates are the ANOVA ones
msw <- sum((y - rep(tapply(y, g, mean), each = 3))^2) / 8
msb <- 3 * sum((tapply(y, g, mean) - mean(y))^2) / 3
stopifnot(abs(sol$par[2] - msw) < 1e-3, abs(sol$par[1] - (msb - msw) / 3) < 1e-3)
negll_log <- function(lt, y, X, Z) negll(exp(lt), y, X, Z)
nm <- optim(log(c(0.5, 0.5)), negll_log, y = y, X = X, Z = Z)
stopifnot(nm$convergence == 0, abs(exp(nm$par[2]) - msw) < 1e-2)
ids <- levels(g)
pairs_tbl <- tidyr::expand_grid(i = seq_len(4), j = seq_len(4)) %>%
  filter(i < j) %>%
  transmute(gen1 = ids[i], gen2 = ids[j],
            vd = map2_dbl(i, j, ~ abs(.x - .y)),
            h = pmax(pmin(1 - vd / 4, 1), 0))
stopifnot(nrow(pairs_tbl) == 6, max(pairs_tbl$h) == 0.75)
fit <- asreml(fixed = Yield ~ Env, random = ~ Name, data = dat)
print(det(diag(c(2, 3))))
