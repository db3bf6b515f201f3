# Session 13 (c15mat): arithmetic of names the script assigned a matrix to is positional
# (R never aligns matrices by dimnames: AparicioJohan/trainingMM's Gg - C22_g of two
# matrices with different dimnames); t() of a vector is a 1 x n matrix, so
# lambda %*% t(lambda) is the outer product (mdkrause's FA loadings).
library(asreml)
dat <- read.csv("DT.csv")
X <- model.matrix(~ Env, dat)
Cinv <- solve(crossprod(X) + diag(1, ncol(X)))
C22 <- Cinv[2:3, 2:3]
Gg <- matrix(c(2, 0.5, 0.5, 1), 2, 2, dimnames = list(c("a", "b"), c("a", "b")))
var_uhat <- Gg - C22
stopifnot(all(!is.na(var_uhat)))
lambda <- c(0.9, 0.7, 0.5)
Psi <- diag(c(0.2, 0.3, 0.4))
G <- lambda %*% t(lambda) + Psi
print(round(cov2cor(G), 3))
# mutate_at() with a list of one purrr lambda: . is the column, other names columns first
library(dplyr)
ids <- levels(factor(dat$Name))[1:5]
dat2 <- mutate_at(dat, vars(Yield), list(~ ifelse(Name %in% ids, NA, .)))
stopifnot(sum(is.na(dat2$Yield)) == sum(dat$Name %in% ids))
