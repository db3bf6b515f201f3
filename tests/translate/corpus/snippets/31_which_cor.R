# Eighth pass B (Mujjabi's COOP hybrid MET scripts, jendelman/StageWise's Stage1):
# rows kept by complete.cases(), environments picked by which(), a correlation of
# predictions with observations that skips missing pairs, stopifnot() input checks.
library(asreml)
dat <- read.csv("DT.csv")
stopifnot(c("Yield", "Env", "Name") %in% colnames(dat))
dat <- dat[complete.cases(dat[, c("Yield", "Env", "Name")]), ]
dat$Name <- factor(dat$Name)
dat$Env <- factor(dat$Env)
envs <- levels(dat$Env)
keep <- which(table(dat$Env) > 50)
fit <- asreml(Yield ~ Env, random = ~ Name, data = dat)
dat$pred <- fitted(fit)
acc <- cor(dat$Yield, dat$pred, use = "complete.obs", method = "spearman")
print(keep)
print(acc)
