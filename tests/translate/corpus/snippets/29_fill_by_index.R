# Eighth pass B (agronomy/MET scripts, e.g. yzhlinscau/AAfun's asreml.batch): results
# collected element by element in vectors grown from NULL, a per-environment loop,
# a formula pasted with collapse, a matrix triangle filled by lower.tri().
library(asreml)
dat <- read.csv("DT.csv")
dat$Name <- factor(dat$Name)
dat$Env <- factor(dat$Env)
dat$Block <- factor(dat$Block)
envs <- levels(dat$Env)[1:2]
conv <- NULL
vg <- c()
for (i in seq_along(envs)) {
  sub <- droplevels(dat[dat$Env == envs[i], ])
  fm <- asreml(Yield ~ 1, random = ~ Name + Block, data = sub)
  conv[i] <- fm$converge
  vg[i] <- summary(fm)$varcomp["Name", "component"]
}
names(vg) <- envs
ran <- formula(paste0("~ ", paste0("at(Env):", c("Name", "Block"), collapse = " + ")))
fm2 <- asreml(Yield ~ Env, random = ran, data = dat)
cc <- matrix(1, 2, 2)
cc[lower.tri(cc)] <- 0.5
vg[vg < 0] <- 0
print(conv)
print(vg)
print(cc)
