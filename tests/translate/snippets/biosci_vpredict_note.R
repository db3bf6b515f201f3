# source: http://www.biosci.global/customer-stories-en/supplementary-note-for-new-function-vpredict-in-asreml-r-version-4/
harvey.ainv <- ainverse(harvey.ped)
adg0.asr <- asreml(y3 ~ Line, random = ~vm(Calf, harvey.ainv), residual = ~idv(units), data = harvey)
summary(adg0.asr)$varcomp
vpredict(adg0.asr, hA ~V1 / (V1 + V2))
