# An .rda whose object is not named like the file (as asremlPlus's data/local851.rda holds
# site2): data(local851) in R binds site2. Run: Rscript rda_other_name.R
site2 <- data.frame(Col = factor(c(1, 1, 2)), y = c(1.5, 2, 3.25))
save(site2, file = "local851.rda")
