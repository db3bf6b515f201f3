# source: https://search.r-project.org/CRAN/refmans/agriutilities/html/extract_rcov.html
library(ggpubr)
library(agriutilities)
library(tidyverse)
library(asreml)
head(grassUV)
str(grassUV)
tmp <- grassUV %>%
group_by(Time, Plant) %>%
summarise(mean = mean(y, na.rm = TRUE)) %>%
spread(Time, mean) %>%
column_to_rownames("Plant")
