# asremlPlus's test41Orange.r / test3alldiffs.r shapes: V built from fit$design by column
# position (fixed factor columns for every level, random terms in the order written), a
# contrast matrix whose row names label linTransform's combinations (cbind keeps them),
# and a Wald table whose unusable denominator df recalcWaldTab replaces by the residual df.
library(asreml)
library(asremlPlus)
dat <- read.csv("DT.csv")
dat$Env <- factor(dat$Env)
dat$Name <- factor(dat$Name)
dat$Block <- factor(dat$Block)
asreml.options(design = TRUE)
fit <- asreml(Yield ~ Weight + Env, random = ~ Block + Name, data = dat)
X <- fit$design
Zname <- as.matrix(X[, 12:52])
V <- fit$sigma2 * (fit$vparameters["Block"] * X[, 6:11] %*% t(as.matrix(X[, 6:11])) +
                   fit$vparameters["Name"] * Zname %*% t(Zname) + diag(nrow(dat)))
stopifnot(max(abs(V - estimateV(fit))) < 1e-6)
asrt <- as.asrtests(fit, NULL, NULL)
wald.tab <- recalcWaldTab(asrt, dDF.fault = "residual")
diffs <- predictPlus(fit, classify = "Env", wald.tab = wald.tab, Vmatrix = TRUE,
                     tables = "none")
L <- diag(1, nrow = 2)
rownames(L) <- c("2011-2012", "2012-2013")
L <- cbind(L, 0)
L[1, 2] <- -1
L[2, 3] <- -1
lt <- linTransform(diffs, classify = "Env", linear.transformation = L,
                   error.intervals = "Conf", tables = "none")
stopifnot(as.character(lt$predictions$Combination[1]) == "2011-2012")
print(lt$predictions)
