# R's own tokens of R scripts (for benchmarks/translate_style_fuzz.py): R's parser, not
# asr_py's lexer, says where each token is, so the style rewrites do not inherit asr_py's
# reading of R. Also the formals of the closures the scripts call (R's matching order).
#   Rscript rstyle_tokens.R out.json file1.R file2.R ...
args <- commandArgs(trailingOnly = TRUE)
out <- args[1]
files <- args[-1]
read_r <- function(f) {
  x <- readLines(f, encoding = "UTF-8", warn = FALSE)
  if (length(x)) x[1] <- sub("^\ufeff", "", x[1])
  x
}
res <- list()
for (f in files) {
  one <- tryCatch({
    p <- parse(text = read_r(f), keep.source = TRUE, srcfile = srcfilecopy(f, read_r(f)))
    pd <- getParseData(p, includeText = TRUE)
    pd <- pd[order(pd$line1, pd$col1, -pd$line2, -pd$col2), ]
    calls <- unique(pd$text[pd$token == "SYMBOL_FUNCTION_CALL"])
    formals_of <- list()
    for (fn in calls) {
      f0 <- tryCatch(get(fn, mode = "function"), error = function(e) NULL)
      if (is.function(f0) && !is.primitive(f0)) formals_of[[fn]] <- names(formals(f0))
    }
    list(ok = TRUE,
         tokens = lapply(seq_len(nrow(pd)), function(i)
           list(id = pd$id[i], parent = pd$parent[i], token = pd$token[i],
                terminal = pd$terminal[i], line1 = pd$line1[i], text = pd$text[i])),
         formals = formals_of)
  }, error = function(e) list(ok = FALSE, error = conditionMessage(e)))
  res[[f]] <- one
}
writeLines(jsonlite::toJSON(res, auto_unbox = TRUE, null = "null"), out, useBytes = TRUE)
