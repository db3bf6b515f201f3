# source: https://search.r-project.org/CRAN/refmans/asremlPlus/html/print.asrtests.html
data(Wheat.dat)
current.asr <- asreml(yield ~ Rep + WithinColPairs + Variety,
random = ~ Row + Column + units,
residual = ~ ar1(Row):ar1(Column),
data=Wheat.dat)
current.asrt <- as.asrtests(current.asr, NULL, NULL)
current.asrt <- rmboundary.asrtests(current.asrt)
current.asrt <- testresidual(current.asrt, , "~ Row:ar1(Column)",
label="Row autocorrelation", simpler=TRUE)
print(current.asrt)
