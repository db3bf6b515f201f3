# Hold-out page: "Linear mixed model in R" (Emi Tanaka, May 2016),
# https://emitanaka.rbind.io/post/2016-05-linear-mixed-model-in-r/ (stored copy read
# 2026-12-06; asreml-R 3 syntax; the stored copy ends before any printed output). The page's
# asreml calls, restated; data asreml's nin89 = agridat's stroup.nin
# (agridat_stroup_nin.csv: local copy, scripts/fetched_data.py, MIT) with nin89's column names.
library(asreml)
nin89 <- read.csv("agridat_stroup_nin.csv")
names(nin89) <- c("Variety", "Rep", "yield", "Column", "Row")
nin89$Variety <- as.factor(nin89$Variety)
nin89$Rep <- as.factor(nin89$Rep)
nin89$Column <- as.factor(nin89$Column)
nin89$Row <- as.factor(nin89$Row)
nin89 <- nin89[order(nin89$Column, nin89$Row), ]
m0 <- asreml(yield ~ Variety, random=~Rep, rcov=~ar1(Column):ar1(Row), data=nin89,
             na.method.X="include", na.method.Y="include", aom=T)
m1 <- asreml(yield ~ Variety, random=~Rep, rcov=~id(Column):id(Row), data=nin89,
             na.method.X="include", na.method.Y="include")
summary(m0)$varcomp
summary(m1)$varcomp
