# the shape of asremlPlus's testthat files: data prepared with within() and order(), the fit
# through do.call(), an asrtests object, expectations against printed numbers
library(asreml)
library(asremlPlus)
library(testthat)
dat <- read.csv("DT.csv")
test_that("Env_asrtests", {
  dat <- within(dat, {
    Env <- factor(Env)
    Name <- factor(Name)
    Yc <- Yield - mean(Yield)
  })
  dat <- with(dat, dat[order(Env, Block), ])
  current.asr <- do.call("asreml", args = list(fixed = Yc ~ Env, random = ~ Name,
                                               data = dat))
  current.asrt <- as.asrtests(current.asr, NULL, NULL)
  testthat::expect_equal(nrow(current.asrt$wald.tab), 2)
  testthat::expect_equal(nrow(summary(current.asrt$asreml.obj)$varcomp), 2)
  den.df <- current.asrt$wald.tab[match("Env", rownames(current.asrt$wald.tab)), "denDF"]
  testthat::expect_true(den.df > 0)
  current.asrt <- testranfix(current.asrt, "Name", positive.zero = TRUE)
  testthat::expect_silent(p <- getTestPvalue(current.asrt, label = "Name"))
})
