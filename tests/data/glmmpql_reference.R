# MASS::glmmPQL (ML-based PQL: nlme::lme with method = "ML" on the working variate, residual
# variance estimated) on simulated data, recorded for tests/glmm/test_ml_pql.py
# (R 4.2.2, MASS and nlme from Debian bookworm). Writes glmmpql_data.csv (the data, seed 17)
# and prints the JSON. Run from tests/data:
#   Rscript glmmpql_reference.R > glmmpql_reference.json
# Besides glmmPQL as shipped (stops when sum((eta - etaold)^2) < 1e-6 sum(eta^2)), the same
# function with that tolerance tightened to 1e-20 and niter = 200 ("tight"): the iteration is
# otherwise unchanged, so "tight" is glmmPQL's fixed point to lme's own precision.
# "glmer": lme4::glmer (Laplace, a different approximation) on the same data, a looser check.
suppressMessages({library(MASS); library(nlme); library(jsonlite); library(lme4)})
set.seed(17)
ng <- 40; m <- 10
g <- rep(seq_len(ng), each = m)
x <- rnorm(ng * m)
u <- rnorm(ng, 0, 0.8)
eta <- -0.3 + 0.7 * x + u[g]
d <- data.frame(g = sprintf("G%02d", g), x = x,
                yb = rbinom(ng * m, 1, plogis(eta)),
                yp = rpois(ng * m, exp(0.5 + 0.3 * x + 0.5 * u[g])),
                n = 5L)
d$yk <- rbinom(ng * m, d$n, pnorm(0.2 + 0.4 * x + 0.6 * u[g]))
write.csv(d, "glmmpql_data.csv", row.names = FALSE)
d$g <- factor(d$g)
tight <- glmmPQL
body(tight) <- parse(text = sub("1e-06", "1e-20", paste(deparse(body(glmmPQL)), collapse = "\n"),
                                 fixed = TRUE))[[1]]
one <- function(fit) {
  list(sigma2_g = as.numeric(getVarCov(fit))[1], phi = fit$sigma^2,
       fixef = unname(fixef(fit)), se_fixef = unname(sqrt(diag(vcov(fit)))),
       ranef = unname(ranef(fit)[, 1]), loglik_working = as.numeric(logLik(fit)))
}
runs <- list(
  binary_logit = list(yb ~ x, binomial(link = "logit")),
  poisson_log = list(yp ~ x, poisson()),
  binomial_probit_totals = list(cbind(yk, n - yk) ~ x, binomial(link = "probit")))
out <- list()
for (nm in names(runs)) {
  r <- runs[[nm]]
  a <- glmmPQL(r[[1]], random = ~ 1 | g, family = r[[2]], data = d, verbose = FALSE)
  b <- tight(r[[1]], random = ~ 1 | g, family = r[[2]], data = d, verbose = FALSE, niter = 200)
  lp <- glmer(update(r[[1]], . ~ . + (1 | g)), family = r[[2]], data = d)
  out[[nm]] <- list(default = one(a), tight = one(b),
                    glmer = list(sigma2_g = as.numeric(VarCorr(lp)$g), fixef = unname(fixef(lp))))
}
cat(toJSON(out, digits = 15, auto_unbox = TRUE))
