# A peer's fit of the asmv model (tests/model/test_asmv_nlme.py): sommer's DT_example in long
# format (Yield, Weight of each plot consecutive), fitted by nlme::lme as
#   y ~ trait + trait:Env, random us(trait) per Name, residual us(trait) within a plot,
# i.e. asreml's  asreml(y ~ trait + trait:Env, random = ~ us(trait):Name,
#                       residual = ~ units:us(trait), asmv = trait).
# Run from the repository root: Rscript scripts/record_asmv_nlme.R
library(nlme)
library(jsonlite)
d <- read.csv("tests/data/DT_example.csv")
n <- nrow(d)
long <- data.frame(unit = rep(seq_len(n), each = 2), Name = rep(d$Name, each = 2),
                   Env = rep(d$Env, each = 2), trait = rep(c("Yield", "Weight"), n),
                   y = as.vector(rbind(d$Yield, d$Weight)))
long$trait <- factor(long$trait, levels = c("Weight", "Yield"))
long$Name <- factor(long$Name)
long$Env <- factor(long$Env)
long$unit <- factor(long$unit)
fit <- lme(y ~ trait + trait:Env, random = list(Name = pdSymm(~ 0 + trait)),
           correlation = corSymm(form = ~ 1 | Name/unit),
           weights = varIdent(form = ~ 1 | trait), data = long, method = "REML",
           control = lmeControl(maxIter = 500, msMaxIter = 500, tolerance = 1e-10,
                                msTol = 1e-12, niterEM = 100))
G <- unclass(getVarCov(fit, type = "random.effects"))[1:2, 1:2]
attributes(G) <- list(dim = c(2L, 2L))
# residual: sigma^2 * diag(s) C diag(s), s the varIdent multipliers (Weight first level)
s <- coef(fit$modelStruct$varStruct, unconstrained = FALSE, allCoef = TRUE)
s <- s[c("Weight", "Yield")]
C <- corMatrix(fit$modelStruct$corStruct)[[1]]
R <- fit$sigma^2 * diag(s) %*% C %*% diag(s)
out <- list(nlme = as.character(packageVersion("nlme")), R = R.version.string,
            traits = c("Weight", "Yield"), G = unname(G), Rmat = unname(R),
            loglik = as.numeric(logLik(fit)),
            fixef = as.list(fixef(fit)))
write_json(out, "tests/model/asmv_nlme.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
