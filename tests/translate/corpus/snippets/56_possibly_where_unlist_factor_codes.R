# Session 15 (s15fail): constructs of curated scripts that stopped: purrr's possibly()
# around read.csv (Cassava2050's utilities_tidy.R), select(where(~ !all(is.na(.x)))),
# unlist() as a vector (unlist(x) > 0), as.numeric() of a factor (its codes, BLUPs.R),
# data.table's split(x, f, keep.by = FALSE) (Fransen_2022), mean() of a column the data
# lack (R's NULL, LIZARD_ASR_FIN.R)
library(asreml)
library(dplyr)
safe_read <- purrr::possibly(read.csv, NA)
dat <- safe_read("DT.csv")
none <- safe_read("no_such_file.csv")
stopifnot(is.na(none))
dat <- dat %>% select(where(~ !all(is.na(.x))))
dat$Block <- factor(dat$Block)
dat$blk <- as.numeric(dat$Block)
stopifnot(min(dat$blk) == 1)
sizes <- unlist(lapply(split(dat, dat$Env, keep.by = FALSE), function(d) nrow(d)))
stopifnot(all(sizes > 0), sum(sizes) == nrow(dat))
raw <- read.csv("DT.csv")
avg <- mean(raw$NotAColumn)
stopifnot(is.na(avg))
dat$Name <- factor(dat$Name)
dat$Env <- factor(dat$Env)
m <- asreml(Yield ~ Env, random = ~ Name, data = dat)
summary(m)$varcomp
