# Genebank heritability notebooks (AGENTproject historic_pheno_data_analysis) and pine
# expression models (arfesta Breeding-Value-Prediction): asreml 3's
# asreml.Ainverse(pedigree = ped), fits inside mclapply(), tidyr's drop_na(), d["a"] of a
# data frame, between() and .data[[trait]] in filter(), filter(n() > 1, .by = g)
library(asreml)
library(dplyr)
library(tidyr)
library(parallel)
dat <- read.csv("DT.csv")
trait <- "Yield"
sub <- dat |> select(Name, Env, all_of(trait)) |> drop_na() |>
  filter(between(.data[[trait]], 0, 1e6)) |> filter(n() > 1, .by = Name)
ids <- distinct(sub["Name"])
stopifnot(nrow(ids) == length(unique(sub$Name)))
ped <- data.frame(id = ids$Name, sire = NA, dam = NA)
ainv <- asreml.Ainverse(pedigree = ped)$ginv
fits <- mclapply(unique(sub$Env)[1:2], function(e) {
  d <- sub[sub$Env == e, ]
  m <- asreml(Yield ~ 1, random = ~ Name, data = d)
  m$loglik
}, mc.cores = 2)
m <- asreml(Yield ~ Env, random = ~ vm(Name, ainv), data = sub)
# the campaign effects as the notebooks extract them: intercept + each level's effect,
# named by str_sub() of the row names; a title from a column name
fx <- m$coefficients$fixed
eff <- fx[-1, ] + fx[1]
tab <- eff |> as.data.frame() |> rownames_to_column() |> mutate(env = str_remove(rowname, "Env_"))
title <- trait |> str_replace_all("_", " ") |> str_to_title()
envs <- rev(unique(sub$Env))
ok <- if_else(str_detect(envs, "E"), 1, 0)
