library(asreml)
dat <- read.csv("DT.csv")
dat$Name <- factor(dat$Name)
fits <- list()
for (e in unique(dat$Env)) {
  fits[[e]] <- asreml(Yield ~ 1, random = ~ Name, data = subset(dat, Env == e))
}
first <- fits[["CA.2011"]]
