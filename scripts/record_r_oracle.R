# Records R's value of `out` for each snippet of tests/translate/roracle/snippets.R into
# tests/translate/roracle/oracle.json (the independent source of tests/translate/test_r_oracle.py).
# Run from the checkout's top folder (Debian: r-base-core r-cran-jsonlite r-cran-dplyr
# r-cran-tidyr r-cran-reshape2 r-cran-data.table):
#   Rscript scripts/record_r_oracle.R
# Each snippet runs after the preamble in a fresh environment; `out` is written with its kind
# (vector, factor, matrix, data.frame, list, NULL), R type, values (doubles as "%.17g" text:
# NA, NaN, Inf kept), names, levels, dim and dimnames, row names. An error is recorded too.
suppressPackageStartupMessages(library(jsonlite))
src <- "tests/translate/roracle/snippets.R"
lines <- readLines(src)
heads <- grep("^## (preamble|snippet: )", lines)
blocks <- list()
for (k in seq_along(heads)) {
  end <- if (k < length(heads)) heads[k + 1] - 1 else length(lines)
  body <- if (end > heads[k]) lines[(heads[k] + 1):end] else character(0)
  name <- sub("^## (snippet: )?", "", lines[heads[k]])
  blocks[[name]] <- paste(body, collapse = "\n")
}
preamble <- blocks[["preamble"]]
snippets <- blocks[names(blocks) != "preamble"]

values_of <- function(x) {
  v <- as.vector(x)
  if (is.double(v)) sprintf("%.17g", v) else v
}
ser <- function(x) {
  if (is.null(x)) return(list(kind = "NULL"))
  if (is.data.frame(x)) {
    auto <- .row_names_info(x) < 0
    return(list(kind = "data.frame", class = class(x), names = names(x), nrow = nrow(x),
                row_names = if (auto) NULL else rownames(x),
                columns = unname(lapply(as.list(x), ser))))
  }
  if (is.factor(x))
    return(list(kind = "factor", ordered = is.ordered(x), levels = levels(x),
                values = as.character(x), names = names(x)))
  if (is.list(x)) return(list(kind = "list", names = names(x), items = unname(lapply(x, ser))))
  if (is.atomic(x)) {
    d <- dim(x)
    if (length(d) == 2)
      return(list(kind = "matrix", type = typeof(x), dim = d,
                  rownames = rownames(x), colnames = colnames(x), values = values_of(x)))
    return(list(kind = "vector", type = typeof(x), names = names(x), values = values_of(x)))
  }
  list(kind = "other", class = class(x))
}
res <- list()
for (n in names(snippets)) {
  env <- new.env(parent = globalenv())
  got <- tryCatch({
    eval(parse(text = preamble), env)
    suppressPackageStartupMessages(eval(parse(text = snippets[[n]]), env))
    list(value = ser(get("out", envir = env)))
  }, error = function(e) list(error = conditionMessage(e)))
  res[[n]] <- c(list(code = snippets[[n]]), got)
}
pk <- sapply(c("jsonlite", "dplyr", "tidyr", "reshape2", "data.table"),
             function(p) format(packageVersion(p)))
meta <- list(r_version = R.version.string, packages = as.list(pk),
             command = "Rscript scripts/record_r_oracle.R", preamble = preamble,
             snippets = res)
writeLines(toJSON(meta, auto_unbox = TRUE, null = "null", na = "null", digits = NA,
                  pretty = 1), "tests/translate/roracle/oracle.json")
