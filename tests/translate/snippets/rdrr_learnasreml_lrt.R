# source: https://rdrr.io/github/dengfei2013/learnasreml/man/asreml.lrt.html
library(asreml)
library(vsnc)
data(oats,package = "asreml")
head(oats)
m1 <- asreml(yield ~ 1, random=~Nitrogen*Variety, data=oats)
m2 <- asreml(yield ~ 1, random=~Nitrogen*Variety+Blocks, data=oats)
asreml.lrt(m1,m2)
