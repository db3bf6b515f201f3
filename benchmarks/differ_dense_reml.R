# Independent dense-V REML (base R: chol, optim) for corpus expectations where asr_py's fit
# differs from the number asreml recorded (benchmarks/translate_corpus_differs.csv, F rows).
# Full REML log-likelihood as lme4's logLik(REML = TRUE), sigma^2 profiled out; X reduced to
# full column rank; missing responses dropped (the marginal of the observed records).
#
#   G=/work/.mirror/briencj+asremlPlus/repo; C=<commit of the index row>
#   git --git-dir=$G show $C:data/Wheat.dat.rda > Wheat.dat.rda
#   git --git-dir=$G show $C:tests/testthat/data/local851.rda > local851.rda
#   Rscript benchmarks/differ_dense_reml.R Wheat.dat.rda local851.rda
args <- commandArgs(trailingOnly = TRUE)

reml <- function(y, X, H) {
  L <- tryCatch(chol(H), error = function(e) NULL)
  if (is.null(L)) return(-1e10)
  s <- function(b) backsolve(L, forwardsolve(t(L), b))
  n <- length(y); p <- ncol(X)
  XHX <- crossprod(X, s(X)); b <- solve(XHX, crossprod(X, s(y)))
  r <- y - X %*% b; s2 <- sum(r * s(r)) / (n - p)
  -0.5 * ((n - p) * log(2 * pi * s2) + 2 * sum(log(diag(L))) +
          as.numeric(determinant(XHX)$modulus) + (n - p))
}
full_rank <- function(X) { q <- qr(X); X[, q$pivot[seq_len(q$rank)], drop = FALSE] }
same <- function(f) { f <- as.integer(factor(f)); outer(f, f, "==") * 1 }
lag <- function(f) { f <- as.integer(f); abs(outer(f, f, "-")) }
maximise <- function(f, st, lo, hi) {    # L-BFGS-B, Nelder-Mead polish, L-BFGS-B again
  o <- optim(st, f, method = "L-BFGS-B", lower = lo, upper = hi,
             control = list(factr = 10, maxit = 3000))
  o <- optim(o$par, f, method = "Nelder-Mead", control = list(reltol = 1e-14, maxit = 40000))
  o <- optim(o$par, f, method = "L-BFGS-B", lower = lo, upper = hi,
             control = list(factr = 1, maxit = 3000))
  list(par = o$par, l = -o$value)
}

# 1. test41EstimateV.r:232: yield ~ Rep + Variety, random ~ Row, residual corb(Row, b = 1):ar1(Column)
load(args[1]); d <- Wheat.dat
y <- d$yield; X <- full_rank(model.matrix(~ Rep + Variety, d))
ZR <- same(d$Row); DR <- lag(d$Row); DC <- lag(d$Column)
H1 <- function(g, rr, rc) g * ZR + ifelse(DR == 0, 1, ifelse(DR == 1, rr, 0)) * rc^DC
cat("test41EstimateV.r:232 (Row variance ratio g fixed, the correlations re-estimated):\n")
for (g in c(0, 1e-4, 1e-3, 1e-2, 0.1)) {
  o <- maximise(function(t) -reml(y, X, H1(g, t[1], t[2])), c(0.3, 0.5), c(-0.45, -0.99),
                c(0.45, 0.99))
  cat(sprintf("  g = %-6g  rho_row %.6f  rho_col %.6f  l = %.6f\n", g, o$par[1], o$par[2], o$l))
}

# 2. test41/42GeneticCane.R: tch ~ Control/Check, random ~ Col + Row + New,
#    residual ar1(Col):ar1(Row) and ar1(Col):sar2(Row)
load(args[2]); d <- site2; ok <- !is.na(d$tch)
y <- d$tch[ok]; X <- full_rank(model.matrix(~ Control/Check, d)[ok, ])
ZC <- same(d$Col)[ok, ok]; ZR <- same(d$Row)[ok, ok]; ZN <- same(d$New)[ok, ok]
DC <- lag(d$Col)[ok, ok]; DR <- lag(d$Row)[ok, ok]
G3 <- function(t) t[1] * ZC + t[2] * ZR + t[3] * ZN
# sar2: the AR(3) with phi = (g1 + 2 g2, -g2 (2 g1 + g2), g1 g2^2); autocorrelations by Yule-Walker
acf_sar2 <- function(g1, g2, K = 30) {
  f <- c(g1 + 2 * g2, -g2 * (2 * g1 + g2), g1 * g2^2)
  r12 <- solve(rbind(c(1 - f[2], -f[3]), c(-f[1] - f[3], 1)), f[1:2])
  r <- c(1, r12, numeric(K - 3))
  for (k in 4:K) r[k] <- f[1] * r[k - 1] + f[2] * r[k - 2] + f[3] * r[k - 3]
  r
}
ar1 <- function(t) -reml(y, X, G3(t) + t[4]^DC * t[5]^DR)
sar2 <- function(t) if (any(abs(t[5:6]) >= 1)) 1e10 else
  -reml(y, X, G3(t) + t[4]^DC * matrix(acf_sar2(t[5], t[6])[DR + 1], nrow(DR)))
lo <- c(0, 0, 0, -0.99, -0.99, -0.99); hi <- c(50, 50, 50, 0.99, 0.99, 0.99)
a <- maximise(ar1, c(0.1, 0.1, 0.5, 0.3, -0.1), lo[1:5], hi[1:5])
b <- maximise(function(t) ar1(c(t, -0.1274424)), c(0.1, 0.1, 0.5, 0.3), lo[1:4], hi[1:4])
cat(sprintf("GeneticCane ar1(Col):ar1(Row): free rho_row %.7f l = %.6f; at asreml's -0.1274424 l = %.6f (%.2e lower)\n",
            a$par[5], a$l, b$l, a$l - b$l))
for (g2 in c(-0.3, 0.3)) {
  a <- maximise(sar2, c(0.1, 0.5, 1.2, 0, -0.1, g2), lo, hi)
  cat(sprintf("GeneticCane ar1(Col):sar2(Row) from cor2 = %4.1f: cor1 %.6f cor2 %.6f l = %.6f\n",
              g2, a$par[5], a$par[6], a$l))
}
b <- maximise(function(t) sar2(c(t, -0.157972)), c(0.1, 0.5, 1.2, 0, -0.1), lo[1:5], hi[1:5])
cat(sprintf("GeneticCane ar1(Col):sar2(Row) at asreml's cor2 -0.157972: l = %.6f\n", b$l))

# 3. test3REMLRTIC.r:23 / test41REMLRTIC.r:23: yield ~ Rep + WithinColPairs + Variety,
#    random ~ Row + Column + units, residual ar1(Row):ar1(Column); asremlPlus's AIC is
#    -2 l_asreml + 2 * 5 with l_asreml = l + (n - p) log(2 pi) / 2 (asreml drops the constant)
d <- Wheat.dat; y <- d$yield
X <- full_rank(model.matrix(~ Rep + WithinColPairs + Variety, d))
ZR <- same(d$Row); ZC <- same(d$Column); DR <- lag(d$Row); DC <- lag(d$Column)
m1 <- function(t) -reml(y, X, t[1] * ZR + t[2] * ZC + t[3] * diag(length(y)) + t[4]^DR * t[5]^DC)
a <- maximise(m1, c(0.1, 0.1, 0.1, 0.5, 0.5), c(0, 0, 0, -0.99, -0.99), c(50, 50, 50, 0.99, 0.99))
aic <- -2 * (a$l + (length(y) - ncol(X)) * log(2 * pi) / 2) + 2 * 5
cat(sprintf("REMLRTIC m1: l = %.6f, AIC = %.4f (asreml 3 printed 1346.766, asreml 4.1 1346.76764)\n",
            a$l, aic))
