# teaching script: ANOVA estimates of variance components from lm(), then the mixed model
# equations built by hand from model.matrix() and chol2inv(chol()), then asreml
library(asreml)
library(data.table)
dat <- read.csv("DT.csv")
dat <- droplevels(subset(dat, Env == "CA.2013"))
dat$Name <- as.factor(dat$Name)
dat$Block <- as.factor(dat$Block)
mod <- lm(Yield ~ 1 + Block + Name, data = dat)
aov_table <- as.data.frame(anova(mod))
var_e <- aov_table["Residuals", "Mean Sq"]
print(coef(mod)[1:3])
X <- model.matrix(Yield ~ 1 + Block, dat)
Z <- model.matrix(Yield ~ -1 + Name, dat)
y <- dat$Yield
G <- diag(x = 0.5, nrow = ncol(Z))
R <- diag(x = var_e, nrow = nrow(dat))
C11 <- t(X) %*% chol2inv(chol(R)) %*% X
C22 <- t(Z) %*% chol2inv(chol(R)) %*% Z + solve(G)
Ginv <- MASS::ginv(C22)
fit <- asreml(fixed = Yield ~ Block, random = ~ Name, data = dat)
tab <- data.table(dat)
print(nrow(tab))
