library(asreml)
dat <- read.csv("DT.csv")
dat$EnvBlock <- factor(paste(dat$Env, dat$Block, sep = "_"))
dat$Name <- factor(dat$Name)
w <- c(1, 2, 3) * 2 + 1
m <- asreml(Yield ~ 1, random = ~ Name + EnvBlock, data = dat)
