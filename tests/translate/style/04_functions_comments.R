# style fuzz snippet (written here): a function returning NULL on error, if/else, loops
library(asreml)
dat <- read.csv("DT.csv")
dat$Name <- factor(dat$Name)
fit_one <- function(d, rand = ~ Name) {
  tryCatch({
    asreml(Yield ~ 1, random = rand, data = d)
  }, error = function(err) {
    NULL
  })
}
fit <- fit_one(dat)
if (is.null(fit)) {
  cat("no fit\n")
} else {
  print(summary(fit)$varcomp)
}
ok <- if (!is.null(fit)) TRUE else FALSE
sq <- sapply(1:3, function(i) i^2)
