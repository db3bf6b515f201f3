# Recorded peer numbers for tests/glmm/test_binomial_total.py (issue 14): R 4.2 glm() on the
# MASS budworm data in grouped form (Venables & Ripley, MASS 4th ed., section 7.2; the data
# as asremlPlus's tests/testthat/test4*REMLRTIC.r builds them). Run: Rscript budworm_glm.R
df <- data.frame(ldose = rep(0:5, 2),
                 numdead = c(1, 4, 9, 13, 18, 20, 0, 2, 6, 10, 12, 16),
                 sex = factor(rep(c("M", "F"), c(6, 6))), N = rep(20, 12))
g0 <- glm(cbind(numdead, N - numdead) ~ ldose, binomial, data = df)
g1 <- glm(cbind(numdead, N - numdead) ~ ldose + sex, binomial, data = df)
out <- list(deviance = c(deviance(g0), deviance(g1)),
            coef1 = unname(coef(g1)), se1 = unname(sqrt(diag(vcov(g1)))),
            df_residual = c(df.residual(g0), df.residual(g1)))
writeLines(jsonlite::toJSON(out, digits = 12, auto_unbox = TRUE), "budworm_glm.json")
