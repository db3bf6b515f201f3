# source: https://asreml.kb.vsni.co.uk/knowledge-base/cookbook-univariate-analysis-r/
dat <- asreml.read.table('data.csv', sep = ',', header = TRUE)
ped <- asreml.read.table('ped.csv', sep = ',', header = TRUE)
dbh.1 <- asreml(dbh ~ 1, random = ~ Block + Block:Plot + Mom,
data = dat)
summary(dbh.1)$varcomp
dbh.2 <- asreml(dbh ~ 1, random = ~ Block + Mom,
data = dat)
pedinv <- ainverse(ped)
dbh.3 <- asreml(dbh ~ 1, random = ~ Block + Block:Plot + vm(Tree, pedinv),
data = dat)
den.1 <- asreml(den ~ 1, random = ~ Block + Block:Plot + vm(Tree, pedinv),
data = dat)
dbh.5 <- asreml(dbh ~ 1, random = ~ Block + Block:Plot + Mom + and(Dad),
data = dat)
