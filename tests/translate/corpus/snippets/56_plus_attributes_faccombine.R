# asremlPlus test4[12]alldiffs*.r shapes: R attributes of an alldiffs object and its
# predictions (heading, LSDtype, LSDby, LSDvalues named by the LSDby combinations,
# names(attributes(...))), facCombine() of the LSDby factors, and as.character() of a
# getFormulae() formula (c("~", rhs)).
library(asreml)
library(asremlPlus)
dat <- read.csv("DT.csv")
dat <- dat[dat$Env %in% unique(dat$Env)[1:2] & dat$Name %in% unique(dat$Name)[1:3], ]
dat$Env <- factor(dat$Env)
dat$Name <- factor(dat$Name)
dat$Block <- factor(dat$Block)
fit <- asreml(Yield ~ Env*Name, random = ~ Block, data = dat)
asrt <- as.asrtests(fit)
diffs <- predictPlus(fit, classify = "Env:Name", wald.tab = asrt$wald.tab,
                     error.intervals = "half", LSDtype = "factor.combinations",
                     LSDby = "Env", avsed.tolerance = NA, tables = "none")
stopifnot(length(attr(diffs$predictions, which = "heading")) == 1)
stopifnot(all(c("LSDtype", "LSDby", "LSDstatistic", "LSDvalues") %in%
                names(attributes(diffs$predictions))))
stopifnot(attr(diffs, which = "LSDstatistic") == "mean")
stopifnot(length(attr(diffs$predictions, which = "LSDvalues")) == 2)
comb <- facCombine(diffs, factors = c("Env", "Name"))
stopifnot(names(comb$predictions)[1] == "Env_Name")
ci <- predictPlus(fit, classify = "Env:Name", wald.tab = asrt$wald.tab,
                  error.intervals = "Conf", tables = "none")
stopifnot(!any(c("LSDtype", "LSDvalues") %in% names(attributes(ci$predictions))))
stopifnot("asreml.predict" %in% class(ci$predictions))
stopifnot(grepl("Block", as.character(getFormulae(fit)$random)[2], fixed = TRUE))
