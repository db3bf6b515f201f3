# Constructs of held-out genetics scripts (eighth pass A): a package's data set read by bare
# name after library() (R's lazy data), which(), numeric(n) filled in a loop, x[i] <- v,
# subset(select =), scale(), try() as a statement, asreml 3's predict()$pred (partial $).
library(asreml)
library(lme4breeding)
dat <- DT
dat$Name <- factor(dat$Name)
dat$Env <- factor(dat$Env)
dat$zw <- scale(dat$Weight, center = TRUE, scale = TRUE)
low <- which(dat$Yield < 5)
dat2 <- dat[which(!is.na(dat$Yield)), ]
small <- subset(dat2, Yield > 3, select = c(Name, Env, Yield, zw))
h2 <- numeric(2)
for (i in 1:2) {
  try(fit <- asreml(Yield ~ Env, random = ~ Name, data = small, trace = FALSE))
  vc <- summary(fit)$varcomp
  h2[i] <- vc[1, "component"] / sum(vc[, "component"])
}
h2[h2 < 0] <- 0
sed <- predict(fit, classify = "Name", sed = TRUE)$pred$sed
print(length(low))
print(h2)
print(dim(sed))
