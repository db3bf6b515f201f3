# source: https://nswdpibiom.org/austatgen/asreml-l-archives/2009/05/0025.html
parents <- unique(acpedred$Plant)[16:21]
App <- round(Ared[16:21,16:21], 6)
asr4 <- asreml(cbind(var04,var05)~trait,
               random=~ped(Plant):corh(trait),
               rcov=~units:corh(trait), ...)
Czz3 <- predict(asr4, classify='trait:Plant', maxiter=1,
                levels=list('Plant'=parents, trait='var04'),
                only='ped(Plant):trait', vcov=T)$predictions$vpv
1-sum(diag(solve(asr4$gammas[1]*App)%*%Czz3))/6
