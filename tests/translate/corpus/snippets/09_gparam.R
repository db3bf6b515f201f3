library(asreml)
dat <- read.csv("DT.csv")
dat$Name <- as.factor(dat$Name)
sv <- asreml(Yield ~ 1, random = ~ Name, data = dat, start.values = TRUE)
gp <- sv$vparameters.table
gp$Value[gp$Component == "Name"] <- 3
gp$Constraint[gp$Component == "Name"] <- "F"
m <- asreml(Yield ~ 1, random = ~ Name, data = dat, G.param = gp, R.param = gp)
m2 <- asreml(Yield ~ 1, random = ~ Name, data = dat, G.param = m$G.param, R.param = m$R.param)
