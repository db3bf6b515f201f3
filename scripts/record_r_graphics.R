# Records the values R 4.2.2's graphics functions compute into
# tests/translate/rgraphics/oracle.json (the independent source of
# tests/translate/test_rgraphics_values.py). Run from the checkout's top folder
# (Debian: r-base-core r-cran-jsonlite):
#   Rscript scripts/record_r_graphics.R
# Inputs are vectors of R's datasets package and small hand-made vectors; each case keeps
# its input, so the test needs no R. Doubles are written with 17 significant digits.
suppressPackageStartupMessages(library(jsonlite))
num <- function(v) sprintf("%.17g", as.double(v))
inputs <- list(
  eruptions = faithful$eruptions, precip = unname(precip), rivers = rivers,
  mpg = mtcars$mpg, ozone = airquality$Ozone[!is.na(airquality$Ozone)],
  small = c(3, 1, 4, 1, 5), ties = c(2, 2, 2, 2, 3, 9, -4),
  negative = c(-0.031, -0.0204, -0.0117, 0.0003, 0.0288, 0.0314, -0.0025),
  big = c(1520, 18300, 4400, 980, 26100, 13750, 7320, 5100),
  count = as.double(InsectSprays$count), one = c(5, 5, 5, 5))
cases <- list()
add <- function(fun, input, args, value) {
  cases[[length(cases) + 1]] <<- list(fun = fun, input = input, args = args, value = value)
}
for (nm in names(inputs)) {
  x <- inputs[[nm]]
  for (br in list("Sturges", "Scott", "FD", 4, 12, c(min(x) - 1, median(x), max(x) + 1))) {
    h <- hist(x, breaks = br, plot = FALSE)
    add("hist", nm, list(breaks = if (is.character(br)) br else num(br)),
        list(breaks = num(h$breaks), counts = h$counts, density = num(h$density),
             mids = num(h$mids), equidist = h$equidist))
  }
  h <- hist(x, right = FALSE, plot = FALSE)
  add("hist", nm, list(breaks = "Sturges", right = FALSE),
      list(breaks = num(h$breaks), counts = h$counts, density = num(h$density),
           mids = num(h$mids), equidist = h$equidist))
  for (k in c(3, 5, 10)) add("pretty", nm, list(n = k), list(value = num(pretty(x, n = k))))
  add("fivenum", nm, list(), list(value = num(fivenum(x))))
  for (co in c(1.5, 1, 0)) {
    b <- boxplot.stats(x, coef = co)
    add("boxplot.stats", nm, list(coef = co),
        list(stats = num(b$stats), n = b$n, conf = num(b$conf), out = num(b$out)))
  }
  if (length(unique(x)) > 1 && nm %in% c("eruptions", "precip", "small", "ties", "big")) {
    d <- density(x)
    add("density", nm, list(), list(x = num(d$x), y = num(d$y), bw = num(d$bw), n = d$n))
  }
  if (length(unique(x)) > 1) {
    d <- density(x, adjust = 2, n = 100)
    add("density", nm, list(adjust = 2, n = 100),
        list(x = num(d$x), y = num(d$y), bw = num(d$bw), n = d$n))
  }
  Fn <- ecdf(x)
  add("ecdf", nm, list(), list(knots = num(knots(Fn)), value = num(Fn(knots(Fn))),
                               below = num(Fn(min(x) - 1))))
  q <- qqnorm(x, plot.it = FALSE)
  add("qqnorm", nm, list(), list(x = num(q$x), y = num(q$y)))
}
# boxplot(y ~ g): one column of stats per group level, in level order
b <- boxplot(count ~ spray, data = InsectSprays, plot = FALSE)
add("boxplot.formula", "InsectSprays", list(formula = "count ~ spray"),
    list(stats = num(b$stats), n = b$n, conf = num(b$conf), out = num(b$out),
         group = b$group, names = b$names))
b <- boxplot(mpg ~ cyl, data = mtcars, plot = FALSE)
add("boxplot.formula", "mtcars", list(formula = "mpg ~ cyl"),
    list(stats = num(b$stats), n = b$n, conf = num(b$conf), out = num(b$out),
         group = b$group, names = b$names))
add("ppoints", "", list(n = 7), list(value = num(ppoints(7))))
add("ppoints", "", list(n = 25), list(value = num(ppoints(25))))
out <- list(r_version = R.version.string,
            inputs = lapply(inputs, num), cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = FALSE),
           "tests/translate/rgraphics/oracle.json")
cat(length(cases), "cases\n")
