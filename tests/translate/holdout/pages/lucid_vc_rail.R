# Hold-out page: lucid's help page for vc() ("Extract variance components from mixed
# models"), https://search.r-project.org/CRAN/refmans/lucid/html/vc.html (stored copy read
# 2026-12-06; the asreml example is asreml-R 3, output printed with vc()'s 4 significant
# digits). The page's call, restated; data nlme's Rail (nlme_rail.csv: local copy, scripts/fetched_data.py, from
# vincentarelbundock/Rdatasets csv/nlme/Rail.csv; nlme GPL >= 2). expect_lt(): the printed
# component and std.error of Rail!Rail.var (615.3, 392.6) and R!variance (16.17, 6.6).
library(asreml)
library(testthat)
Rail <- read.csv("nlme_rail.csv")
Rail$Rail <- as.factor(Rail$Rail)
ma <- asreml(travel~1, random=~Rail, data=Rail)
vc <- summary(ma)$varcomp
expect_lt(abs(vc[1, "component"] - 615.3), 0.1)
expect_lt(abs(vc[1, "std.error"] - 392.6), 0.1)
expect_lt(abs(vc[2, "component"] - 16.17), 0.01)
expect_lt(abs(vc[2, "std.error"] - 6.6), 0.1)
