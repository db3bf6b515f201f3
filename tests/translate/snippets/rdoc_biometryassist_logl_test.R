# source: https://search.r-project.org/CRAN/refmans/biometryassist/html/logl_test.html
library(asreml)
dat <- asreml::oats
dat <- dat[order(dat$Row, dat$Column),]
model.asr <- asreml(yield ~ Nitrogen + Variety + Nitrogen:Variety,
random = ~ Blocks + Blocks:Wplots,
residual = ~ ar1(Row):ar1(Column),
data = dat)
oats.logl <- logl_test(
model.obj = model.asr, rand.terms = c("Blocks", "Blocks:Wplots"),
resid.terms = c("ar1(Row)", "ar1(Column)")
)
oats.logl
