suppressMessages({library(lme4); library(jsonlite)})
cases <- fromJSON("/work/notes/s30/face_cases/cases.json")
out <- list()
for (k in seq_len(nrow(cases))) {
  d <- read.csv(sprintf("/work/notes/s30/face_cases/d%d.csv", cases$i[k]), stringsAsFactors = TRUE)
  m <- tryCatch(lmer(as.formula(cases$lme4[k]), d, REML = TRUE), error = function(e) NULL)
  out[[k]] <- list(i = cases$i[k], ll = if (is.null(m)) NA else as.numeric(logLik(m)),
                   sing = if (is.null(m)) NA else isSingular(m),
                   conv = if (is.null(m)) NA else length(m@optinfo$conv$lme4$messages))
}
write_json(out, "/work/notes/s30/face_cases/lme4.json", digits = NA, auto_unbox = TRUE)
