# Records the data frames of R's `datasets` package into asr_py/data/r_datasets.json, read by
# asr_py.translate.rdatasets (translated scripts' data(iris), data("CO2"), a bare `iris`).
# Run from the checkout's top folder (R with jsonlite; Debian: r-base-core r-cran-jsonlite):
#   Rscript scripts/record_r_datasets.R
# Each column keeps R's type: double, integer, logical, character, or factor with its levels
# in R's order (ordered = TRUE for ordered factors: ChickWeight$Chick, CO2$Plant, esoph$agegp
# ...) as 1-based codes; row names are kept when they are not R's automatic 1..n (mtcars).
library(jsonlite)
items <- sub(" .*", "", data(package = "datasets")$results[, "Item"])
source("scripts/r_dataset_column.R")      # column(): one column with its R type
out <- list()
for (n in items) {
  x <- get(n, envir = as.environment("package:datasets"))
  if (!is.data.frame(x)) next
  rn <- rownames(x)
  auto <- identical(rn, as.character(seq_len(nrow(x))))
  out[[n]] <- list(names = names(x), nrow = nrow(x),
                   row_names = if (auto) NULL else rn,
                   columns = unname(lapply(x, column)))
}
meta <- list(source = "R package 'datasets' (GPL-2 | GPL-3, as R)",
             r_version = R.version.string,
             command = "Rscript scripts/record_r_datasets.R",
             datasets = out)
writeLines(toJSON(meta, auto_unbox = TRUE, digits = NA, na = "null", null = "null"),
           "asr_py/data/r_datasets.json")
