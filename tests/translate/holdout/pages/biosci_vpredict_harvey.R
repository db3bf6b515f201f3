# Hold-out page: "Supplementary note for new function vpredict() in ASReml-R version 4"
# (Jin Sun), http://www.biosci.global/customer-stories-en/supplementary-note-for-new-function-vpredict-in-asreml-r-version-4/
# (stored copy read 2026-12-06). The page's calls, restated (its 'harvey.aiv' is a typo for
# harvey.ainv, kept). Data: asreml's harvey example (no public twin here): translate only.
# Printed: vm(Calf) 499.5204 (s.e. 500.5139), units!units 273.1669 (410.0206), units!R 1 F;
# hA 0.6464716 (SE 0.5658723).
library(asreml)
harvey.ainv <- ainverse(harvey.ped)
adg0.asr <- asreml(y3 ~ Line, random = ~vm(Calf, harvey.aiv), residual = ~idv(units), data = harvey)
summary(adg0.asr)$varcomp
vpredict(adg0.asr, hA ~ V1 / (V1 + V2))
