library(asreml)
dat <- read.csv("DT.csv")
dat$Name <- factor(dat$Name)
dat$Yf <- factor(dat$Year)
m11 <- asreml(Yield ~ 1, random = ~ Name, subset = Yf == 2011, data = dat)
m12 <- asreml(Yield ~ 1, random = ~ Name, subset = Env != "CA.2011" & !is.na(Yield),
              data = dat)
