# lme4 fits of responses shifted by a large constant (recorded by hand for
# tests/reml/test_centering.py; R 4.2.2 and lme4 from Debian bookworm's r-cran-lme4).
# Run from tests/data: Rscript lme4_shift_reference.R > lme4_shift_reference.json
library(lme4); library(jsonlite)
fits <- list(
  list("DT_example.csv", "Yield ~ Env + (1|Name) + (1|Env:Name)", "Yield", c("Env", "Name")),
  list("Penicillin.csv", "diameter ~ 1 + (1|plate) + (1|sample)", "diameter", c("plate", "sample")),
  list("Dyestuff.csv", "Yield ~ 1 + (1|Batch)", "Yield", c("Batch")))
out <- list()
for (f in fits) {
  d <- read.csv(f[[1]], colClasses = "character")
  d[[f[[3]]]] <- as.numeric(d[[f[[3]]]])
  for (v in f[[4]]) d[[v]] <- factor(d[[v]])
  for (shift in c(0, 1e6)) {
    dd <- d; dd[[f[[3]]]] <- dd[[f[[3]]]] + shift
    fit <- lmer(as.formula(f[[2]]), dd, REML = TRUE,
                control = lmerControl(optimizer = "bobyqa", check.conv.singular = "ignore"))
    vc <- as.data.frame(VarCorr(fit))
    out[[length(out) + 1]] <- list(data = f[[1]], formula = f[[2]], shift = shift,
      loglik = as.numeric(logLik(fit, REML = TRUE)), grp = vc$grp, vcov = vc$vcov,
      intercept = unname(fixef(fit)[1]))
  }
}
cat(toJSON(out, digits = 15, auto_unbox = TRUE))
