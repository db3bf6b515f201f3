# R 4.2 values recorded for tests/translate/test_translate_c14sel.py
# (run: Rscript tests/translate/data/c14sel_rbase.R > tests/translate/data/c14sel_rbase.txt)
suffices <- list("32_42", "42_50", "50_59")
r <- paste("RGR_sm", suffices, sep = "_")
cat("paste_list:", r, sep = "|"); cat("\n")
v <- c(1.5, 2, NA)
cat("paste_num:", paste("x", v, TRUE), sep = "|"); cat("\n")
k <- 2
cat("paste_one:", paste("a", k, sep = ""), sep = "|"); cat("\n")
cat("paste_index:", paste(r[k], "~ x", sep = " "), sep = "|"); cat("\n")
x <- c(a = 2)
cat("diag_named:", diag(x, nrow = 3, ncol = 3), sep = "|"); cat("\n")
cat("diag_rect:", diag(c(1, 2), nrow = 3, ncol = 4), sep = "|"); cat("\n")
d <- data.frame(m = c(0.3, 0.4), row.names = c("a,b", "c,d"))
cat("df_rownames:", rownames(d), names(d), sep = "|"); cat("\n")
f <- function(a) { a <- a + 1; invisible(a) }
cat("invisible:", f(1), sep = "|"); cat("\n")
l <- lapply(c("p", "q"), function(r, dat) dat[[r]] * 2, dat = list(p = 1:2, q = 3:4))
names(l) <- c("P", "Q")
cat("named_list:", names(l), l$Q, sep = "|"); cat("\n")
h <- function(k, t.value) k * t.value
cat("sapply_dotted:", sapply(1:3, h, t.value = 10), sep = "|"); cat("\n")
L <- diag(1, nrow = 4)
g <- c("a", "b", "c", "d")
colnames(L) <- g
rownames(L) <- g
L <- L[-match("b", g), ]
L[, match("c", g)] <- 0
cat("drop_row_zero_col:", rownames(L), as.vector(L), sep = "|"); cat("\n")
m <- matrix(1:16, 4, 4)
cat("upper_tri:", m[upper.tri(m)], sep = "|"); cat("\n")
cat("lower_tri_diag:", m[lower.tri(m, diag = TRUE)], sep = "|"); cat("\n")
