# c15misc (crWerner/fieldsimr SupplementaryScriptS11, neyhartj Piepho2013): a factor's rows
# picked with %in% numbers (R's match() compares as text), the genotype BLUPs picked from
# coefficients$random by grep() on the row names, an asreml() call inside an untranslated
# group_by() %>% do({df <- .; ...}) left there (df is the block's own variable).
library(asreml)
dat <- read.csv("DT.csv")
dat$Name <- factor(dat$Name)
dat$Env <- factor(dat$Env)
dat$Block <- factor(dat$Block)
dat$Fblk <- 1
dat$Fblk[dat$Block %in% seq(1, 3, 2)] <- 2
dat$Fblk <- factor(dat$Fblk)
print(table(dat$Fblk))
fit <- asreml(Yield ~ Env + Fblk, random = ~ Name, data = dat)
u <- fit$coefficients$random[grep("Name", rownames(fit$coefficients$random)), ]
print(length(u))
print(-2 * fit$loglik)
