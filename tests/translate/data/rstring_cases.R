# Records base R 4.2's string functions for tests/translate/test_rstring.py
# (run: Rscript rstring_cases.R > rstring_cases.json; base R only, hand-written JSON).
x <- c("Col:Row!Row!cor", "grp(neighbour)_12", NA, "New_3:ar1(Row)", "a_b_", "_lead")
j <- function(v) {
  if (is.list(v)) return(paste0("[", paste(sapply(v, j), collapse = ","), "]"))
  if (length(v) == 0) return("[]")
  el <- sapply(v, function(e) if (is.na(e)) "null" else if (is.character(e))
    paste0('"', gsub('"', '\\\\"', e), '"') else if (is.logical(e)) tolower(as.character(e))
    else format(e, digits = 15))
  paste0("[", paste(el, collapse = ","), "]")
}
cases <- list(
  grep_fixed = grep("Row", x, fixed = TRUE),
  grep_regex = grep("^(New|grp)", x),
  grep_value = grep("_", x, value = TRUE),
  grep_invert = grep("_", x, invert = TRUE),
  grep_ic = grep("col", x, ignore.case = TRUE),
  grepl_posix = grepl("[[:digit:]]+$", x),
  sub = sub("_([0-9]+)", "<\\1>", x),
  gsub = gsub("[[:punct:]]", ".", x),
  gsub_fixed = gsub("(", "[", x, fixed = TRUE),
  gsub_whole = gsub("o", "\\0\\0", "colour row"),
  strsplit_colon = strsplit(c("A_1:B_2", "C", "a_b_", "_a", "a__b"), split = "_"),
  strsplit_empty = strsplit("abc", ""),
  strsplit_regex = strsplit("a1b22c", "[0-9]+"),
  substr = substr(c("Genotype", "Rep", NA), 2, 4),
  substring = substring("abcdef", 1:3, 3:5),
  substring_default = substring("abcdef", 3),
  nchar = nchar(c("Genotype", "", "Rep")),
  toupper = toupper(c("ab", "Cd")),
  tolower = tolower("AbC"),
  trimws = trimws(c("  a b ", "\tc\n")),
  trimws_left = trimws("  a  ", which = "left"),
  sprintf_vec = sprintf("%s-%02d: %5.2f", c("a", "b"), 3:4, pi),
  sprintf_s_num = sprintf("%s and %d%%", 2.5, 3),
  sprintf_e = sprintf("%.3e", 12345.678),
  formatC_w = formatC(c(1, 10, 100), width = 5, flag = "0"),
  formatC_f = formatC(3.14159, digits = 3, format = "f"),
  formatC_big = formatC(1234567, big.mark = ",", format = "d"),
  starts = startsWith(c("Col!cor", "Row"), "Col"),
  ends = endsWith(c("Col!cor", "Row"), "cor"),
  regmatches = regmatches(c("a12", "bb", "c3"), regexpr("[0-9]+", c("a12", "bb", "c3")))
)
cat("{\n", paste(sprintf('"%s": %s', names(cases), sapply(cases, j)), collapse = ",\n"),
    "\n}\n")
