# c15misc (AaronRendahl/Jane-asreml-modeling's getcoefp/WaldChi2): rows of a coefficient
# table kept by a mask built from x[, j] (row names kept), rowSums()/colMeans() of a matrix
# and of a data frame, a row subscript held in a variable.
library(asreml)
dat <- read.csv("DT.csv")
dat$Name <- factor(dat$Name)
dat$Env <- factor(dat$Env)
fit <- asreml(Yield ~ Env, random = ~ Name, data = dat)
x <- as.data.frame(summary(fit, all = TRUE)$coef.fi)
out <- x[!is.na(x[, 2]), ]
print(rownames(out))
m <- matrix(c(1, 0, 3, 0, 5, 0), 3)
use <- c(1, 2)
keep <- use[rowSums(m[use, ]) != 0]
print(keep)
print(colMeans(dat[, c("Yield", "Year")], na.rm = TRUE))
# asreml 3's fit$Cfixed put back into a matrix (the upper triangle column by column)
C <- diag(length(fit$coefficients$fixed))
C[upper.tri(C, diag = TRUE)] <- fit$Cfixed
C[lower.tri(C)] <- t(C)[lower.tri(t(C))]
print(sqrt(diag(C)))
