# x[i, j] by position: R 4.2's values and drop rule, for tests/translate/test_translate_rij.py
# (Rscript tests/translate/data/rij_reference.R > tests/translate/data/rij_reference.json)
d <- data.frame(a = c(1, 2, 3), b = c(4, 5, 6), c = c(7, 8, 9), e = c(10, 11, 12))
m <- matrix(1:12, nrow = 3)
m1 <- matrix(1:4, nrow = 1)
desc <- function(v) list(class = class(v)[1], dim = if (is.null(dim(v))) length(v) else dim(v),
                         values = as.vector(unlist(v)))
out <- list(
  d_col = desc(d[, 2]), d_cols = desc(d[, 2:3]), d_neg = desc(d[, -1]),
  d_row = desc(d[1, ]), d_cell = desc(d[2, 3]), d_zero = desc(d[, 0]),
  d_negs = desc(d[, -c(1, 2)]), d_rows_col = desc(d[2:3, 4]),
  m_col = desc(m[, 1]), m_row = desc(m[1, ]), m_cols = desc(m[, 3:4]),
  m_neg = desc(m[, -1]), m1_cols = desc(m1[, 2:3]), m_cell = desc(m[3, 4])
)
cat(jsonlite::toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "\n")
