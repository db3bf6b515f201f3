# R's all.equal() mean relative difference for the pairs tests/translate/test_translate_checks.py
# compares with asr_py.translate.checks.expect_equal. Run: Rscript all_equal_reference.R
pairs <- list(
  list(x = c(1, 2, 3), y = c(1.1, 2, 3)),
  list(x = c(10, -20, 30.5), y = c(10.001, -20.002, 30.4)),
  list(x = 1764.05, y = 1764.0500064271),
  list(x = c(0.5, NA, 2), y = c(0.51, NA, 2))
)
out <- lapply(pairs, function(p) {
  ae <- all.equal(p$x, p$y, tolerance = 0)   # testthat 2e: all.equal(object, expected)
  list(object = p$x, expected = p$y,
       mean_relative_difference = as.numeric(sub("Mean relative difference: ", "", ae)))
})
writeLines(jsonlite::toJSON(out, digits = 17, auto_unbox = TRUE, na = "null"),
           "all_equal_reference.json")
