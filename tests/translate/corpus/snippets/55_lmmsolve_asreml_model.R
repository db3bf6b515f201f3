# Session 14 (c16rpkg): LMMsolver's LMMsolve() for a model asreml also fits
# (Biometris/LMMsolver examples, AparicioJohan/trainingMM): its logL is asreml's loglik
# (LMMsolver's QTL examples print both, "check with asreml"), coef() a list by term with
# LMMsolver's names (gen_g1, a fixed factor's reference level 0), fitted(), deviance().
library(asreml)
library(LMMsolver)
dat <- read.csv("DT.csv")
dat$Env <- as.factor(dat$Env)
dat$Name <- as.factor(dat$Name)
fit.asr <- asreml(fixed = Yield ~ Env, random = ~ Name, data = dat)
fit.lmm <- LMMsolve(fixed = Yield ~ Env, random = ~ Name, data = dat)
fit.lmm$logL
fit.asr$loglik
stopifnot(abs(fit.lmm$logL - fit.asr$loglik) < 1e-6)
cf <- coef(fit.lmm)
stopifnot(cf$Env[1] == 0, length(cf$Name) == nlevels(dat$Name))
stopifnot(abs(logLik(fit.lmm) - (fit.lmm$logL + fit.lmm$constantREML)) < 1e-10)
rss <- sum((dat$Yield[!is.na(dat$Yield)] - fitted(fit.lmm))^2)
stopifnot(abs(deviance(fit.lmm) - rss) < 1e-6)
