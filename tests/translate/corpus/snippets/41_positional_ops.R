# R's value semantics (c14sem): binary operators between two data-frame rows or columns work
# by position with recycling (asremlPlus tests: exp(x$predictions[1, c(2,4:5)]) -
# x$backtransforms[1, c(2,4:5)]; kdif >= diffs$LSD$assignedLSD with a one-row LSD frame);
# attributes(x)[c("names", "absent")] gives NULL for the absent name; is.null(d$absent).
library(asreml)
dat <- read.csv("DT.csv")
dat$Env <- factor(dat$Env)
dat$Name <- factor(dat$Name)
m <- asreml(Yield ~ Env, random = ~ Name, data = dat)
pv <- predict(m, classify = "Name")$pvals
lsd <- data.frame(assignedLSD = 2 * mean(pv$std.error))
row.d <- pv[1, c(2, 3)] - pv[2, c(2, 3)]
stopifnot(!any(is.na(row.d)))
big <- abs(pv$predicted.value - mean(pv$predicted.value)) >= lsd$assignedLSD
print(sum(big))
stopifnot(length(big) == nrow(pv))
att <- attributes(pv)[c("names", "absent")]
stopifnot(is.null(att$absent))
if (is.null(dat$Rep)) dat$Rep <- 1
print(head(dat))
# a variable named as a module the translation imports (asremlPlus's test42alldiffsasr.r:
# asr <- asreml(...); as.asrtests(asr, ...)) must not hide it
asr <- asreml(Yield ~ Env, random = ~ Name, data = dat)
pd <- nrow(dat)
asrt <- as.asrtests(asr, NULL, NULL)
print(pd)
# x %in% y with x a variable holding a vector (trainingMM 07_PBLUP: id %in% momid)
ids <- dat$Name
is.first <- ids %in% levels(dat$Name)[1:3]
print(sum(is.first))
