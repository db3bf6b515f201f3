# asremlPlus test42*.r shapes: fit$design's columns found by asreml 4.2's names (each factor
# with its level, Env_1:Name_A; match() of an outer() matrix takes its elements
# column-major), dae's mat.ginv() for a GLS projector, renewClassify(newclassify = c(...)).
library(asreml)
library(asremlPlus)
library(dae)
dat <- read.csv("DT.csv")
dat$Env <- factor(dat$Env)
dat$Name <- factor(dat$Name)
asreml.options(design = TRUE)
fit <- asreml(Yield ~ Env, random = ~ Env:Name, data = dat)
envs <- levels(dat$Env)
nams <- levels(dat$Name)[1:3]
cols <- match(outer(paste0("Env_", envs), paste0(":Name_", nams), paste0),
              colnames(fit$design))
stopifnot(all(!is.na(cols)), length(cols) == length(envs) * 3)
Z <- as.matrix(fit$design[, cols])
stopifnot(all(Z[dat$Env == envs[1] & dat$Name == nams[1], 1] == 1))
X <- model.matrix(~ Env, data = dat)
XtX <- t(X) %*% X
W <- mat.ginv(XtX)
stopifnot(max(abs(W %*% XtX - diag(ncol(X)))) < 1e-8)
diffs <- predictPlus(fit, classify = "Env", tables = "none")
diffs <- renewClassify(diffs, newclassify = c("Env"))
print(diffs$predictions)
