# style fuzz snippet (written here): pipes into within()/rm(), fit components by [[ ]]
library(asreml)
dat <- read.csv("DT.csv")
dat <- within(dat, {
  Env <- factor(Env)
  Name <- factor(Name)
})
tmp <- nrow(dat)
rm(tmp)
sv <- asreml(Yield ~ Env, random = ~ Name, data = dat, start.values = TRUE)
gp <- sv$vparameters.table
m <- asreml(Yield ~ Env, random = ~ Name, data = dat, G.param = gp, R.param = gp)
m2 <- asreml(Yield ~ Env, random = ~ Name, data = dat, G.param = m$G.param,
             R.param = m$R.param)
print(summary(m2)$varcomp)
key <- data.frame(trait = c("Yield"), grp = c("a"))
W <- dat %>% select(key$trait)
