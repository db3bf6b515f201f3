dat <- utils::read.csv("DT.csv")
dat$Name <- base::factor(dat$Name)
dat$Env <- base::factor(dat$Env)
m <- asreml::asreml(fixed = Yield ~ Env, random = ~ Name, data = dat)
p <- asreml::predict.asreml(m, classify = "Env")$pvals
w <- asreml::wald.asreml(m, denDF = "numeric")
