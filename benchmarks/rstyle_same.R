# Does R read two scripts as the same program? (benchmarks/translate_style_fuzz.py)
#   Rscript rstyle_same.R pairs.tsv out.tsv      (pairs.tsv: original<TAB>rewrite per line)
# For each pair: "parse" when R cannot parse the rewrite, "same" when the canonical syntax
# trees agree, "differ" otherwise. The canonical tree undoes only what R itself makes equal:
# `=`/`->` assignment (R's parser already turns `->` into `<-` and `|>` and `\(x)` into
# nested calls and `function`), T/F, pkg:: prefixes, require/suppressMessages(library()),
# magrittr's %>% with no `.` in its right side, x[["a"]] / x[, "a"] / x$a, one-statement
# { }, and argument matching (match.call: positional, partial and reordered names) of the
# closures R knows, with asreml()'s first four formals (fixed, random, sparse, residual).
args <- commandArgs(trailingOnly = TRUE)
suppressPackageStartupMessages({
  for (p in c("magrittr", "dplyr", "lme4")) try(library(p, character.only = TRUE), silent = TRUE)
})
asreml <- function(fixed = ~1, random = ~NULL, sparse = ~NULL, residual = ~NULL, G.param,
                   R.param, data, subset, family, weights, na.action, predict, vcm, mef,
                   start.values, maxit, trace, workspace, pworkspace, ...) NULL
read_r <- function(f) {
  x <- readLines(f, encoding = "UTF-8", warn = FALSE)
  if (length(x)) x[1] <- sub("^\ufeff", "", x[1])
  x
}
canon_list <- function(lst) {
  for (i in seq_along(lst))
    if (!(is.symbol(lst[[i]]) && !nzchar(as.character(lst[[i]]))))
      lst[i] <- list(canon(lst[[i]]))
  lst
}
canon <- function(e) {
  if (is.name(e)) {
    if (identical(e, as.name("T"))) return(TRUE)
    if (identical(e, as.name("F"))) return(FALSE)
    return(e)
  }
  if (is.character(e)) return(gsub("\\", "/", e, fixed = TRUE))
  if (is.pairlist(e) && length(e)) return(as.pairlist(canon_list(as.list(e))))
  if (!is.call(e)) return(e)
  fn <- e[[1]]
  if (is.call(fn) && as.character(fn[[1]]) %in% c("::", ":::")) {
    e[[1]] <- fn[[3]]
    fn <- e[[1]]
  }
  if (is.name(fn)) {
    f <- as.character(fn)
    if (f == "=") e[[1]] <- as.name("<-")
    if (f == "require") e[[1]] <- as.name("library")
    if (f %in% c("suppressMessages", "suppressPackageStartupMessages", "invisible") &&
        length(e) == 2 && is.call(e[[2]]) &&
        as.character(e[[2]][[1]])[1] %in% c("library", "require"))
      return(canon(e[[2]]))
    if (f == "%>%" && length(e) == 3) {
      rhs <- e[[3]]
      if (is.name(rhs)) return(canon(as.call(list(rhs, e[[2]]))))
      if (is.call(rhs) && !("." %in% all.names(rhs)))
        return(canon(as.call(c(list(rhs[[1]], e[[2]]), as.list(rhs)[-1]))))
    }
    if (f == "[[" && length(e) == 3 && is.character(e[[3]]) && length(e[[3]]) == 1)
      return(canon(call("$", e[[2]], as.name(e[[3]]))))
    if (f == "[" && length(e) == 4 && is.symbol(e[[3]]) && !nzchar(as.character(e[[3]])) && is.character(e[[4]]) &&
        length(e[[4]]) == 1 && is.null(names(e)))
      return(canon(call("$", e[[2]], as.name(e[[4]]))))
    if (f == "$" && is.character(e[[3]])) e[[3]] <- as.name(e[[3]])
    if (f == "{" && length(e) == 2) return(canon(e[[2]]))
    if (f == "function") e <- e[1:3]
    def <- if (f == "asreml") asreml else
      tryCatch(get(f, mode = "function"), error = function(err) NULL)
    if (is.function(def) && !is.primitive(def))
      e <- tryCatch(match.call(def, e), error = function(err) e)
  }
  as.call(canon_list(as.list(e)))
}
pairs <- read.delim(args[1], header = FALSE, quote = "", stringsAsFactors = FALSE)
out <- character(nrow(pairs))
for (i in seq_len(nrow(pairs))) {
  a <- tryCatch(parse(text = read_r(pairs[i, 1]), keep.source = FALSE),
                error = function(err) NULL)
  b <- tryCatch(parse(text = read_r(pairs[i, 2]), keep.source = FALSE),
                error = function(err) NULL)
  out[i] <- if (is.null(b)) "parse" else if (is.null(a)) "orig" else
    if (identical(lapply(a, canon), lapply(b, canon))) "same" else "differ"
}
writeLines(out, args[2])
