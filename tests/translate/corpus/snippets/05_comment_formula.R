library(asreml)
dat <- read.csv("DT.csv")
dat$Env <- as.factor(dat$Env)
dat$Name <- as.factor(dat$Name)
m <- asreml(fixed = Yield ~ Env,        # environments as fixed
            random = ~ Name +           # genotypes
              # Env:Block +              (tried, not kept)
              Env:Name,                 # GxE
            data = dat)
m$loglik
