library(asreml)
dat <- read.csv("DT.csv")
dat$Name <- factor(dat$Name)
fit_trait <- function(data, trait = "Yield", ..., verbose = FALSE) {
  fixed <- as.formula(paste(trait, "~ 1"))
  m <- asreml(fixed = fixed, random = ~ Name, data = data, ...)
  if (verbose) print(m$loglik)
  return(m)
}
m <- fit_trait(dat, maxit = 30)
