# source: https://www.rdocumentation.org/packages/asremlPlus/versions/1.10-16/topics/print.asrtests
data(Wheat.dat)
current.asr <- asreml(yield ~ Rep + WithinColPairs + Variety,
                      random = ~ Row + Column + units,
                      rcov = ~ ar1(Row):ar1(Column),
                      data=Wheat.dat)
current.asrt <- asrtests(current.asr, NULL, NULL)
current.asrt <- rmboundary.asreml(current.asrt)
current.asrt <- testrcov.asreml("~ Row:ar1(Column)", current.asrt,
                                label="Row autocorrelation", simpler=TRUE)
print(current.asrt)
