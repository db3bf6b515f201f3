# c16misc (neyhartj/mixed_model_applications fw_ecs_example1): environments coded as numbers
# in text put in numeric order by forcats::fct_inseq, the rows sorted by every column
# (arrange(across())), covariate columns renamed by rename_all(~ str_replace(.)), and a fit's
# summary kept in a variable and read as fit_summ$varcomp.
library(asreml)
library(dplyr)
library(forcats)
library(stringr)
dat <- read.csv("DT.csv")
dat$env <- as.character(match(dat$Name, unique(dat$Name)))
dat <- dat %>%
  mutate(env = fct_inseq(env)) %>%
  arrange(across())
stopifnot(identical(levels(dat$env), as.character(seq_len(nlevels(dat$env)))))
covs <- dat %>% select(Yield, Weight) %>% rename_all(~str_replace(., "We", "x"))
stopifnot(identical(names(covs), c("Yield", "xight")))
fit1 <- asreml(fixed = Yield ~ Env, random = ~ env, data = dat)
fit1_summ <- summary(fit1)
fit1_summ$varcomp
stopifnot(fit1_summ$varcomp["env", "component"] > 0)
# unique() of a data frame: its distinct rows (m-hrachov's covariate table per environment)
envtab <- dat %>% select(Env, Year) %>% unique()
stopifnot(nrow(envtab) == length(unique(dat$Env)))
