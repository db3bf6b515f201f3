# Hold-out page: "Cookbook: univariate analysis (R)", VSNi knowledge base,
# https://asreml.kb.vsni.co.uk/knowledge-base/cookbook-univariate-analysis-r/ (stored copy
# read 2026-12-06; asreml-R 4 syntax, no output printed). The page's calls, restated,
# including its typo 'vm(Tree. pedinv)' (a parse error in R too). Data files are the
# reader's own: translate only.
library(asreml)
dat <- asreml.read.table('data.csv', sep = ',', header = TRUE)
ped <- asreml.read.table('ped.csv', sep = ',', header = TRUE)
dbh.1 <- asreml(dbh ~ 1, random = ~ Block + Block:Plot + Mom, data = dat)
summary(dbh.1)$varcomp
dbh.2 <- asreml(dbh ~ 1, random = ~ Block + Mom, data = dat)
pedinv <- ainverse(ped)
dbh.3 <- asreml(dbh ~ 1, random = ~ Block + Block:Plot + vm(Tree, pedinv), data = dat)
den.1 <- asreml(den ~ 1, random = ~ Block + Block:Plot + vm(Tree, pedinv), data = dat)
dbh.4 <- asreml(dbh ~ 1, random = ~ Rep + Rep/Block + vm(Tree. pedinv), data = dat)
dbh.5 <- asreml(dbh ~ 1, random = ~ Block + Block:Plot + Mom + and(Dad), data = dat)
