# dplyr summaries of a MET by environment, glimpse() at the end of a pipe, bind_rows() of
# stage-I tables, recode_factor() with a name given twice (Cassava2050 GGBC, lbmunaro
# GenTrend-ILWheat, saulo-chaves MHT_MET_MM: tenth pass F)
library(dplyr)
library(stringr)
library(asreml)
dat <- read.csv("DT.csv") |>
  mutate(Env = as.factor(Env), Name = as.factor(Name)) |>
  glimpse()
env_means <- dat %>% group_by(Env) %>%
  summarise(mean_y = mean(Yield, na.rm = TRUE), n_plots = n(), n_gen = n_distinct(Name))
stopifnot(nrow(env_means) == nlevels(dat$Env), sum(env_means$n_plots) == nrow(dat))
dat <- dat %>% mutate(Loc2 = recode_factor(Loc, CA = "California", CA = "California"))
checks <- dat %>% filter(str_detect(Name, "^CO"))
blues <- list()
for (e in levels(dat$Env)) {
  m <- asreml(Yield ~ Name, data = droplevels(dat[dat$Env == e, ]))
  p <- predict(m, classify = "Name")$pvals
  p$Env <- e
  blues[[e]] <- p
}
stage1 <- bind_rows(blues)
stopifnot(nrow(stage1) == nrow(dat %>% distinct(Env, Name)))
