# Session 14 (c16differs): asremlPlus's test41/42alldiffs run lmerTest + emmeans inside
# if (requireNamespace("lmerTest", quietly = TRUE) & requireNamespace("emmeans", quietly = TRUE))
# and feed vcov() of the emmGrid to allDifferences(): the block must run (the recorded LSDs
# come from it) and vcov(emm) is the means' covariance matrix.
library(asreml)
dat <- read.csv("DT.csv")
dat <- dat[dat$Env %in% c("CA.2013", "CA.2011"), ]
dat$Env <- factor(dat$Env)
dat$Block <- factor(dat$Block)
emm.vcov <- NULL
if (requireNamespace("lmerTest", quietly = TRUE) & requireNamespace("emmeans", quietly = TRUE))
{
  m.lmer <- lmerTest::lmer(Yield ~ Env + (1|Block), data = dat)
  Env.emm <- emmeans::emmeans(m.lmer, specs = ~ Env)
  Env.preds <- summary(Env.emm)
  emm.vcov <- vcov(Env.emm)
}
stopifnot(!is.null(emm.vcov))
stopifnot(nrow(emm.vcov) == 2)
if (!requireNamespace("notAPackage", quietly = TRUE)) emm.vcov <- emm.vcov * 1
