## Reference numbers for tests/api/test_wald_ddf.py and tests/api/test_sed.py.
## Run from the repository root: Rscript tests/data/kr_reference.R
## (R 4.2, lme4 1.1-31, pbkrtest 0.5.2, emmeans 1.8.4-1, jsonlite; writes kr_reference.json)
## Incremental tests: L = rows of chol(solve(vcov(fit))) for a term's columns (asreml's
## sequential Wald tests as linear hypotheses in the full model), tested by KRmodcomp.
suppressMessages({library(lme4); library(pbkrtest); library(emmeans); library(jsonlite)})
kr <- function(fit, L) {
  r <- KRmodcomp(fit, L)$test
  list(F = r["Ftest", "stat"], ndf = r["Ftest", "ndf"], ddf = r["Ftest", "ddf"],
       F_scaling = r["Ftest", "F.scaling"], p = r["Ftest", "p.value"])
}
incr <- function(fit, assign) {
  U <- chol(solve(as.matrix(vcov(fit))))
  out <- list()
  for (a in unique(assign)) {
    L <- U[assign == a, , drop = FALSE]
    out[[length(out) + 1]] <- kr(fit, L)
  }
  out
}
satt <- function(fit, assign) {  # lmerTest::contest with the incremental L, Satterthwaite
  ## the term's rows of U premultiplied by U[a, a]^-1 (its own columns the identity; with
  ## L V L' = I the eigenvectors contestMD uses would be arbitrary)
  fit <- lmerTest::as_lmerModLmerTest(fit)
  U <- chol(solve(as.matrix(vcov(fit))))
  lapply(unique(assign), function(a) {
    i <- assign == a
    r <- lmerTest::contest(fit, solve(U[i, i, drop = FALSE], U[i, , drop = FALSE]),
                           ddf = "Satterthwaite")
    list(F = r[["F value"]], ndf = r[["NumDF"]], ddf = r[["DenDF"]], p = r[["Pr(>F)"]])
  })
}
res <- list()
## DT_example
d <- read.csv("tests/data/DT_example.csv")
d$Env <- factor(d$Env); d$Name <- factor(d$Name)
f1 <- lmer(Yield ~ Env + (1 | Name), data = d, REML = TRUE)
X <- getME(f1, "X")
em <- emmeans(f1, ~ Env, lmer.df = "kenward-roger")
pw <- summary(pairs(em, adjust = "none"))
ema <- emmeans(f1, ~ Env, lmer.df = "asymptotic")
pwa <- summary(pairs(ema, adjust = "none"))
res$dt_example <- list(
  theta = c(as.data.frame(VarCorr(f1))$vcov),
  beta = unname(fixef(f1)),
  vcov_beta = unname(as.matrix(vcov(f1))),
  vcov_adj = unname(as.matrix(vcovAdj(f1))),
  emmean = summary(em)$emmean, emmean_se = summary(em)$SE, emmean_df = summary(em)$df,
  pairs = as.character(pw$contrast), pairs_se = pw$SE, pairs_df = pw$df,
  emm_vcov = unname(as.matrix(vcov(em))),
  asym_emmean_se = summary(ema)$SE, asym_pairs_se = pwa$SE,
  asym_emm_vcov = unname(as.matrix(vcov(ema))),
  incremental = incr(f1, attr(X, "assign")),
  satterthwaite = satt(f1, attr(X, "assign")))
## sleepstudy
s <- read.csv("tests/data/sleepstudy.csv"); s$Subject <- factor(s$Subject)
f2 <- lmer(Reaction ~ Days + (Days | Subject), data = s, REML = TRUE)
res$sleepstudy <- list(
  theta = c(as.data.frame(VarCorr(f2))$vcov),
  vcov_adj = unname(as.matrix(vcovAdj(f2))),
  incremental = incr(f2, attr(getME(f2, "X"), "assign")),
  satterthwaite = satt(f2, attr(getME(f2, "X"), "assign")),
  days = kr(f2, matrix(c(0, 1), nrow = 1)))
## Yates oats split plot
o <- read.csv("tests/data/DT_yatesoats.csv", colClasses = c(N = "character"))
o$N <- factor(o$N); o$V <- factor(o$V); o$B <- factor(o$B); o$MP <- factor(o$MP)
f3 <- lmer(Y ~ V * N + (1 | B) + (1 | B:MP), data = o, REML = TRUE)
emv <- emmeans(f3, ~ V, lmer.df = "kenward-roger")
pv <- summary(pairs(emv, adjust = "none"))
emvn <- emmeans(f3, ~ V:N, lmer.df = "kenward-roger")
emva <- summary(pairs(emmeans(f3, ~ V, lmer.df = "asymptotic"), adjust = "none"))
emvna <- emmeans(f3, ~ V:N, lmer.df = "asymptotic")
pvna <- summary(pairs(emvna, adjust = "none"))
pvn <- summary(pairs(emvn, adjust = "none"))
res$oats <- list(
  theta = c(as.data.frame(VarCorr(f3))$vcov),
  incremental = incr(f3, attr(getME(f3, "X"), "assign")),
  vn_given_v_n = kr(f3, diag(12)[7:12, , drop = FALSE]),
  pairs_V_se = pv$SE, pairs_V_df = pv$df,
  asym_pairs_V_se = emva$SE, asym_pairs_VN_se = pvna$SE,
  asym_emm_VN = summary(emvna)$emmean, asym_emm_VN_se = summary(emvna)$SE,
  vcov_adj = unname(as.matrix(vcovAdj(f3))),
  pairs_VN_se = pvn$SE, pairs_VN_df = pvn$df, pairs_VN = as.character(pvn$contrast))
cat(toJSON(res, digits = I(15), auto_unbox = TRUE, pretty = TRUE), file = "tests/data/kr_reference.json")
