library(asreml)
dat <- read.csv("DT.csv")
dat$Name <- as.factor(dat$Name)
dat$Env <- as.factor(dat$Env)
dat$Y2 <- dat$Yield + dat$Weight
set.seed(7)
folds <- 2
acc <- c()
for (f in 1:folds) {
  train <- dat
  mt <- asreml(cbind(Yield, Y2) ~ trait + trait:Env,
               random = ~ us(trait):Name,
               residual = ~ units:us(trait),
               na.action = na.method(y = "include", x = "include"),
               data = train, maxit = 50)
  acc <- c(acc, mt$loglik)
}
