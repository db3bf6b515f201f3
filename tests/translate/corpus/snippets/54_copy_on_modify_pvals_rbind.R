# c16misc (AparicioJohan/trainingMM 12_two_stage): a copy of a data frame changed in a
# column leaves the original as it was (R copies on modify), so rbind() of the two holds
# both locations; per-location predictions with their vcov stacked by do.call(rbind, ...).
library(asreml)
dat <- read.csv("DT.csv")
dat <- subset(dat, Env %in% c("CA.2013", "CA.2014"))
dat$Name <- factor(dat$Name)
dt <- dat
dt$loc <- "loc_1"
dt_sim <- dt
dt_sim$loc <- "loc_2"
both <- rbind(dt, dt_sim)
stopifnot(all(table(both$loc) == nrow(dat)))
blues_j <- list()
for (j in c("loc_1", "loc_2")) {
  m <- asreml(Yield ~ Name, random = ~ Block, data = both, subset = loc == j, trace = 0)
  p <- predict(m, classify = "Name", vcov = TRUE)
  blues_j[[j]] <- p$pvals
}
blues <- do.call(rbind, blues_j)
stopifnot(nrow(blues) == 2 * nlevels(dat$Name))
print(head(blues))
# rows beyond a data frame's end are NA rows (R), not an error: vc[k:(k + 1), 2]
vc <- summary(m)$varcomp
last2 <- vc[nrow(vc):(nrow(vc) + 1), 1]
stopifnot(length(last2) == 2, is.na(last2[2]))
