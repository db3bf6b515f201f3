# source: https://github.com/briencj/asremlPlus/issues/5
asreml(myformula,
                     random = ~box+corh(HEXP):boxor,
                     data = myset, maxiter = 200)
