library(asreml)
dat <- read.csv("DT.csv")
dat$Name <- as.factor(dat$Name)
test_that("a simple model converges", {
  skip_if_not_installed("asreml")
  m <- asreml(Yield ~ 1, random = ~ Name, data = dat)
  expect_true(m$converge)
})
