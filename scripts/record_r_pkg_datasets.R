# Records the data frames of the mixed-model packages lme4 and nlme (sleepstudy, Penicillin,
# Orthodont, Oats, Rail, ...) into asr_py/data/r_pkg_datasets.json, read by
# asr_py.translate.rdatasets when a translated script calls data(sleepstudy) or uses such a
# name as data without a file of that name (R finds it in the attached package).
# Run from the checkout's top folder (Debian: r-base-core r-cran-jsonlite r-cran-lme4
# r-cran-nlme):   Rscript scripts/record_r_pkg_datasets.R
# Columns as scripts/record_r_datasets.R records them; data sets over MAX_CELLS cells
# (lme4's InstEval, VerbAgg; nlme's bdf, MathAchieve, Quinidine, Remifentanil) are left out to keep the wheel small.
library(jsonlite)
MAX_CELLS <- 15000
PACKAGES <- c("lme4", "nlme")
source("scripts/r_dataset_column.R")      # column(): one column with its R type
out <- list()
versions <- list()
for (p in PACKAGES) {
  items <- sub(" .*", "", data(package = p)$results[, "Item"])
  sets <- list()
  for (n in items) {
    e <- new.env()
    ok <- tryCatch({ data(list = n, package = p, envir = e); TRUE },
                   warning = function(w) FALSE)
    if (!ok || !exists(n, envir = e, inherits = FALSE)) next
    x <- as.data.frame(get(n, envir = e))
    if (nrow(x) * ncol(x) > MAX_CELLS) next
    rn <- rownames(x)
    auto <- identical(rn, as.character(seq_len(nrow(x))))
    sets[[n]] <- list(names = names(x), nrow = nrow(x),
                      row_names = if (auto) NULL else rn,
                      columns = unname(lapply(x, column)))
  }
  out[[p]] <- sets
  versions[[p]] <- as.character(packageVersion(p))
}
meta <- list(source = "R packages lme4 and nlme (GPL-2 | GPL-3)",
             r_version = R.version.string, package_versions = versions,
             command = "Rscript scripts/record_r_pkg_datasets.R",
             packages = out)
writeLines(toJSON(meta, auto_unbox = TRUE, digits = NA, na = "null", null = "null"),
           "asr_py/data/r_pkg_datasets.json")
