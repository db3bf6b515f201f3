library(asreml)
library(dplyr)
dat <- read.csv("DT.csv")
dat <- dat |> transform(Name = factor(Name), Env = factor(Env))
m1 <- asreml(fixed = Yield ~ Env, random = ~ Name,
             data = dat %>% filter(Env != "CA.2011"))
m2 <- asreml(fixed = Yield ~ Env, random = ~ Name, data = dat |> subset(Year > 2011))
print(summary(m1)$varcomp)
