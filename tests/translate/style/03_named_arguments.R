# style fuzz snippet (written here): base R calls whose arguments a script may name
library(asreml)
dat <- read.csv("DT.csv", header = TRUE)
dat$Env <- factor(dat$Env)
dat$Name <- factor(dat$Name)
dat$Ych <- ifelse(dat$Yield > 20, "high", "low")
dat$k <- match(dat$Name, unique(dat$Name))
M <- matrix(seq(1, 12, length.out = 12), nrow = 3)
stopifnot(ncol(M) == 4, nrow(M) == 3)
fits <- list()
for (e in levels(dat$Env)) {
  d <- droplevels(subset(dat, Env == e))
  fits[[e]] <- asreml(Yield ~ 1, random = ~ Name, data = d)
}
m0 <- asreml(Yield ~ Env, random = ~ Name, data = dat)
m1 <- update(m0, random = ~ Name + Env:Name)
v <- vpredict(m1, r ~ V1 / (V1 + V2))
x <- mean(dat$Yield, na.rm = TRUE)
blues <- do.call(rbind, lapply(fits, function(f) summary(f)$varcomp))
