# source: https://rdrr.io/github/digiYozhik/msc_thesis/man/LR.test.asreml.html
library(asreml)
data(oats)
model0 <- asreml(fixed = yield ~ Variety*Nitrogen, random = ~ Blocks:Wplots,
          data = oats)
model1 <- asreml(fixed = yield ~ Variety*Nitrogen, random = ~ Blocks/Wplots,
          data = oats)
LR.test.asreml(model0, model1)
