# Held-out genetics scripts (eighth pass A): a column of asreml's Wald table by name
# (wald(m)$`Pr(Chisq)`), asreml 3's $last.message, order() as a value, negative positions
# held in variables.
library(asreml)
dat <- read.csv("DT.csv")
dat$Env <- factor(dat$Env)
dat$Name <- factor(dat$Name)
m <- asreml(Yield ~ Env, random = ~ Name, data = dat)
p.env <- wald(m)$`Pr(Chisq)`[2]
m$last.message
cols <- names(dat)
last <- length(cols)
inner <- cols[c(-1, -last)]
sorted <- dat[order(dat$Env, -dat$Yield), ]
ranks <- order(dat$Yield, decreasing = TRUE)
print(p.env)
print(inner)
print(head(ranks))
