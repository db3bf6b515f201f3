library(asreml)
datos <- read.csv("DT.csv")
datos$año <- as.factor(datos$Year)
datos$genotipo <- as.factor(datos$Name)
modelo <- asreml(Yield ~ año, random = ~ genotipo, data = datos)
componentes <- summary(modelo)$varcomp
