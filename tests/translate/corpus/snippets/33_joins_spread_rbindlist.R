# Ninth pass C (held-out genetics scripts, cculma/Norberg_2020 and kin): per-environment
# predictions gathered in a list, stacked with data.table's rbindlist(idcol =), made wide with
# tidyr's spread(), joined to another table with dplyr's inner_join()/left_join(); tidyr's
# separate(), unite() and gather() on the environment labels and traits; data.table's
# DT[, .SD[which.max(x)], by = g].
library(asreml)
library(data.table)
library(dplyr)
library(tidyr)
dat <- read.csv("DT.csv")
dat$Name <- factor(dat$Name)
dat$Env <- factor(dat$Env)
envs <- levels(dat$Env)[1:2]
P <- list()
for (i in seq_along(envs)) {
  sub <- droplevels(dat[dat$Env == envs[i], ])
  fm <- asreml(Yield ~ 1, random = ~ Name, data = sub)
  P[[i]] <- predict(fm, classify = "Name")$pvals[, c("Name", "predicted.value")]
}
names(P) <- envs
long <- rbindlist(P, use.names = TRUE, fill = TRUE, idcol = "env")
wide <- long %>% spread(key = env, value = predicted.value)
best <- long[, .SD[which.max(predicted.value)], by = env]
means <- aggregate(Yield ~ Name, data = dat, FUN = mean)
both <- inner_join(wide, means, by = "Name")
all <- left_join(means, wide, by = "Name")
lab <- dat %>% separate(Env, c("loc", "yr"), sep = "[.]", remove = FALSE, convert = TRUE)
lab <- lab %>% unite("locyr", c(loc, yr), sep = "-")
tall <- dat[, c("Name", "Env", "Yield", "Weight")] %>% gather(key = "trait", value = "y", Yield:Weight)
print(table(lab$locyr))
print(dim(tall))
print(best)
print(dim(long))
print(head(both))
print(dim(all))
