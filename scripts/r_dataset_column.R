# One data frame column as JSON-ready R list, keeping R's type: double, integer, logical,
# character, or factor with its levels in R's order (ordered = TRUE for ordered factors) as
# 1-based codes. Sourced by scripts/record_r_datasets.R and scripts/record_r_pkg_datasets.R.
column <- function(v) {
  if (is.factor(v))
    return(list(type = "factor", ordered = is.ordered(v), levels = levels(v),
                codes = as.integer(v)))
  type <- typeof(v)
  stopifnot(type %in% c("double", "integer", "logical", "character"), is.null(dim(v)))
  list(type = type, values = as.vector(v))
}
