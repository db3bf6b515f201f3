# An asremlPlus-style alldiffs object saved with saveRDS (R 4.2, no asreml needed): the
# structure asremlPlus's tests read with readRDS (e.g. LeafSucculence.diff): a list of class
# "alldiffs" with a predictions data frame, labelled matrices and R attributes.
# Run from tests/data: Rscript alldiffs_rds_reference.R
pred <- data.frame(A = factor(c("a1", "a1", "a2", "a2")), B = factor(c("b1", "b2", "b1", "b2")),
                   predicted.value = c(10, 12, 15, 11), standard.error = c(1, 1.2, 1.1, 0.9),
                   est.status = "Estimable")
lab <- paste(pred$A, pred$B, sep = ",")
V <- matrix(c(1, .2, .1, 0, .2, 1.44, 0, .1, .1, 0, 1.21, .2, 0, .1, .2, .81), 4,
            dimnames = list(lab, lab))
sed <- sqrt(outer(diag(V), diag(V), "+") - 2 * V); diag(sed) <- NA
dif <- outer(pred$predicted.value, pred$predicted.value, "-"); dimnames(dif) <- list(lab, lab)
p <- 2 * pt(abs(dif) / sed, 20, lower.tail = FALSE)
x <- structure(list(predictions = pred, vcov = V, differences = dif, p.differences = p,
                    sed = sed, LSD = NULL, backtransforms = NULL),
               response = "y", response.title = "y", term = "A:B", classify = "A:B",
               tdf = 20, alpha = 0.05, class = c("alldiffs", "list"))
saveRDS(x, "alldiffs_small.rds")
obj <- list(fit = list(a = 1:3, b = "x"), frame = pred)
save(x, obj, file = "alldiffs_small.rda")
writeLines(sprintf("%.10f", p[1, 2]))
