# style fuzz snippet (written here): ped()/ginverse, vm(), interactions, vpredict
library(asreml)
ped <- data.frame(id = c("a", "b", "c", "d", "e", "f"),
                  sire = c(NA, NA, "a", "a", "c", "c"),
                  dam = c(NA, NA, "b", "b", "d", "c"))
A.inv <- ainverse(ped)
pheno <- data.frame(id = c("c", "d", "e", "f", "c", "d", "e", "f"),
                    env = c("x", "x", "x", "x", "y", "y", "y", "y"),
                    y = c(10.2, 11.1, 9.8, 12.3, 10.9, 11.4, 10.1, 12.0))
pheno$env <- factor(pheno$env)
m <- asreml(fixed = y ~ env, random = ~ vm(id, A.inv) + id:env, data = pheno)
m3 <- asreml(fixed = y ~ env, random = ~ ped(id), ginverse = list(id = A.inv),
             data = pheno)
h2 <- vpredict(m, h2 ~ V1 / (V1 + V2 + V3))
print(h2)
