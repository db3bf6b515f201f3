# comparison script: the same model by lme4 and asreml, emmeans on the lm and lmer fits
# (as AparicioJohan/trainingMM's 02.1_covariates.R, 05.1_variance_diff.R, 06_LMM_H2.R)
library(asreml)
library(lme4)
library(emmeans)
dat <- read.csv("DT.csv")
dat$Name <- as.factor(dat$Name)
dat$Env <- as.factor(dat$Env)
mm <- lmer(formula = Yield ~ Env + (1 | Name) + (1 | Env:Name), data = dat)
vc <- as.data.frame(VarCorr(mm))
print(vc[, c("grp", "vcov")])
fixef(mm)
ranef(mm)$Name
re <- as.data.frame(ranef(mm, condVar = TRUE))
summary(mm)$coefficients
m0 <- lme4::lmer(Yield ~ 1 + (1 | Name) + (1 | Env:Name), data = dat, REML = FALSE,
                 control = lmerControl(optimizer = "bobyqa"))
anova(m0, mm)
fit <- asreml(fixed = Yield ~ Env, random = ~ Name + Env:Name, data = dat)
summary(fit)$varcomp
mod <- lm(Yield ~ Env + Name, data = dat)
em <- emmeans(mod, ~ Env)
L <- em@linfct
se <- sqrt(diag(L %*% em@V %*% t(L)))
avg_sed <- emmeans(mm, pairwise ~ Env)$contrasts |> as.data.frame()
mean(avg_sed$SE)
pairs(emmeans(mm, "Env"), adjust = "none")
