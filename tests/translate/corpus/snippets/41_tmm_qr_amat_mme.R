# Session 12 (c14tmm; AparicioJohan/trainingMM teaching scripts): a pedigree relationship
# matrix from polyBreedR's A_mat() fitted with vm(); the MME built by hand with named
# design matrices (dimnames through %*%, t(), cbind/rbind, bdiag); REML's error contrasts
# from qr.Q(qr(X), complete = TRUE); simulated noise with rnorm(); mutate() sequential.
library(asreml)
library(polyBreedR)
library(dplyr)
dat <- read.csv("DT.csv")
dat <- dat[dat$Env %in% c("CA.2013", "CA.2014"), ]
dat$Name <- factor(dat$Name)
dat$Env <- factor(dat$Env)
g <- levels(dat$Name)
ped <- data.frame(id = g, p1 = NA, p2 = NA)
A <- A_mat(ped, ploidy = 2)
fit <- asreml(Yield ~ Env, random = ~ vm(Name, A), data = dat)
X <- model.matrix(Yield ~ Env, dat)
Z <- model.matrix(Yield ~ -1 + Name, dat)
G <- bdiag(A * 0.5)
Rinv <- chol2inv(chol(diag(1, nrow = nrow(dat))))
C <- rbind(cbind(t(X) %*% Rinv %*% X, t(X) %*% Rinv %*% Z),
           cbind(t(Z) %*% Rinv %*% X, t(Z) %*% Rinv %*% Z + solve(G)))
print(rownames(C)[1:3])
n <- nrow(X)
p <- qr(X)$rank
L <- qr.Q(qr(X), complete = TRUE)[, (p + 1):n]
set.seed(1)
eps <- rnorm(n, sd = 0.1)
dat <- dat |> mutate(noisy = Yield + eps, noisy = round(noisy, 1))
print(dim(L))
