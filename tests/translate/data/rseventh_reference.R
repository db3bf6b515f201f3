# Base-R values the tests in tests/translate/test_translate_rseventh.py check against.
# Recorded with R 4.2 (Rscript tests/translate/data/rseventh_reference.R > rseventh_reference.json).
out <- list()
# x$absent of a list is NULL: is.null TRUE, length 0, c(NULL, a) = a
l <- list(a = 1, b = 2)
out$null_is <- is.null(l$c)
out$null_len <- length(l$c)
out$null_c <- c(l$c, 3)
f <- function(x) is.null(x$W)
out$null_param <- c(f(l), f(list(W = 1)))
h <- function(x) is.null(x[["W"]])
out$null_dbl <- c(h(l), h(list(W = 1)), h(list(Wx = 1)))   # [[ ]] does not partial-match
# data.frame() of NULL is 0 x 0 and rbind drops it; an unnamed data frame splices its columns
g <- function(x) data.frame(var = rownames(x$W), x$W, stringsAsFactors = FALSE)
W <- data.frame(p = c(0.1, 0.2))
rownames(W) <- c("r1", "r2")
rows <- lapply(list(list(a = 1), list(W = W), list(W = W)), g)
r <- do.call(rbind, rows)
out$rbind_null_var <- r$var
out$rbind_null_p <- r$p
out$rbind_null_names <- names(r)
# a one-element named vector times a matrix: by position (R recycles), labels do not align
vp <- c(a = 2, b = 3)
Z <- matrix(1:6, 3, 2)
out$named_times_matrix <- as.vector(vp["b"] * (Z %*% t(Z)))
out$vector_times_matrix <- as.vector(vp * t(Z))                 # recycled down the columns
out$matrix_plus_matrix <- as.vector(Z %*% t(Z) + vp["a"] * (Z %*% t(Z)))
# a column mask of grepl() & grepl()
d <- data.frame(Sa = 1:2, Sb = 3:4, Ta = 5:6, ab = 7:8, Sab = 9:10)
out$col_mask <- names(d[, grepl("S", names(d)) & grepl("a", names(d))])
out$col_mask_one <- d[, grepl("S", names(d)) & grepl("b", names(d)) & !grepl("a", names(d))]
out$col_mask2 <- names(d[, grepl("a", names(d)) & !grepl("S", names(d))])
# paste0 of a vector inside c() and outer()
out$paste_c <- c(paste0("T_", 1:3), paste0("T_", 1:3, ":x"))
out$paste_outer <- as.vector(outer(paste0("s_", 1:2), paste0(":T_", 1:3), paste0))
# x[c(names)], x[v[i]], x[names(x)[grep()]]
v <- c(a = 1, ab = 3, c = 5)
cn <- c("c", "a", "ab")
out$sub_names <- unname(v[c("ab", "c")])
out$sub_index <- unname(v[cn[c(1, 3)]])
out$sub_grep <- names(v[names(v)[grep("a", names(v))]])
# is.numeric / is.character of columns (getfit()'s if (is.numeric(data[[var]])))
dd <- data.frame(a = c(1.5, 2), b = c("x", "y"), l = c(TRUE, FALSE), i = 1:2)
out$is_numeric <- c(is.numeric(dd$a), is.numeric(dd$b), is.numeric(dd$l), is.numeric(dd$i),
                    is.numeric(dd[["a"]]))
out$is_character <- c(is.character(dd$b), is.character(dd$a))
# setNames(list(c(m, m + s)), var): a named list whose element is the whole vector
levs <- setNames(list(c(1, 3)), "age")
out$setnames_list_names <- names(levs)
out$setnames_list_value <- levs[["age"]]
cat(jsonlite::toJSON(out, auto_unbox = TRUE, na = "null", digits = NA, pretty = TRUE), "\n")
