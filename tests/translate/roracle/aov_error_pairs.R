# Reference for tests/translate/test_translate_s33corp.py (aov with Error() strata and
# biometryassist-style pairwise comparisons). Data made up here. emmeans is not installed
# on this machine: its aovlist basis (intra-block analysis: each coefficient from the last
# stratum that estimates it, its covariance block from that stratum's vcov(); df of a
# linear function by Satterthwaite over the strata) is done by hand from R's own strata.
# Rscript tests/translate/roracle/aov_error_pairs.R   (R 4.2.x)
options(digits = 10)
y <- c(12.1, 13.4, 15.2, 16.8, 11.0, 14.9, 13.3, 12.7, 16.1, 17.9, 12.4, 15.5,
       11.8, 13.9, 14.4, 17.2, 10.6, 15.3, 12.9, 14.0, 15.7, 18.4, 11.9, 16.6)
d <- data.frame(block = factor(rep(1:4, each = 6)),
                A = factor(rep(rep(c("a1", "a2", "a3"), each = 2), 4)),
                B = factor(rep(c("b1", "b2"), 12)), y = y)
m <- aov(y ~ A * B + Error(block/A), data = d)
z <- c(5.1, 5.9, 6.3, 4.2, 4.8, 7.7, 8.1, 7.2, 6.9, 8.8, 9.4, 9.9, 8.0, 6.1, 6.6, 5.5, 7.4, 7.9)
s <- factor(c(1, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 6, 6, 6, 7, 7))
g <- factor(c("t1", "t1", "t1", "t1", "t1", "t2", "t2", "t2", "t2", "t3", "t3", "t3", "t3",
              "t1", "t1", "t1", "t2", "t2"))
m2 <- aov(z ~ g + Error(s), data = data.frame(z = z, s = s, g = g))

emm_pairs <- function(m, L) {
  strata <- setdiff(names(m), "(Intercept)")
  cn <- colnames(L); b <- setNames(rep(NA, length(cn)), cn)
  Vs <- list(); own <- list()
  for (s in rev(strata)) {
    bi <- coef(m[[s]]); bi <- bi[!is.na(bi)]
    use <- names(bi)[is.na(b[names(bi)])]
    b[use] <- bi[use]; own[[s]] <- use; Vs[[s]] <- vcov(m[[s]])[use, use, drop = FALSE]
  }
  pr <- combn(nrow(L), 2)
  out <- NULL
  for (k in seq_len(ncol(pr))) {
    l <- L[pr[1, k], ] - L[pr[2, k], ]
    est <- sum(l[-1] * b[-1])
    v <- sapply(strata, function(s) {
      u <- own[[s]]
      if (length(u)) drop(t(l[u]) %*% Vs[[s]] %*% l[u]) else 0
    })
    dfs <- sapply(strata, function(s) m[[s]]$df.residual)
    df <- sum(v)^2 / sum(ifelse(v > 0, v^2 / dfs, 0))
    se <- sqrt(sum(v))
    out <- rbind(out, data.frame(pair = paste(rownames(L)[pr[1, k]], rownames(L)[pr[2, k]],
                                              sep = " - "),
                                 est = est, se = se, df = df,
                                 p = 2 * pt(-abs(est / se), df)))
  }
  out
}
cn <- c("(Intercept)", "Aa2", "Aa3", "Bb2", "Aa2:Bb2", "Aa3:Bb2")
LA <- rbind(a1 = c(1, 0, 0, .5, 0, 0), a2 = c(1, 1, 0, .5, .5, 0), a3 = c(1, 0, 1, .5, 0, .5))
LB <- rbind(b1 = c(1, 1/3, 1/3, 0, 0, 0), b2 = c(1, 1/3, 1/3, 1, 1/3, 1/3))
colnames(LA) <- colnames(LB) <- cn
L2 <- rbind(t1 = c(1, 0, 0), t2 = c(1, 1, 0), t3 = c(1, 0, 1))
colnames(L2) <- c("(Intercept)", "gt2", "gt3")
print(emm_pairs(m, LA)); print(emm_pairs(m, LB)); print(emm_pairs(m2, L2))
