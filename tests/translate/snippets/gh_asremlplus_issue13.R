# source: https://github.com/briencj/asremlPlus/issues/13
library(asreml)
besag.met <- agridat::besag.met |>
  dplyr::mutate(dplyr::across(c(col, row), as.factor))
fit <- asreml(fixed = yield ~ county, random = ~diag(county):block +
    diag(county):row + diag(county):col + fa(county, k = 2):gen,
    residual = ~dsum(~ar1(row):ar1(col) | county),
    data = besag.met, aom = TRUE, trace = TRUE,
    stepsize = 1e-04)
