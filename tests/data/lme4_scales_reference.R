# lme4 REML fits of eight designs with the response in other units (x 1e-4, x 1e4) and shifted
# by 1e6 (recorded by hand for tests/api/test_lme4_scales.py; R 4.2.2, lme4 from Debian
# bookworm's r-cran-lme4). Run from tests/data:
#   Rscript lme4_scales_reference.R > lme4_scales_reference.json
library(lme4); library(jsonlite)
fits <- list(
  list("dyestuff", "Dyestuff.csv", "Yield", "1 + (1|Batch)", "Batch"),
  list("penicillin", "Penicillin.csv", "diameter", "1 + (1|plate) + (1|sample)", c("plate", "sample")),
  list("pastes", "Pastes.csv", "strength", "1 + (1|batch) + (1|batch:cask)", c("batch", "cask")),
  list("cake", "cake.csv", "angle", "recipe*temperature + (1|recipe:replicate)", c("recipe", "temperature", "replicate")),
  list("sleep_us", "sleepstudy.csv", "Reaction", "Days + (Days|Subject)", "Subject"),
  list("dt_example", "DT_example.csv", "Yield", "Env + (1|Name) + (1|Env:Name)", c("Env", "Name")),
  list("gryphon", "DT_gryphon.csv", "BWT", "SEX + (1|MOTHER) + (1|BYEAR)", c("SEX", "MOTHER", "BYEAR")),
  list("oats", "DT_yatesoats.csv", "Y", "N*V + (1|B) + (1|B:MP)", c("N", "V", "B", "MP")))
out <- list()
for (f in fits) {
  d <- read.csv(f[[2]], colClasses = "character")
  d[[f[[3]]]] <- as.numeric(d[[f[[3]]]])
  if ("Days" %in% names(d)) d$Days <- as.numeric(d$Days)
  for (v in f[[5]]) d[[v]] <- factor(d[[v]])
  for (sc in list(c(1, 0), c(1e-4, 0), c(1e4, 0), c(1, 1e6))) {
    dd <- d; dd[[f[[3]]]] <- dd[[f[[3]]]] * sc[1] + sc[2]
    fit <- lmer(as.formula(paste(f[[3]], "~", f[[4]])), dd, REML = TRUE,
                control = lmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5),
                                      check.conv.singular = "ignore"))
    vc <- as.data.frame(VarCorr(fit))
    out[[length(out) + 1]] <- list(model = f[[1]], scale = sc[1], shift = sc[2],
      loglik = as.numeric(logLik(fit, REML = TRUE)), grp = vc$grp, var1 = vc$var1,
      var2 = vc$var2, vcov = vc$vcov)
  }
}
cat(toJSON(out, digits = 15, auto_unbox = TRUE, na = "null"))
