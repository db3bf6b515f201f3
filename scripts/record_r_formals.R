# Records the formals of R's base functions into asr_py/data/r_formals.json, read by
# asr_py.translate.rnormargs: R's argument matching (partial names, the first formal given
# by name) for the calls a translated script makes, so `factor(x = d$a)` and `factor(d$a)`,
# `seq(1, 10, len = 4)` and `seq(1, 10, length.out = 4)` translate alike.
# Run from the checkout's top folder:   Rscript scripts/record_r_formals.R
# Kept: exported functions of base, stats, utils, graphics, grDevices and methods whose
# formals start with a named one (not `...`), their formals up to `...` (after it R matches
# names exactly; a formal with a default value ends in '='), a generic's of its default method (seq: seq.default's); left out: names
# that packages scripts attach over them export with other formals (dplyr's filter/lag,
# MASS's select, ...: the formals would not be those of the function a script calls).
library(jsonlite)
BASE <- c("base", "stats", "utils", "graphics", "grDevices", "methods")
MASKERS <- c("dplyr", "tidyr", "purrr", "MASS", "data.table", "lme4", "Matrix", "plyr",
             "magrittr", "stringr", "tibble", "readr", "ggplot2", "lubridate", "nlme")
lead <- function(f) {                   # formals up to `...`
  fm <- names(formals(if (is.primitive(f)) args(f) else f))
  dots <- match("...", fm)
  if (is.na(dots)) fm else fm[seq_len(dots)]
}
maskers <- list()                       # name -> formals of the other packages' functions
for (p in MASKERS) {
  if (!requireNamespace(p, quietly = TRUE)) next
  for (n in getNamespaceExports(p)) {
    f <- get0(n, envir = asNamespace(p))
    if (is.function(f)) maskers[[n]] <- c(maskers[[n]], list(lead(f)))
  }
}
out <- list()
for (p in BASE) {
  for (n in sort(getNamespaceExports(p))) {
    if (!grepl("^[A-Za-z.][A-Za-z0-9._]*$", n) || !is.null(out[[n]])) next
    f <- get(n, envir = asNamespace(p))
    if (!is.function(f)) next
    if (is.primitive(f)) f <- args(f)
    if (is.null(f)) next
    masked <- any(!vapply(maskers[[n]], identical, TRUE, lead(f)))
    fm <- names(formals(f))
    if (masked) {                       # only the first formal, when every mask has it too
      firsts <- vapply(maskers[[n]], function(m) c(m, "")[1], "")
      if (!length(fm) || fm[1] == "..." || any(firsts != fm[1])) next
      out[[n]] <- c(fm[1], "...")
      next
    }
    def <- paste0(n, ".default")       # a generic (seq(...)): its default method's formals
    if (length(fm) <= 2 && tail(fm, 1) == "..." &&
        exists(def, envir = asNamespace(p), inherits = FALSE)) {
      fd <- get(def, envir = asNamespace(p))
      if (length(formals(fd)) && (fm[1] == "..." || names(formals(fd))[1] == fm[1])) f <- fd
    }
    fl <- formals(f)
    fm <- names(fl)
    if (!length(fm) || fm[1] == "...") next
    dots <- match("...", fm)
    if (!is.na(dots)) fm <- fm[seq_len(dots)]
    has_default <- vapply(fm, function(a) a != "..." && !identical(fl[[a]], quote(expr = )),
                          TRUE)
    out[[n]] <- paste0(fm, ifelse(has_default, "=", ""))
  }
}
out <- out[order(names(out))]
writeLines(toJSON(list(R = R.version.string, formals = out), auto_unbox = FALSE),
           "asr_py/data/r_formals.json")
