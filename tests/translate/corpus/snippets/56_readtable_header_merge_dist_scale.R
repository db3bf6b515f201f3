# s15newH (ch728/squash-gs GS rounds, Resende-Lab metabolomic selection 3.a): read.table()
# of a matrix written by write.table() (header one field short: R takes it as a header and
# the first column as row names), solve() keeping dimnames for ginverse = list(), a
# scale(cbind(...)) multi-trait response, merge() sorted on its key before names are
# picked by position, select(d, key$col), x[!names(x) %in% v], as.matrix(dist()) kernels.
library(asreml)
dat <- read.csv("DT.csv")
dat$Name <- factor(gsub("[^A-Za-z0-9]", "", dat$Name))
dat$Env <- factor(dat$Env)
ids <- levels(dat$Name)
K <- diag(length(ids)) * 0.9 + 0.1
rownames(K) <- ids
colnames(K) <- ids
write.table(K, "kinship.txt")
K.mat <- read.table("kinship.txt")
stopifnot(all(rownames(K.mat) == ids), ncol(K.mat) == length(ids))
Ginv <- solve(K.mat + diag(x = 1e-9, nrow = length(ids), ncol = length(ids)))
stopifnot(all(rownames(Ginv) == ids), all(colnames(Ginv) == ids))
dat$Yield2 <- dat$Yield * 0.5 + rnorm(nrow(dat))
fit <- asreml(scale(cbind(Yield, Yield2)) ~ trait + trait:Env,
              random = ~ us(trait):ped(Name),
              rcov = ~ units:us(trait),
              data = dat, ginverse = list(Name = Ginv))
print(summary(fit)$varcomp)
key <- data.frame(trait = c("Yield2", "Yield"), grp = c("b", "a"))
tr <- data.frame(trait = c("Yield", "Yield2")) %>% merge(., key, by = "trait")
stopifnot(tr$grp[1] == "a")
W <- dat %>% select(tr$trait)
rest <- colnames(dat)[!colnames(dat) %in% c("Yield", "Yield2")]
stopifnot(length(rest) == ncol(dat) - 2)
G <- as.matrix(dist(W[1:5, ], method = "euclidean", diag = TRUE, upper = TRUE))
Gk <- 1 - G / max(G, na.rm = TRUE)
stopifnot(all(diag(Gk) == 1))
blups <- fit$coefficients$random
b1 <- blups[grep("trait_Yield:ped", names(blups))]
stopifnot(length(b1) == length(ids))
tab <- data.frame(v = as.numeric(b1), g = ids)
rownames(tab) <- ids
top <- tab[order(-tab[, 1]), ]
stopifnot(top$v[1] == max(tab$v))
two <- tab[c(ids[2], ids[1]), ]
stopifnot(two$g[1] == ids[2])
