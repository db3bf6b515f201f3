# Hold-out page: "asreml-r, univariate analyses" (Luis Apiolaza),
# https://luis.apiolaza.net/asreml/univariate/ (stored copy read 2026-12-06; asreml-R 3
# syntax, no output printed). The page's calls, restated; data files are the reader's own:
# translate only.
library(asreml)
dat <- asreml.read.table('data.csv', sep = ',', header = TRUE)
ped <- asreml.read.table('ped.csv', sep = ',', header = TRUE)
dbh.1 <- asreml(dbh ~ 1, random = ~ Block + Block:Plot + Mom, data = dat)
summary(dbh.1)$varcomp
dbh.2 <- asreml(dbh ~ 1, random = ~ Block + Mom, data = dat)
pedinv <- asreml.Ainverse(ped)$ginv
dbh.3 <- asreml(dbh ~ 1, random = ~ Block + Block:Plot + ped(Tree),
                data = dat, ginverse = list(Tree = pedinv))
den.1 <- asreml(den ~ 1, random = ~ Block + Block:Plot + ped(Tree),
                data = dat, ginverse = list(Tree = pedinv))
dbh.4 <- asreml(dbh ~ 1, random = ~ Rep + Rep/Block + ped(Tree),
                data = dat, ginverse = list(Tree = pedinv))
dbh.5 <- asreml(dbh ~ 1, random = ~ Block + Block:Plot + Mom + and(Dad), data = dat)
