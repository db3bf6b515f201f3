library(asreml)
asreml.options(workspace = "1gb", pworkspace = "1gb", maxit = 40)
dat <- read.csv("DT.csv")
dat$Name <- as.factor(dat$Name)
m <- asreml(Yield ~ 1, random = ~ Name, data = dat,
            workspace = 64e6, keep.order = TRUE, aom = TRUE, Cfixed = TRUE, trace = FALSE)
vc <- summary(m)$varcomp
