# Ninth pass C (held-out genetics scripts, e.g. RaissaKrupek/Mixed_Models, cculma/Norberg_2020):
# an unnamed list of fits indexed by a loop variable (R's positions), colnames() of a list
# element, head() of an ainverse() result, data.frame(summary(m)$varcomp) and predict()'s
# levels = list(f = "a").
library(asreml)
dat <- read.csv("DT.csv")
dat$Name <- factor(dat$Name)
dat$Env <- factor(dat$Env)
ped <- data.frame(id = levels(dat$Name), sire = NA, dam = NA)
ainv <- ainverse(ped)
head(ainv)
envs <- levels(dat$Env)[1:2]
fits <- list(NULL, NULL)
for (i in 1:2) {
  sub <- droplevels(dat[dat$Env == envs[i], ])
  fits[[i]] <- asreml(Yield ~ 1, random = ~ vm(Name, ainv), data = sub)
}
vcs <- list()
for (i in seq_along(fits)) {
  vc <- data.frame(summary(fits[[i]])$varcomp)
  vc$prop <- 100 * vc$component / sum(vc$component)
  vcs[[i]] <- vc
}
colnames(vcs[[1]])[1:2] <- c("comp", "se")
fm <- asreml(Yield ~ Env, random = ~ Name, data = dat)
p <- predict(fm, classify = "Env", levels = list(Env = envs[1]))$pvals
print(names(vcs[[1]]))
print(p)
