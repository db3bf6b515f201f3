# Ninth pass C (cculma/Norberg_2020's stage-wise scripts): ifelse() as a statement, used for
# its assignments, to keep the predictions of the model with the smallest AIC; cov2cor().
library(asreml)
dat <- read.csv("DT.csv")
dat$Name <- factor(dat$Name)
dat$Env <- factor(dat$Env)
dat$Block <- factor(dat$Block)
m1 <- asreml(Yield ~ Env, random = ~ Name, data = dat)
m2 <- asreml(Yield ~ Env, random = ~ Name + Block, data = dat)
info1 <- data.frame(AIC = summary(m1)$aic)
info2 <- data.frame(AIC = summary(m2)$aic)
ifelse(info1$AIC < info2$AIC,
       blue <- predict(m1, classify = "Name")$pvals,
       blue <- predict(m2, classify = "Name")$pvals)
blue$weight <- (1 / blue$std.error)^2
print(head(blue))
V <- matrix(c(4, 2, 2, 9), 2, 2)
print(cov2cor(V))
