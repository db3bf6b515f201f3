# dplyr's mutate() reads the columns it made before and may remake one (ncsumaize Exp35,
# trainingMM 10_Index); a break the script reaches only outside a loop (asreml.batch.R)
library(dplyr)
library(asreml)
dat <- read.csv("DT.csv")
dat <- mutate(dat, Y2 = Yield / 10, Y2 = ifelse(is.na(Yield), NA, Y2), Y3 = Y2 * 10)
stopifnot(all(abs(dat$Y3 - dat$Yield) < 1e-9, na.rm = TRUE))
check <- function(n) {
  if (n < 0) {cat("negative\n"); break}
  n
}
for (i in 1:3) {
  if (i == 2) break
}
m <- asreml(Y3 ~ Env, random = ~ Name, data = dat)
