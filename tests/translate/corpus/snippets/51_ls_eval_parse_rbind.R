# c15misc (samuelbfernandes/Trait-assisted-GS GS_1st_stage): models picked by ls() and a
# pattern, each fetched by eval(parse(text = name)), its predictions stacked onto an empty
# data frame with other columns (R drops zero-row frames in rbind), rm() of helpers, the
# table made wide by dcast().
library(asreml)
library(reshape2)
dat <- read.csv("DT.csv")
dat$Name <- factor(dat$Name)
dat$Env <- factor(dat$Env)
Y_1 <- asreml(Yield ~ Env, random = ~ Name, data = dat)
tmp <- 1
rm(tmp)
vars <- ls()
vars <- vars[grepl("._", vars)]
results <- data.frame(trait = character(), LOC = character(), predicted = numeric())
for (i in 1:length(vars)) {
  model <- eval(parse(text = vars[i]))
  x <- predict(model, classify = "Name")$pvals[, c(1, 2)]
  results <- rbind(results, data.frame(trait = gsub("_.", "", vars[i]),
                                       LOC = gsub(paste(gsub("_.", "", vars[i]), "_", sep = ""),
                                                  "", vars[i]), x))
  rm(model)
}
print(head(results))
print(get("vars"))
colnames(results) <- c("trait", "LOC", "Name", "pred")
means <- dcast(results, LOC + Name ~ trait, value.var = "pred")
print(dim(means))
