# Base-R values the tests in tests/translate/test_translate_rgeneral.py check against.
# Recorded with R 4.2 (Rscript tests/translate/data/rgeneral_reference.R > rgeneral_reference.json).
out <- list()
x <- c(1, 2, NA, 10)
f <- factor(x)
out$factor_chars <- as.character(f)            # "1" "2" NA "10"
out$factor_levels <- levels(f)
out$factor_na <- sum(is.na(f))
s <- c("b", NA, "a")
out$char_factor <- as.character(factor(s))
out$as_char_num <- as.character(c(28, 0.1, 1.5, NA))
fn <- function(x) { if (x > 1) { "big" } else if (x > 0) "mid" else { "small" } }
out$if_last <- c(fn(2), fn(0.5), fn(-1))
g <- function(x) { if (x > 1) "yes" }
out$if_no_else_null <- is.null(g(0))
sw <- function(v) switch(v, a = 1, b = , c = 3, 99)
out$switch_text <- c(sw("a"), sw("b"), sw("c"), sw("z"))
out$switch_num <- switch(2, "x", "y", "z")
out$switch_null <- is.null(switch("q", a = 1))
nm <- setNames(c(10, 20), c("p", "q"))
out$setnames_names <- names(nm)
out$setnames_q <- unname(nm[["q"]])
out$setnames_self <- names(setNames(nm = c("u", "v")))
L <- matrix(data = list(), nrow = 2, ncol = 1, dimnames = list(c("e1", "e2"), "B"))
L[["e1", "B"]] <- data.frame(x = 1:2, loc = "e1")
L[["e2", "B"]] <- data.frame(x = 3:4, loc = "e2")
r <- do.call(rbind, L)
out$rbind_listmatrix_x <- r$x
out$rbind_listmatrix_loc <- r$loc
out$rbind_vectors <- as.vector(t(do.call(rbind, list(c(1, 2), c(3, 4)))))   # by row
out$rbind_null_dropped <- nrow(rbind(NULL, data.frame(a = 1), NULL))
out$rbind_by_name <- unlist(rbind(data.frame(p = 1, q = 2), data.frame(q = 4, p = 3))[2, ])
d <- data.frame(a = c(1, NA, 3), b = c("u", "v", NA), y = c(0.5, 1.5, 2.5))
d[c("a", "b")] <- lapply(d[c("a", "b")], factor)
out$lapply_a <- as.character(d$a)
out$lapply_b_na <- sum(is.na(d$b))
out$lapply_classes <- unname(sapply(d, class))
out$one_row <- nrow(data.frame(a = 1, b = "x"))
cat(jsonlite::toJSON(out, auto_unbox = TRUE, na = "null", digits = NA, pretty = TRUE), "\n")
