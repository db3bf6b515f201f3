# Session 33 (s33hold5): the fifth hold-out's constructs - ASRgenomics' marker QC and
# kinship checks before a GBLUP (qc.filtering -> G.matrix -> G.tuneup -> kinship.diagnostics
# -> G.inverse -> vm()), stringr's str_split() of marker names, !!as.symbol() in select(),
# ls() of a list, fits[[i]] <- tryCatch(...) and cvTools' cvFolds()
library(asreml)
library(ASRgenomics)
library(stringr)
library(dplyr)
library(cvTools)
dat <- read.csv("DT.csv")
dat$Env <- factor(dat$Env)
ids <- sort(unique(dat$Name))
n <- length(ids)
mk <- paste0(rep(c("1A", "2B", "3D"), length.out = 120), "_", seq_len(120) * 1000)
M <- matrix((outer(seq_len(n), seq_len(120), function(i, j) (i * j + i %/% 3 + j %% 5) %% 3)),
            nrow = n, dimnames = list(ids, mk))
M[2, 5] <- -9
qc <- qc.filtering(M = M, na.string = "-9", marker.callrate = 0.2, ind.callrate = 0.2,
                   maf = 0.05, impute = FALSE, plots = FALSE, message = FALSE)
chrom <- sapply(str_split(colnames(qc$M.clean), "_"), function(p) p[1])
stopifnot(all(chrom %in% c("1A", "2B", "3D")))
G <- G.matrix(M = qc$M.clean, method = "VanRaden", message = FALSE)$G
Gb <- G.tuneup(G = G, bend = TRUE, message = FALSE)$Gb
check <- kinship.diagnostics(K = Gb, plots = FALSE, message = FALSE)
stopifnot(all(c("list.diagonal", "list.duplicate") %in% ls(check)))
Ginv <- G.inverse(G = Gb, sparseform = TRUE, message = FALSE)$Ginv
dat$Name <- factor(dat$Name, levels = ids)
trait <- "Yield"
d2 <- dplyr::select(dat, c(Name, Env, !!as.symbol(trait)))
fits <- list()
for (k in 1:2) {
  fits[[k]] <- tryCatch({
    asreml(Yield ~ Env, random = ~ vm(Name, Ginv), data = d2)
  }, error = function(err) {
    NULL
  })
}
stopifnot(length(fits) == 2, fits[[1]]$converge)
folds <- cvFolds(n, K = 5)
stopifnot(length(folds$which) == n, all(sort(folds$subsets[, 1]) == seq_len(n)))
