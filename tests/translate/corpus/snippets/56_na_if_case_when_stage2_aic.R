# Session 15 (s15newI, twelfth pass I): dplyr's na_if() and case_when(), a length-one
# mutate() value recycled to every row, and a weighted second stage with
# asr_gaussian(dispersion = 1) whose AIC asreml reports (Breeding-Insight/alfalfa_BLUE's BLUE
# scripts: columns with "." for missing values, predictions clamped with case_when(),
# mutate(year = as.factor(22)) on a subset, then 1/SE^2 weights).
library(asreml)
library(dplyr)
dat <- read.csv("DT.csv")
dat$Ych <- ifelse(dat$Yield > 20, ".", as.character(dat$Yield))
dat <- dat %>% mutate(Y2 = as.numeric(na_if(Ych, ".")), Env = as.factor(Env),
                      Name = as.factor(Name))
stopifnot(sum(is.na(dat$Y2)) == sum(dat$Yield > 20))
sub <- dat[dat$Env == "CA.2013", ]
sub <- sub %>% mutate(stage = as.factor(1))
stopifnot(all(sub$stage == "1"))
fit <- asreml(fixed = Yield ~ Name, random = ~ Block, data = sub)
p <- predict(fit, classify = "Name")$pvals %>%
  mutate(clamped = case_when(predicted.value < 5 ~ 5,
                             predicted.value > 30 ~ 30,
                             TRUE ~ predicted.value),
         wt = 1 / std.error^2)
stopifnot(all(p$clamped >= 5), all(p$clamped <= 30))
fit2 <- asreml(fixed = predicted.value ~ 1, random = ~ Name, weights = wt,
               family = asr_gaussian(dispersion = 1), data = p)
stopifnot(!is.na(summary(fit2)$aic))
