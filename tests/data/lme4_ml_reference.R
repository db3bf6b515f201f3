# lme4 maximum-likelihood fits (REML = FALSE) and anova() LRTs between them, recorded for
# tests/reml/test_ml.py (R 4.2.2, lme4 from Debian bookworm's r-cran-lme4).
# Run from tests/data: Rscript lme4_ml_reference.R > lme4_ml_reference.json
library(lme4); library(jsonlite)
fits <- list(
  list(id = "sleep_days", data = "sleepstudy.csv", formula = "Reaction ~ Days + (1|Subject)",
       y = "Reaction", f = c("Subject")),
  list(id = "sleep_null", data = "sleepstudy.csv", formula = "Reaction ~ 1 + (1|Subject)",
       y = "Reaction", f = c("Subject")),
  list(id = "sleep_slope", data = "sleepstudy.csv",
       formula = "Reaction ~ Days + (1|Subject) + (0 + Days|Subject)",
       y = "Reaction", f = c("Subject")),
  list(id = "penicillin", data = "Penicillin.csv",
       formula = "diameter ~ 1 + (1|plate) + (1|sample)", y = "diameter", f = c("plate", "sample")),
  list(id = "dtex_env", data = "DT_example.csv", formula = "Yield ~ Env + (1|Name) + (1|Env:Name)",
       y = "Yield", f = c("Env", "Name")),
  list(id = "dtex_null", data = "DT_example.csv", formula = "Yield ~ 1 + (1|Name) + (1|Env:Name)",
       y = "Yield", f = c("Env", "Name")))
out <- list(); models <- list()
for (f in fits) {
  d <- read.csv(f$data, colClasses = "character")
  d[[f$y]] <- as.numeric(d[[f$y]])
  if ("Days" %in% names(d)) d$Days <- as.numeric(d$Days)
  for (v in f$f) d[[v]] <- factor(d[[v]])
  fit <- lmer(as.formula(f$formula), d, REML = FALSE,
              control = lmerControl(optimizer = "bobyqa", check.conv.singular = "ignore",
                                    optCtrl = list(rhobeg = 2e-1, rhoend = 1e-10, maxfun = 1e5)))
  models[[f$id]] <- fit
  vc <- as.data.frame(VarCorr(fit))
  out$fits[[f$id]] <- list(data = f$data, formula = f$formula,
    loglik = as.numeric(logLik(fit)), df = attr(logLik(fit), "df"), AIC = AIC(fit),
    BIC = BIC(fit), grp = vc$grp, vcov = vc$vcov, fixef = unname(fixef(fit)),
    fixef_names = names(fixef(fit)), se_fixef = unname(sqrt(diag(as.matrix(vcov(fit))))),
    nobs = nobs(fit))
}
a1 <- anova(models$sleep_null, models$sleep_days)
a2 <- anova(models$dtex_null, models$dtex_env)
out$anova <- list(
  sleep = list(chisq = a1$Chisq[2], df = a1$Df[2], p = a1[["Pr(>Chisq)"]][2]),
  dtex = list(chisq = a2$Chisq[2], df = a2$Df[2], p = a2[["Pr(>Chisq)"]][2]))
# profile-likelihood intervals of an ML fit (lme4 profiles the ML deviance): Dyestuff,
# standard deviations .sig01 (Batch) and .sigma (residual); squared: variance intervals
dy <- read.csv("Dyestuff.csv", colClasses = c("factor", "numeric"))
fd <- lmer(Yield ~ 1 + (1|Batch), dy, REML = FALSE)
ci <- confint(fd, method = "profile", level = 0.95, oldNames = FALSE)
out$confint_dyestuff <- list(rows = rownames(ci), lower_sd = unname(ci[, 1]),
                             upper_sd = unname(ci[, 2]))
cat(toJSON(out, digits = 15, auto_unbox = TRUE))
