# Records which testthat expectations of expect_more.R pass under R's testthat:
#   Rscript tests/translate/roracle/record_expect_outcomes.R tests/translate/roracle/expect_more.R
# prints "line <n>: pass|fail" for each expectation (the line of the call in the file).
suppressMessages(library(testthat))
args <- commandArgs(trailingOnly = TRUE)
exprs <- parse(args[1], keep.source = TRUE)
refs <- attr(exprs, "srcref")
env <- new.env()
for (i in seq_along(exprs)) {
  line <- refs[[i]][1]
  r <- tryCatch({ eval(exprs[[i]], env); "pass" },
                expectation_failure = function(e) "fail",
                error = function(e) paste("error:", conditionMessage(e)))
  if (grepl("^(testthat::)?expect_", deparse(exprs[[i]])[1])) cat(sprintf("line %d: %s\n", line, r))
}
cat(sprintf("%s, testthat %s\n", R.version.string, packageVersion("testthat")))
