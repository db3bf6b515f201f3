# R 4.2.2 reference (stringr 1.5.0, dplyr) for tests/translate/test_translate_hold5_causes.py
# (Rscript hold5_stringr_select.R): stringr's str_split() keeps every piece (the empty ones
# too, unlike base strsplit()); n = at most n pieces; simplify = TRUE pads with "";
# dplyr's select()/filter() with a column named by a text through !!as.symbol() / !!sym().
suppressMessages({library(stringr); library(dplyr)})
str(str_split(c("S1A_100", "S2B_2000_", "x", NA, "_a"), "_"))
str(strsplit(c("S1A_100", "S2B_2000_"), "_"))
str(str_split("a-b-c", "-", n = 2))
print(str_split(c("a_b", "c"), "_", simplify = TRUE))
d <- data.frame(Entry = c("e1", "e2", "e3"), yld = c(1, NA, 3), ht = c(4, 5, 6))
trait <- "yld"
print(dplyr::select(d, c(Entry, !!as.symbol(trait))) %>% filter(!is.na(!!as.symbol(trait))))
trait <- "ht"
print(select(d, Entry, !!rlang::sym(trait)))
print(ls(as.environment(list(plot.diag = 1, list.diagonal = 2, clean.kinship = 3))))
