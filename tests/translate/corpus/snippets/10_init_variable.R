library(asreml)
dat <- read.csv("DT.csv")
dat$Env <- as.factor(dat$Env)
dat$Name <- as.factor(dat$Name)
iv <- c(5, 5, 5)
m <- asreml(Yield ~ Env, random = ~ diag(Env, init = iv):Name, data = dat)
m$converge
