# source: https://huggingface.co/datasets/nvidia/Nemotron-CC-Math-v1 (quantumforest.com "Surviving a binomial mixed model", 2011-11-11)
load('~/Dropbox/euc.Rdata')
library(asreml)
sasreml = asreml(surv ~ 1, random = ~ Fami + Block, data = euc, family = asreml.binomial(link = 'logit'))
summary(sasreml)$varcomp
varFami = summary(sasreml)$varcomp[1, 2]
varRep = summary(sasreml)$varcomp[2, 2]
h2 = 4 * varFami / (varFami + varRep + 3.29)
h2
