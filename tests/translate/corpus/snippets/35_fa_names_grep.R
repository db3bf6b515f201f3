# fa rows read by asreml 4's names, as MET scripts do: asreml labels the term by its
# structure call and each row by the bare level, fa(Env, 1):Name!<level>!var / !fa1
# (asreml-R 4 output, lfelipe-ferrao.github.io class/quantGenetic/week11_2022b.html).
library(asreml)
dat <- read.csv("DT.csv")
dat$Env <- factor(dat$Env)
dat$Name <- factor(dat$Name)
m <- asreml(Yield ~ Env, random = ~ fa(Env, 1):Name, data = dat, maxit = 30)
vc <- summary(m)$varcomp
fa1 <- vc[grepl("^fa\\(Env, 1\\):Name!.*!fa1$", rownames(vc)), "component"]
psi <- vc[grepl("^fa\\(Env, 1\\):Name!.*!var$", rownames(vc)), "component"]
vp <- m$vparameters
stopifnot(length(fa1) == nlevels(dat$Env), length(psi) == nlevels(dat$Env),
          sum(grepl("!fa1", names(vp), fixed = TRUE)) == nlevels(dat$Env))
print(round(fa1, 3))
