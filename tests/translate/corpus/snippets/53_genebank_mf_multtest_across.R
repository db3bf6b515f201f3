# c15agent (AGENTproject/historic_pheno_data_analysis genebank notebooks, m-hrachov GxE
# regression): the trait read from asreml's model frame colnames(fit$mf), outliers by
# Bioconductor multtest's mt.rawp2adjp(proc = "Holm") on residuals scaled by the MAD,
# and dplyr's across() with a purrr lambda ~scale(.)[, 1].
library(tidyverse)
library(multtest)
library(asreml)
dat <- read.csv("DT.csv")
dat <- dat |> select("Name", "Env", "Yield") |> mutate(across(c(Name, Env), factor))
fit <- asreml(Yield ~ Env, random = ~ Name, data = dat)
trait <- colnames(fit$mf)[3]
res <- fit$residuals
MAD <- 1.4826 * median(abs(res - median(res)))
rawp <- 2 * (1 - pnorm(abs(res / MAD)))
test <- mt.rawp2adjp(rawp, proc = c("Holm"))
out <- tibble(adjp = test[[1]][, 1], bholm = test[[1]][, 2], index = test[[2]]) |>
  mutate(is_outlier = bholm < 0.05) |> arrange(index)
cat(sum(out$is_outlier), "outlier value(s) detected for trait", trait, "\n")
v <- c("Yield")
scaled <- dat |> mutate(across(all_of(v), ~scale(.)[, 1]))
print(round(c(mean(scaled$Yield), sd(scaled$Yield)), 6))
