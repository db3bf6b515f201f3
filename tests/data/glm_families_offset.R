# Recorded peer numbers for tests/glmm/test_families_offset.py (session 34): R 4.2 glm()
# with MASS::negative.binomial(theta) (phi known), inverse.gaussian() and offset(), and
# MASS::glmmPQL / lme4::lmer with an offset. The data are simulated here (seed 34) and
# written into the JSON with the numbers. Run: Rscript glm_families_offset.R
suppressMessages({library(MASS); library(lme4)})
set.seed(34)
n <- 120
g <- factor(sprintf("G%02d", rep(1:20, each = 6)))
x <- round(rnorm(n), 4)
f <- factor(rep(c("a", "b", "c"), length.out = n))
expo <- round(runif(n, 0.5, 3), 3)
u <- rnorm(20, 0, 0.4)[as.integer(g)]
mu_c <- exp(0.5 + 0.4 * x + c(0, 0.3, -0.2)[as.integer(f)] + u) * expo
cnt <- rnbinom(n, size = 2, mu = mu_c)
mu_t <- exp(1 + 0.3 * x + c(0, 0.2, 0.1)[as.integer(f)])
# inverse Gaussian draws (Michael, Schucany & Haas 1976) with shape lambda = 4
lam <- 4
nu <- rnorm(n)^2
xx <- mu_t + mu_t^2 * nu / (2 * lam) - mu_t / (2 * lam) *
  sqrt(4 * mu_t * lam * nu + mu_t^2 * nu^2)
ig <- round(ifelse(runif(n) <= mu_t / (mu_t + xx), xx, mu_t^2 / xx), 6)
yg <- round(2 + 0.5 * x + u + rnorm(n, 0, 0.5) + 0.8 * expo, 6)
d <- data.frame(g = g, x = x, f = f, expo = expo, cnt = cnt, ig = ig, yg = yg)

glm1 <- function(...) {  # glm() with a tight tolerance: the references must be converged
  m <- glm(..., control = glm.control(epsilon = 1e-12, maxit = 200))
  stopifnot(m$converged)
  m
}
# se: summary.glm estimates the dispersion for every family but poisson and binomial; the
# negative binomial's is 1 (its variance function carries phi), as asreml's: disp = 1 there
glm_out <- function(m, disp = NULL) {
  list(coef = unname(coef(m)),
       se = unname(summary(m, dispersion = disp)$coefficients[, "Std. Error"]),
       deviance = deviance(m), fitted = unname(fitted(m)))
}
out <- list(data = d)
out$nb_log <- glm_out(glm1(cnt ~ x + f, family = negative.binomial(2), data = d), 1)
out$nb_log_offset <- glm_out(glm1(cnt ~ x + f + offset(log(expo)),
                                  family = negative.binomial(2), data = d), 1)
out$ig_log <- glm_out(glm1(ig ~ x + f, family = inverse.gaussian(link = "log"), data = d))
out$ig_log$dispersion <- summary(glm1(ig ~ x + f, family = inverse.gaussian(link = "log"),
                                     data = d))$dispersion
out$ig_inverse <- glm_out(glm1(ig ~ x + f, family = inverse.gaussian(link = "inverse"),
                              data = d))
out$ig_mu2 <- glm_out(glm1(ig ~ x + f, family = inverse.gaussian(), data = d))
out$pois_offset <- glm_out(glm1(cnt ~ x + f + offset(log(expo)), family = poisson, data = d))
out$gauss_offset <- glm_out(glm1(yg ~ x + offset(0.8 * expo), data = d))
# GLMM with an offset: MASS::glmmPQL (PQL, working models by ML), tolerance tightened
pq <- glmmPQL(cnt ~ x + f + offset(log(expo)), random = ~ 1 | g, family = poisson,
              data = d, verbose = FALSE, control = nlme::lmeControl(tolerance = 1e-10),
              niter = 200)
vc <- as.numeric(nlme::VarCorr(pq)[, "Variance"])
out$pql_pois_offset <- list(fixef = unname(nlme::fixef(pq)), sigma2_g = vc[1], phi = vc[2],
                            ranef = unname(nlme::ranef(pq)[, 1]))
# Gaussian LMM with an offset: lmer REML
lm1 <- lmer(yg ~ x + offset(0.8 * expo) + (1 | g), data = d, REML = TRUE)
out$lmer_offset <- list(loglik = as.numeric(logLik(lm1)), fixef = unname(fixef(lm1)),
                        vc = as.data.frame(VarCorr(lm1))$vcov,
                        fitted = unname(fitted(lm1)))
writeLines(jsonlite::toJSON(out, digits = 15, auto_unbox = TRUE, dataframe = "columns"),
           "glm_families_offset.json")
