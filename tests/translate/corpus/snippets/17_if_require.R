dat <- read.csv("DT.csv")
dat$Name <- factor(dat$Name)
if (require("asreml", quietly = TRUE)) {
  m <- asreml(Yield ~ 1, random = ~ Name, data = dat)
  vc <- summary(m)$varcomp
} else {
  message("asreml not available")
}
