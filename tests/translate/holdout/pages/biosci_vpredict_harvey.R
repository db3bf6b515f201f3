# Hold-out page: "Supplementary note for new function vpredict() in ASReml-R version 4"
# (Jin Sun), http://www.biosci.global/customer-stories-en/supplementary-note-for-new-function-vpredict-in-asreml-r-version-4/
# (stored copy read 2026-12-06; asreml-R 4). The page's calls, restated; its call names the
# G-inverse 'harvey.aiv', a typo: its printed output names vm(Calf, harvey.ainv), used here.
# Data: asreml's harvey and harvey.ped, read by name after library(asreml) (LazyData); here
# harvey*.csv (local copy, scripts/fetched_data.py), derived from agridat's harvey.lsmeans (Harvey 1960, the same 65
# steers; MIT): y3 = 100 adg, a sire pedigree with unknown dams (pages/README.md).
# expect_lt(): the printed components and h2, one unit of the last printed digit.
library(asreml)
library(testthat)
harvey.ainv <- ainverse(harvey.ped)
adg0.asr <- asreml(y3 ~ Line, random = ~vm(Calf, harvey.ainv), residual = ~idv(units), data = harvey)
vc <- summary(adg0.asr)$varcomp
vc
expect_lt(abs(vc["vm(Calf, harvey.ainv)", "component"] - 499.5204), 1e-4)
expect_lt(abs(vc["vm(Calf, harvey.ainv)", "std.error"] - 500.5139), 1e-4)
expect_lt(abs(vc["units!units", "component"] - 273.1669), 1e-4)
expect_lt(abs(vc["units!units", "std.error"] - 410.0206), 1e-4)
expect_lt(abs(vc["units!R", "component"] - 1), 1e-4)
h2 <- vpredict(adg0.asr, hA ~ V1 / (V1 + V2))
expect_lt(abs(h2$Estimate - 0.6464716), 1e-7)
expect_lt(abs(h2$SE - 0.5658723), 1e-7)
