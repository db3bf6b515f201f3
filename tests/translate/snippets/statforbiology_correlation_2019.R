# source: https://www.statforbiology.com/2019/stat_general_correlationindependence2/
library(reshape2)
library(plyr)
library(nlme)
library(asreml)
dataset <- read.csv("https://raw.githubusercontent.com/OnofriAndreaPG/aomisc/master/data/WheatQuality.csv", header=T)
dataset$Block <- factor(dataset$Block)
head(dataset)
