# R snippets for the differential harness (tests/translate/test_r_oracle.py): each block after
# a "## snippet: <name>" line sets `out`; the "## preamble" block runs before each of them.
# R's value of `out` is recorded by scripts/record_r_oracle.R into oracle.json; the test
# translates preamble + snippet with asr_py.translate, runs it and compares `out` (values,
# names, types, factor levels, dimensions) with R's. Idioms taken from the corpus scripts.
## preamble
d <- data.frame(env = factor(c("E2", "E1", "E2", "E1", "E3", "E3")),
                gen = c("g1", "g2", "g3", "g1", "g2", "g3"),
                rep = c(1L, 1L, 2L, 2L, 1L, 2L),
                y = c(4.5, 3.2, NA, 5.1, 2.8, 3.9),
                x = c(10, 20, 30, 40, 50, 60),
                stringsAsFactors = FALSE)
v <- c(3.5, -1.25, 7, 0, 2.75)
s <- c("Plot_1A", "plot_12B", "Plot_3c", NA, "X_4")
## snippet: paste_sep
out <- paste("a", 1:3, sep = "-")
## snippet: paste_collapse
out <- paste(c("x", "y", "z"), collapse = "+")
## snippet: paste0_vec
out <- paste0("G", 1:4, c("a", "b"))
## snippet: paste_factor
out <- paste(d$env, d$gen, sep = ":")
## snippet: paste0_collapse_sep
out <- paste0(c("a", "b"), 1:2, collapse = "|")
## snippet: paste_na
out <- paste("v", c(1, NA, 3))
## snippet: paste_numbers
out <- paste(1.5, 2, 1e-20, 100000, 123456.7)
## snippet: paste_empty_sep
out <- paste("A", "B", sep = "")
## snippet: c_numeric
out <- c(1, 2.5, -3)
## snippet: c_named
out <- c(a = 1, b = 2, c = 3)
## snippet: c_mixed_char
out <- c(1, "a", TRUE)
## snippet: c_logical
out <- c(TRUE, FALSE, NA)
## snippet: c_concat_vectors
out <- c(v[1:2], 10, v[5])
## snippet: c_int
out <- c(1L, 5L, 2L)
## snippet: seq_by
out <- seq(0, 1, by = 0.25)
## snippet: seq_len_out
out <- seq(1, 10, length.out = 4)
## snippet: seq_len
out <- seq_len(5)
## snippet: seq_along
out <- seq_along(c("a", "b", "c"))
## snippet: seq_down
out <- seq(10, 2, by = -3)
## snippet: colon_rev
out <- 5:1
## snippet: rep_times
out <- rep(c("a", "b"), times = 3)
## snippet: rep_each
out <- rep(1:3, each = 2)
## snippet: rep_times_vector
out <- rep(c("x", "y", "z"), times = c(2, 1, 3))
## snippet: rep_length
out <- rep(1:3, length.out = 7)
## snippet: rep_each_times
out <- rep(c(1, 2), each = 2, times = 2)
## snippet: factor_default_levels
out <- factor(c("b", "a", "c", "a"))
## snippet: factor_levels_given
out <- factor(c("lo", "hi", "mid", "hi"), levels = c("lo", "mid", "hi"))
## snippet: factor_labels
out <- factor(c(1, 2, 1, 3), levels = 1:3, labels = c("one", "two", "three"))
## snippet: factor_numeric_sort
out <- factor(c(10, 2, 33, 2))
## snippet: factor_ordered
out <- factor(c("S", "L", "M"), levels = c("S", "M", "L"), ordered = TRUE)
## snippet: as_factor_chr
out <- as.factor(d$gen)
## snippet: levels_of
out <- levels(d$env)
## snippet: nlevels_of
out <- nlevels(d$env)
## snippet: as_numeric_factor
out <- as.numeric(d$env)
## snippet: as_numeric_levels_idiom
out <- as.numeric(as.character(factor(c("10", "2.5", "7"))))
## snippet: as_integer_factor
out <- as.integer(factor(c("z", "y", "z")))
## snippet: as_character_factor
out <- as.character(d$env)
## snippet: droplevels_subset
out <- droplevels(d$env[d$env != "E3"])
## snippet: factor_na_level
out <- factor(c("a", NA, "b"))
## snippet: levels_assign
f <- factor(c("a", "b", "a"))
levels(f) <- c("A", "B")
out <- f
## snippet: relevel_ref
out <- relevel(d$env, ref = "E3")
## snippet: interaction_factors
out <- interaction(c("a", "b", "a"), c("x", "x", "y"))
## snippet: table_chr
out <- table(c("b", "a", "b", "c", "b"))
## snippet: table_factor_unused
out <- table(factor(c("a", "a"), levels = c("a", "b")))
## snippet: table_two_way
out <- table(d$env, d$rep)
## snippet: table_names
out <- names(table(d$gen))
## snippet: table_as_vector
out <- as.vector(table(d$env))
## snippet: tabulate_counts
out <- as.numeric(table(c(3, 1, 3, 3)))
## snippet: names_vec
out <- names(c(a = 1, b = 2))
## snippet: names_assign
x <- 1:3
names(x) <- c("p", "q", "r")
out <- x
## snippet: colnames_df
out <- colnames(d)
## snippet: colnames_assign
e <- d[, 1:2]
colnames(e) <- c("E", "G")
out <- e
## snippet: names_df
out <- names(d)[2:3]
## snippet: rownames_matrix
m <- matrix(1:4, 2, dimnames = list(c("r1", "r2"), c("c1", "c2")))
out <- rownames(m)
## snippet: setnames_vec
out <- setNames(1:3, c("a", "b", "c"))
## snippet: unname_vec
out <- unname(c(a = 1, b = 2))
## snippet: which_logical
out <- which(v > 1)
## snippet: which_max
out <- which.max(v)
## snippet: which_min
out <- which.min(v)
## snippet: which_names
out <- which(c(a = TRUE, b = FALSE, c = TRUE))
## snippet: match_vec
out <- match(c("g3", "g9", "g1"), d$gen)
## snippet: in_op
out <- d$gen %in% c("g1", "g3")
## snippet: not_in
out <- !(c("a", "b", "c") %in% c("b"))
## snippet: which_na
out <- which(is.na(d$y))
## snippet: ifelse_num
out <- ifelse(v > 1, "big", "small")
## snippet: ifelse_na
out <- ifelse(is.na(d$y), 0, d$y)
## snippet: ifelse_nested
out <- ifelse(d$x < 25, "low", ifelse(d$x < 45, "mid", "high"))
## snippet: ifelse_na_cond
out <- ifelse(d$y > 4, 1, 0)
## snippet: ifelse_factor_cond
out <- ifelse(d$env == "E1", d$x, -d$x)
## snippet: unique_chr
out <- unique(d$gen)
## snippet: unique_factor
out <- unique(d$env)
## snippet: duplicated_vec
out <- duplicated(c(1, 2, 1, 3, 2))
## snippet: sort_num
out <- sort(v)
## snippet: sort_decreasing
out <- sort(v, decreasing = TRUE)
## snippet: sort_chr
out <- sort(c("b", "A", "a", "B"))
## snippet: order_num
out <- order(v)
## snippet: order_two_keys
out <- order(d$env, -d$x)
## snippet: order_na_last
out <- order(d$y)
## snippet: rev_vec
out <- rev(1:4)
## snippet: sort_factor
out <- sort(d$env)
## snippet: rank_ties
out <- rank(c(10, 20, 10, 30))
## snippet: tapply_mean
out <- tapply(d$x, d$env, mean)
## snippet: tapply_narm
out <- tapply(d$y, d$env, mean, na.rm = TRUE)
## snippet: tapply_length
out <- tapply(d$x, d$gen, length)
## snippet: tapply_sum
out <- tapply(d$x, d$gen, sum)
## snippet: aggregate_formula
out <- aggregate(x ~ env, data = d, FUN = mean)
## snippet: aggregate_formula_two
out <- aggregate(x ~ env + rep, data = d, FUN = sum)
## snippet: aggregate_na
out <- aggregate(y ~ env, data = d, FUN = mean)
## snippet: aggregate_by
out <- aggregate(d$x, by = list(gen = d$gen), FUN = max)
## snippet: aggregate_dot
out <- aggregate(cbind(x, rep) ~ gen, data = d, FUN = mean)
## snippet: sapply_sq
out <- sapply(1:4, function(i) i^2)
## snippet: sapply_names
out <- sapply(c("a", "bb", "ccc"), nchar)
## snippet: sapply_df
out <- sapply(d[, c("x", "rep")], mean)
## snippet: sapply_matrix
out <- sapply(1:3, function(i) c(i, i * 10))
## snippet: lapply_list
out <- lapply(list(a = 1:3, b = 4:6), sum)
## snippet: lapply_unlist
out <- unlist(lapply(1:3, function(i) i + 0.5))
## snippet: vapply_num
out <- vapply(list(1:2, 3:6), length, numeric(1))
## snippet: mapply_sum
out <- mapply(function(a, b) a + b, 1:3, c(10, 20, 30))
## snippet: apply_rows
m <- matrix(1:6, nrow = 2)
out <- apply(m, 1, sum)
## snippet: apply_cols
m <- matrix(c(2, 4, 6, 8), 2)
out <- apply(m, 2, max)
## snippet: do_call_rbind
out <- do.call(rbind, list(data.frame(a = 1, b = "x"), data.frame(a = 2, b = "y")))
## snippet: reduce_sum
out <- Reduce(`+`, 1:4, accumulate = TRUE)
## snippet: split_vec
out <- split(d$x, d$env)
## snippet: unlist_named
out <- unlist(list(a = 1, b = 2:3))
## snippet: as_list_vec
out <- as.list(c(a = 1, b = 2))
## snippet: merge_inner
a <- data.frame(k = c("a", "b", "c"), v1 = 1:3)
b <- data.frame(k = c("c", "a", "d"), v2 = c(30, 10, 40))
out <- merge(a, b, by = "k")
## snippet: merge_left
a <- data.frame(k = c("a", "b", "c"), v1 = 1:3)
b <- data.frame(k = c("c", "a", "d"), v2 = c(30, 10, 40))
out <- merge(a, b, by = "k", all.x = TRUE)
## snippet: merge_all
a <- data.frame(k = c("a", "b", "c"), v1 = 1:3)
b <- data.frame(k = c("c", "a", "d"), v2 = c(30, 10, 40))
out <- merge(a, b, all = TRUE)
## snippet: merge_by_xy
a <- data.frame(id = c(2, 1), v1 = c("p", "q"))
b <- data.frame(key = c(1, 2), v2 = c(TRUE, FALSE))
out <- merge(a, b, by.x = "id", by.y = "key")
## snippet: subset_rows
out <- subset(d, x > 25)
## snippet: subset_select
out <- subset(d, env == "E1", select = c(gen, x))
## snippet: index_rows_cols
out <- d[d$rep == 1, c("gen", "y")]
## snippet: index_col_vector
out <- d[, "x"]
## snippet: index_drop_false
out <- d[, "x", drop = FALSE]
## snippet: index_neg
out <- v[-c(1, 3)]
## snippet: index_logical_na
out <- d$y[d$y > 3]
## snippet: index_names
out <- c(a = 1, b = 2, c = 3)[c("c", "a")]
## snippet: index_rownum
out <- d[2, ]
## snippet: assign_column
e <- d
e$z <- e$x * 2
out <- e
## snippet: assign_subset
e <- d
e$y[is.na(e$y)] <- 0
out <- e$y
## snippet: data_frame_build
out <- data.frame(a = 1:3, b = c("x", "y", "z"))
## snippet: data_frame_strings_factor
out <- data.frame(a = c("x", "y"), stringsAsFactors = TRUE)
## snippet: data_frame_recycle
out <- data.frame(a = 1:4, b = "k")
## snippet: cbind_df
out <- cbind(d[, c("env", "x")], w = d$x / 10)
## snippet: rbind_df
out <- rbind(d[1:2, c("gen", "x")], data.frame(gen = "g9", x = 99))
## snippet: cbind_vectors
out <- cbind(1:3, c(4, 5, 6))
## snippet: rbind_vectors
out <- rbind(a = 1:2, b = 3:4)
## snippet: head_df
out <- head(d, 3)
## snippet: tail_vec
out <- tail(v, 2)
## snippet: nrow_ncol
out <- c(nrow(d), ncol(d))
## snippet: dim_df
out <- dim(d)
## snippet: gsub_basic
out <- gsub("_", ".", s)
## snippet: gsub_regex
out <- gsub("[0-9]+", "#", s)
## snippet: gsub_fixed
out <- gsub(".", "-", "a.b.c", fixed = TRUE)
## snippet: sub_first
out <- sub("l", "L", c("hello", "world"))
## snippet: sub_backref
out <- sub("^([A-Za-z]+)_(.*)$", "\\2-\\1", s)
## snippet: strsplit_one
out <- strsplit("a,b,,c", ",")
## snippet: strsplit_vec_first
out <- sapply(strsplit(c("x_1", "y_2"), "_"), `[`, 1)
## snippet: substr_vec
out <- substr(c("abcdef", "xy"), 2, 4)
## snippet: substring_from
out <- substring("abcdef", 3)
## snippet: grepl_pat
out <- grepl("^Plot", s)
## snippet: grepl_ignore
out <- grepl("plot", s, ignore.case = TRUE)
## snippet: grep_index
out <- grep("_1", s)
## snippet: grep_value
out <- grep("A|B", s, value = TRUE)
## snippet: sprintf_fmt
out <- sprintf("%.2f", c(3.14159, 2))
## snippet: sprintf_mixed
out <- sprintf("%s has %d plots (%5.1f%%)", c("E1", "E2"), 3:4, c(12.345, 50))
## snippet: sprintf_pad
out <- sprintf("%03d", c(1, 25, 300))
## snippet: toupper_tolower
out <- c(toupper("abc"), tolower("DeF"))
## snippet: nchar_vec
out <- nchar(c("a", "abc", ""))
## snippet: trimws_vec
out <- trimws(c("  a ", "b  "))
## snippet: startswith_vec
out <- startsWith(c("Plot1", "plot2"), "Plot")
## snippet: format_nsmall
out <- format(3.14159, nsmall = 2)
## snippet: format_digits
out <- format(c(1.23456, 123.4), digits = 3)
## snippet: formatc_width
out <- formatC(c(1, 10, 100), width = 5, flag = "0")
## snippet: formatc_fixed
out <- formatC(3.14159, digits = 3, format = "f")
## snippet: round_digits
out <- round(c(2.345, -1.005, 12.5, 13.5), 1)
## snippet: round_half_even
out <- round(c(0.5, 1.5, 2.5, -0.5))
## snippet: signif_digits
out <- signif(c(123456, 0.0012345), 2)
## snippet: round_neg_digits
out <- round(1234.567, -2)
## snippet: floor_ceiling
out <- c(floor(-2.5), ceiling(2.1), trunc(-2.7))
## snippet: mean_narm
out <- mean(d$y, na.rm = TRUE)
## snippet: mean_na
out <- mean(d$y)
## snippet: sum_logical
out <- sum(d$x > 20)
## snippet: sd_var
out <- c(sd(v), var(v))
## snippet: median_even
out <- median(c(4, 1, 3, 2))
## snippet: quantile_default
out <- quantile(v)
## snippet: quantile_probs
out <- quantile(d$x, probs = c(0.1, 0.9))
## snippet: cumsum_vec
out <- cumsum(v)
## snippet: range_vec
out <- range(d$y, na.rm = TRUE)
## snippet: max_min
out <- c(max(v), min(v))
## snippet: abs_sqrt_log
out <- c(abs(-2), sqrt(16), log(exp(1)), log10(1000), log(8, base = 2))
## snippet: scale_vec
out <- as.vector(scale(c(1, 2, 3, 4)))
## snippet: cor_pair
out <- cor(d$x, c(1, 3, 2, 5, 4, 6))
## snippet: prod_diff
out <- c(prod(1:5), diff(c(1, 4, 9, 16)))
## snippet: colmeans_rowsums
m <- matrix(1:6, 2)
out <- c(colMeans(m), rowSums(m))
## snippet: is_na_vec
out <- is.na(c(1, NA, 3))
## snippet: na_omit_df
out <- na.omit(d[, c("env", "y")])
## snippet: complete_cases
out <- complete.cases(d)
## snippet: sum_is_na
out <- sum(is.na(d$y))
## snippet: anyna
out <- anyNA(d$y)
## snippet: is_null_check
out <- c(is.null(NULL), is.null(d$nothere), is.null(d$x))
## snippet: matrix_byrow
out <- matrix(1:6, nrow = 2, byrow = TRUE)
## snippet: matrix_dimnames
out <- matrix(c(1, 0.5, 0.5, 1), 2, dimnames = list(c("a", "b"), c("a", "b")))
## snippet: diag_n
out <- diag(3)
## snippet: diag_of
out <- diag(matrix(1:9, 3))
## snippet: t_matrix
out <- t(matrix(1:6, 2))
## snippet: solve_matrix
out <- solve(matrix(c(2, 1, 1, 3), 2))
## snippet: matmul
out <- matrix(1:4, 2) %*% matrix(c(1, 0, 2, 1), 2)
## snippet: kronecker_mat
out <- kronecker(diag(2), matrix(c(1, 2, 3, 4), 2))
## snippet: upper_tri_vals
m <- matrix(1:9, 3)
out <- m[upper.tri(m)]
## snippet: lower_tri_mask
out <- lower.tri(matrix(0, 3, 3))
## snippet: outer_prod
out <- outer(1:3, 1:2)
## snippet: crossprod_mat
out <- crossprod(matrix(1:4, 2))
## snippet: as_matrix_df
out <- as.matrix(d[, c("x", "rep")])
## snippet: expand_grid
out <- expand.grid(a = 1:2, b = c("x", "y"))
## snippet: setdiff_union
out <- list(setdiff(c(1, 2, 3, 4), c(2, 4)), union(c("a", "b"), c("b", "c")),
            intersect(1:5, 3:8))
## snippet: list_named
out <- list(a = 1, b = "two", c = c(TRUE, FALSE))
## snippet: list_length
out <- length(list(1, 2, list(3, 4)))
## snippet: length_vec
out <- length(d$x)
## snippet: with_expr
out <- with(d, x / rep)
## snippet: within_df
out <- within(d, { z <- x + rep })
## snippet: transform_df
out <- transform(d, z = x * 2)
## snippet: is_numeric_types
out <- c(is.numeric(d$x), is.character(d$gen), is.factor(d$env))
## snippet: class_of
out <- c(class(d), class(d$env), class(d$x), class(d$rep), class(d$gen))
## snippet: as_numeric_chr
out <- as.numeric(c("1.5", "x", "3"))
## snippet: as_character_num
out <- as.character(c(1, 2.5, 1e6, 0.1 + 0.2))
## snippet: nchar_type
out <- nchar(as.character(123456))
## snippet: dplyr_filter
library(dplyr)
out <- filter(d, env == "E1" | x > 50)
## snippet: dplyr_mutate
library(dplyr)
out <- d %>% mutate(z = x / 10, w = z + rep)
## snippet: dplyr_select
library(dplyr)
out <- d %>% select(gen, x)
## snippet: dplyr_select_minus
library(dplyr)
out <- d %>% select(-y, -x)
## snippet: dplyr_arrange
library(dplyr)
out <- d %>% arrange(env, desc(x))
## snippet: dplyr_group_summarise
library(dplyr)
out <- d %>% group_by(env) %>% summarise(m = mean(x), n = n()) %>% as.data.frame()
## snippet: dplyr_group_mutate
library(dplyr)
out <- d %>% group_by(env) %>% mutate(dev = x - mean(x)) %>% ungroup() %>% as.data.frame()
## snippet: dplyr_left_join
library(dplyr)
a <- data.frame(gen = c("g1", "g2", "g3"), score = c(1, 2, 3))
out <- left_join(d, a, by = "gen")
## snippet: dplyr_inner_join
library(dplyr)
a <- data.frame(gen = c("g3", "g1"), score = c(30, 10))
out <- inner_join(d, a, by = "gen")
## snippet: dplyr_rename
library(dplyr)
out <- d %>% rename(Env = env, yield = y)
## snippet: dplyr_distinct
library(dplyr)
out <- d %>% distinct(gen)
## snippet: dplyr_pull
library(dplyr)
out <- d %>% pull(x)
## snippet: dplyr_across
library(dplyr)
out <- d %>% mutate(across(c(gen, rep), as.factor))
## snippet: dplyr_case_when
library(dplyr)
out <- d %>% mutate(cls = case_when(x < 25 ~ "a", x < 45 ~ "b", TRUE ~ "c")) %>% pull(cls)
## snippet: dplyr_bind_rows
library(dplyr)
out <- bind_rows(data.frame(a = 1, b = "x"), data.frame(a = 2, c = TRUE))
## snippet: dplyr_count
library(dplyr)
out <- d %>% count(env)
## snippet: dplyr_summarise_across
library(dplyr)
out <- d %>% group_by(gen) %>% summarise(across(c(x, rep), sum)) %>% as.data.frame()
## snippet: dplyr_slice
library(dplyr)
out <- d %>% slice(2:3)
## snippet: dplyr_mutate_if_else
library(dplyr)
out <- d %>% mutate(y2 = if_else(is.na(y), -1, y)) %>% pull(y2)
## snippet: dplyr_n_distinct
library(dplyr)
out <- n_distinct(d$gen)
## snippet: tidyr_pivot_longer
library(tidyr)
w <- data.frame(id = 1:2, a = c(1, 2), b = c(3, 4))
out <- as.data.frame(pivot_longer(w, cols = c(a, b), names_to = "var", values_to = "val"))
## snippet: tidyr_pivot_wider
library(tidyr)
l <- data.frame(id = c(1, 1, 2, 2), k = c("a", "b", "a", "b"), val = 1:4)
out <- as.data.frame(pivot_wider(l, names_from = k, values_from = val))
## snippet: tidyr_separate
library(tidyr)
out <- separate(data.frame(p = c("a_1", "b_2")), p, into = c("l", "n"), sep = "_")
## snippet: tidyr_unite
library(tidyr)
out <- unite(d[, c("env", "gen")], "eg", env, gen, sep = "-")
## snippet: tidyr_spread
library(tidyr)
l <- data.frame(id = c(1, 1, 2, 2), k = c("a", "b", "a", "b"), val = 1:4)
out <- spread(l, k, val)
## snippet: reshape2_melt
library(reshape2)
w <- data.frame(id = c("p", "q"), a = c(1, 2), b = c(3, 4))
out <- melt(w, id.vars = "id")
## snippet: reshape2_dcast
library(reshape2)
l <- data.frame(id = c("p", "p", "q", "q"), k = c("a", "b", "a", "b"), val = c(1, 2, 3, 4))
out <- dcast(l, id ~ k, value.var = "val")
## snippet: datatable_filter
library(data.table)
dt <- as.data.table(d)
out <- as.data.frame(dt[x > 20 & rep == 2])
## snippet: datatable_agg
library(data.table)
dt <- as.data.table(d)
out <- as.data.frame(dt[, .(m = mean(x)), by = env])
## snippet: datatable_assign
library(data.table)
dt <- as.data.table(d)
dt[, z := x * 3]
out <- dt$z
## snippet: rbindlist_list
library(data.table)
out <- as.data.frame(rbindlist(list(data.frame(a = 1:2), data.frame(a = 3L))))
## snippet: iris_levels
out <- levels(iris$Species)
## snippet: iris_aggregate
out <- aggregate(Sepal.Length ~ Species, data = iris, FUN = mean)
## snippet: data_iris_dim
data(iris)
out <- dim(iris)
## snippet: chickweight_chick_levels
out <- levels(ChickWeight$Chick)
## snippet: chickweight_ordered
out <- head(ChickWeight$Chick, 3)
## snippet: co2_plant
data("CO2")
out <- CO2$Plant[c(1, 20, 84)]
## snippet: warpbreaks_tapply
out <- tapply(warpbreaks$breaks, warpbreaks$tension, mean)
## snippet: mtcars_rownames
out <- head(rownames(mtcars), 4)
## snippet: mtcars_subset
out <- mtcars[mtcars$cyl == 6, c("mpg", "hp")]
## snippet: airquality_na
out <- colSums(is.na(airquality))
## snippet: orange_tree
data(Orange, package = "datasets")
out <- table(Orange$Tree)
## snippet: plantgrowth_means
out <- with(PlantGrowth, tapply(weight, group, mean))
## snippet: esoph_agegp
out <- levels(esoph$agegp)
## snippet: npk_block
out <- sapply(npk, class)
## snippet: cars_lm
out <- coef(lm(dist ~ speed, data = cars))
## snippet: levels_numeric_idiom
f <- factor(c("10", "2.5", "10", "7"))
out <- as.numeric(levels(f))[f]
## snippet: cut_breaks
out <- cut(c(1, 5, 10, 15), breaks = c(0, 5, 10, 20))
## snippet: cut_labels
out <- cut(d$x, breaks = 3, labels = c("lo", "mid", "hi"))
## snippet: prop_table
out <- prop.table(table(c("a", "b", "a", "a")))
## snippet: order_decreasing
out <- d$gen[order(d$x, decreasing = TRUE)]
## snippet: order_df_rows
out <- d[order(d$env, d$gen), c("env", "gen", "x")]
## snippet: rev_sort_table
out <- rev(sort(table(c("x", "y", "y", "z", "z", "z"))))
## snippet: names_which_max_table
out <- names(which.max(table(c("b", "a", "b"))))
## snippet: ave_group_mean
out <- ave(d$x, d$env)
## snippet: ave_fun
out <- ave(d$x, d$gen, FUN = length)
## snippet: split_sapply_mean
out <- sapply(split(d$x, d$env), mean)
## snippet: do_call_rbind_lapply
out <- do.call(rbind, lapply(1:3, function(i) data.frame(i = i, sq = i^2)))
## snippet: reduce_merge
a <- data.frame(id = 1:3, p = c(1, 2, 3))
b <- data.frame(id = 3:1, q = c("c", "b", "a"))
out <- Reduce(function(x, y) merge(x, y, by = "id"), list(a, b))
## snippet: merge_sort_false
a <- data.frame(k = c("b", "a", "c"), v1 = 1:3)
b <- data.frame(k = c("c", "b"), v2 = c(3, 2))
out <- merge(a, b, by = "k", all.x = TRUE, sort = FALSE)
## snippet: merge_numeric_key
a <- data.frame(k = c(10, 2, 33), v1 = c("x", "y", "z"))
b <- data.frame(k = c(33, 10, 2), v2 = c(TRUE, FALSE, TRUE))
out <- merge(a, b)
## snippet: unlist_strsplit
out <- unlist(strsplit(c("a-b", "c-d-e"), "-"))
## snippet: strsplit_index
out <- strsplit("2021_trial_A", "_")[[1]][2]
## snippet: sub_greedy
out <- sub(".*_", "", c("a_b_c", "x_y"))
## snippet: gsub_space
out <- gsub("\\s+", " ", "a   b \t c")
## snippet: gsub_class_digits
out <- gsub("[^0-9]", "", c("Plot12", "R3C4"))
## snippet: regmatches_num
out <- regmatches("yield 45.2 t/ha", regexpr("[0-9.]+", "yield 45.2 t/ha"))
## snippet: tolower_names
out <- tolower(names(d))
## snippet: make_names
out <- make.names(c("a b", "1x", "ok", "a b"))
## snippet: make_unique
out <- make.unique(c("a", "a", "b", "a"))
## snippet: duplicated_df
out <- duplicated(d[, c("env", "rep")])
## snippet: dedupe_rows
out <- d[!duplicated(d$env), c("env", "x")]
## snippet: length_unique
out <- length(unique(d$gen))
## snippet: nlevels_factor
out <- nlevels(factor(d$gen))
## snippet: interaction_sep
out <- interaction(d$env, d$rep, sep = "_")
## snippet: factor_paste
out <- factor(paste(d$env, d$rep, sep = "."))
## snippet: levels_droplevels
out <- levels(droplevels(d$env[d$x < 35]))
## snippet: setdiff_names
out <- setdiff(names(d), c("y", "x"))
## snippet: select_setdiff
out <- d[, setdiff(names(d), c("gen", "y"))]
## snippet: colnames_paste
m <- matrix(1:6, 2)
colnames(m) <- paste0("V", 1:ncol(m))
out <- m
## snippet: rowmeans_df
out <- rowMeans(d[, c("x", "rep")])
## snippet: colsums_df
out <- colSums(d[, c("x", "rep")])
## snippet: cor_matrix
out <- cor(cbind(a = c(1, 2, 3, 4), b = c(2, 4, 5, 9), c = c(4, 3, 2, 1)))
## snippet: var_matrix
out <- var(cbind(a = c(1, 2, 3, 4), b = c(2, 4, 5, 9)))
## snippet: cov2cor_mat
out <- cov2cor(matrix(c(4, 2, 2, 9), 2))
## snippet: diag_assign
m <- matrix(1:9, 3)
diag(m) <- 0
out <- m
## snippet: lower_tri_na
m <- matrix(1:9, 3)
m[lower.tri(m)] <- NA
out <- m
## snippet: outer_minus
out <- outer(1:3, 1:2, "-")
## snippet: which_arr_ind
m <- matrix(c(1, 9, 3, 4), 2)
out <- which(m == max(m), arr.ind = TRUE)
## snippet: expand_grid_paste
g <- expand.grid(r = 1:2, c = c("a", "b"))
out <- paste(g$r, g$c, sep = ":")
## snippet: rowsum_group
out <- rowsum(c(1, 2, 3, 4), c("b", "a", "b", "a"))
## snippet: scale_center
out <- as.vector(scale(c(2, 4, 6), scale = FALSE))
## snippet: ifelse_impute
out <- ifelse(is.na(d$y), mean(d$y, na.rm = TRUE), d$y)
## snippet: max_table
out <- max(table(d$env))
## snippet: cumsum_table
out <- cumsum(table(c(1, 1, 2, 3, 3, 3)))
## snippet: seq_step
out <- seq(1, 10, 2)
## snippet: seq_decimal
out <- seq(0.1, 0.5, 0.1)
## snippet: rep_len_vec
out <- rep_len(c("a", "b", "c"), 5)
## snippet: head_negative
out <- head(1:6, -2)
## snippet: tail_negative
out <- tail(1:6, -2)
## snippet: match_nomatch
out <- match(c("b", "z"), c("a", "b"), nomatch = 0)
## snippet: sort_na_last
out <- sort(c(3, NA, 1), na.last = TRUE)
## snippet: order_ties
out <- order(c(2, 1, 2, 1))
## snippet: nchar_na
out <- nchar(c("abc", NA))
## snippet: sprintf_e
out <- sprintf("%.2e", 12345.678)
## snippet: sprintf_s_width
out <- sprintf("%-5s|%5s", "ab", "cd")
## snippet: sprintf_g
out <- sprintf("%g", c(1e-5, 123456789, 0.5))
## snippet: formatc_big_mark
out <- formatC(1234567.891, format = "f", digits = 1, big.mark = ",")
## snippet: round_vector_df
out <- round(d$x / 7, 3)
## snippet: paste_round_collapse
out <- paste(round(c(1.234, 5.678), 1), collapse = ", ")
## snippet: which_names_vec
out <- which(c(a = 1, b = 5, c = 7) > 2)
## snippet: stack_list
out <- stack(list(a = 1:2, b = 3))
## snippet: mapply_paste_names
out <- mapply(function(a, b) paste(a, b), c("x", "y"), c("1", "2"))
## snippet: apply_function_rows
m <- matrix(c(1, 5, 3, 2, 8, 4), 2, byrow = TRUE)
out <- apply(m, 1, function(r) max(r) - min(r))
## snippet: apply_matrix_result
m <- matrix(1:4, 2)
out <- apply(m, 2, function(col) col / sum(col))
## snippet: sapply_seq_names
out <- sapply(c(first = 1, second = 2), function(v) v * 10)
## snippet: vapply_chr
out <- vapply(c("a", "bb"), function(s) toupper(s), character(1))
## snippet: lapply_seq_along
x <- c(5, 6)
out <- lapply(seq_along(x), function(i) x[i] * i)
## snippet: tapply_two_factors
out <- tapply(d$x, list(d$env, d$rep), sum)
## snippet: aggregate_dot_formula
out <- aggregate(. ~ env, data = d[, c("env", "x", "rep")], FUN = sum)
## snippet: aggregate_length
out <- aggregate(x ~ gen, data = d, FUN = length)
## snippet: table_with_na
out <- table(c("a", NA, "a"), useNA = "ifany")
## snippet: table_df_column
out <- as.data.frame(table(g = c("b", "a", "b")))
## snippet: is_element
out <- is.element(c(1, 5), c(1, 2, 3))
## snippet: all_any_narm
out <- c(all(c(TRUE, NA), na.rm = TRUE), any(c(FALSE, NA)))
## snippet: xor_logic
out <- xor(c(TRUE, FALSE, TRUE), c(TRUE, TRUE, FALSE))
## snippet: integer_division
out <- c(7 %/% 2, -7 %/% 2, 7 %% 3, -7 %% 3)
## snippet: pmax_pmin
out <- c(pmax(c(1, 5), c(3, 2)), pmin(c(1, 5), c(3, 2)))
## snippet: rev_string_sort
out <- sort(c("b10", "b2", "a1"), decreasing = TRUE)
## snippet: colnames_index_assign
e <- d[, 1:3]
colnames(e)[2] <- "genotype"
out <- names(e)
## snippet: dplyr_summarise_groups_drop
library(dplyr)
out <- d %>% group_by(env, rep) %>% summarise(s = sum(x), .groups = "drop") %>% as.data.frame()
## snippet: dplyr_filter_not_na
library(dplyr)
out <- d %>% filter(!is.na(y)) %>% pull(y)
## snippet: dplyr_arrange_desc_y
library(dplyr)
out <- d %>% arrange(desc(y)) %>% pull(gen)
## snippet: dplyr_left_join_named_by
library(dplyr)
a <- data.frame(g = c("g1", "g2"), score = c(1, 2))
out <- left_join(d[, c("gen", "x")], a, by = c("gen" = "g"))
## snippet: dplyr_select_starts
library(dplyr)
w <- data.frame(id = 1, x_a = 2, x_b = 3, y = 4)
out <- w %>% select(starts_with("x_"))
## snippet: dplyr_mutate_rank
library(dplyr)
out <- d %>% mutate(r = rank(-x)) %>% pull(r)
## snippet: dplyr_n_group
library(dplyr)
out <- d %>% group_by(gen) %>% summarise(n = n()) %>% as.data.frame()
## snippet: dplyr_distinct_keep
library(dplyr)
out <- d %>% distinct(env, .keep_all = TRUE)
## snippet: dplyr_row_number
library(dplyr)
out <- d %>% group_by(env) %>% mutate(k = row_number()) %>% pull(k)
## snippet: dplyr_lag
library(dplyr)
out <- lag(c(1, 2, 3))
## snippet: dplyr_coalesce
library(dplyr)
out <- coalesce(d$y, 0)
## snippet: dplyr_mutate_across_where
library(dplyr)
out <- d %>% mutate(across(where(is.character), toupper)) %>% pull(gen)
## snippet: dplyr_transmute
library(dplyr)
out <- d %>% transmute(gen, x2 = x * 2)
## snippet: dplyr_group_mutate_n
library(dplyr)
out <- d %>% group_by(env) %>% mutate(n = n()) %>% pull(n)
## snippet: dplyr_rename_with
library(dplyr)
out <- d %>% rename_with(toupper) %>% names()
## snippet: dplyr_bind_cols
library(dplyr)
out <- bind_cols(data.frame(a = 1:2), data.frame(b = c("x", "y")))
## snippet: dplyr_slice_max
library(dplyr)
out <- d %>% slice_max(x, n = 2) %>% pull(gen)
## snippet: tidyr_drop_na
library(tidyr)
out <- drop_na(d)
## snippet: tidyr_replace_na
library(tidyr)
out <- replace_na(d$y, -9)
## snippet: tidyr_gather
library(tidyr)
w <- data.frame(id = c("p", "q"), a = c(1, 2), b = c(3, 4))
out <- gather(w, key = "k", value = "v", a, b)
## snippet: tidyr_pivot_longer_prefix
library(tidyr)
w <- data.frame(id = 1:2, yr_2020 = c(1, 2), yr_2021 = c(3, 4))
out <- as.data.frame(pivot_longer(w, -id, names_to = "year", names_prefix = "yr_",
                                  values_to = "v"))
## snippet: tidyr_unite_keep
library(tidyr)
out <- unite(data.frame(a = c("x", "y"), b = 1:2), "ab", a, b, remove = FALSE)
## snippet: reshape2_dcast_fun
library(reshape2)
l <- data.frame(id = c("p", "p", "q"), k = c("a", "a", "b"), val = c(1, 2, 3))
out <- dcast(l, id ~ k, value.var = "val", fun.aggregate = sum)
## snippet: plantgrowth_lm
out <- coef(lm(weight ~ group, data = PlantGrowth))
## snippet: co2_aggregate_two
out <- aggregate(uptake ~ Type + Treatment, data = CO2, FUN = mean)
## snippet: esoph_table_ordered
out <- table(esoph$agegp)
## snippet: chickweight_droplevels_subset
out <- levels(droplevels(subset(ChickWeight, Diet == 1))$Chick)
## snippet: orange_nlevels
out <- nlevels(Orange$Tree)
## snippet: orange_codes
out <- as.numeric(Orange$Tree[c(1, 8, 35)])
## snippet: iris_sapply_means
out <- sapply(iris[, 1:4], mean)
## snippet: mtcars_colmeans_subset
out <- colMeans(mtcars[mtcars$am == 1, c("mpg", "wt")])
## snippet: airquality_not_na
out <- head(airquality[!is.na(airquality$Ozone), "Ozone"])
## snippet: insectsprays_unique
out <- unique(InsectSprays$spray)
## snippet: chickweight_diet_labels
out <- factor(ChickWeight$Diet, labels = c("a", "b", "c", "d"))[c(1, 578)]
## snippet: toothgrowth_dose_factor
out <- levels(factor(ToothGrowth$dose))
## snippet: warpbreaks_xtabs_means
out <- aggregate(breaks ~ wool + tension, data = warpbreaks, FUN = median)
## snippet: loblolly_seed_order
out <- head(Loblolly[order(Loblolly$Seed, Loblolly$age), c("Seed", "age")], 4)
## snippet: sapply_mask_columns
out <- d[, sapply(d, is.numeric)]
## snippet: sapply_mask_single_bracket
out <- names(d[sapply(d, is.character)])
## snippet: colnames_sapply_mask
out <- colnames(d)[sapply(d, is.numeric)]
## snippet: sapply_class_vector
out <- unname(sapply(d, class))
## snippet: sapply_result_arith
out <- sapply(split(d$x, d$env), sum) / 10
## snippet: sapply_data_frame_col
out <- data.frame(g = levels(d$env), m = sapply(split(d$x, d$env), mean))
## snippet: summary_numeric
out <- summary(c(1, 2, 3, 4, 100))
## snippet: mean_trim
out <- mean(c(1, 2, 3, 4, 100), trim = 0.2)
## snippet: cor_complete
out <- cor(d$x, d$y, use = "complete.obs")
## snippet: order_minus
out <- order(-d$x)
## snippet: rank_min
out <- rank(c(10, 20, 10, 30), ties.method = "min")
## snippet: round_negative_half
out <- round(c(-0.5, -1.5, 2.675), c(0, 0, 2))
## snippet: sprintf_percent
out <- sprintf("%.1f%%", 100 * c(0.123, 0.5))
## snippet: as_integer_text
out <- as.integer(c("3", "7", "x"))
## snippet: as_integer_trunc
out <- as.integer(c(3.7, -3.7))
## snippet: as_logical_text
out <- as.logical(c("TRUE", "yes", "T", "false"))
## snippet: max_character
out <- c(max(c("b", "a", "c")), min(c("b", "a", "c")))
## snippet: sum_logical_narm
out <- sum(c(TRUE, NA, TRUE), na.rm = TRUE)
## snippet: mean_logical
out <- mean(c(TRUE, FALSE, TRUE, TRUE))
## snippet: rowsums_is_na
out <- rowSums(is.na(d))
## snippet: table_cut
out <- table(cut(d$x, breaks = c(0, 25, 45, 100)))
## snippet: seq_float_index
out <- seq(0, 1, 0.1)[4]
## snippet: nchar_numbers
out <- nchar(c(123, 4.5))
## snippet: paste_factor_levels
out <- paste(levels(d$env), collapse = "/")
## snippet: rev_order_names
x <- c(b = 2, a = 3, c = 1)
out <- names(x)[order(x, decreasing = TRUE)]
## snippet: cumsum_rev
out <- rev(cumsum(1:4))
## snippet: vector_arith_recycle
out <- 1:6 * c(1, 10)
## snippet: vector_compare_chr
out <- c("a", "b") == c("a", "c")
## snippet: seq_len_zero
out <- seq_len(0)
## snippet: length_null
out <- length(NULL)
## snippet: is_na_assign
x <- c(1, 2, 3)
x[2] <- NA
out <- x
## snippet: append_vec
out <- append(1:3, 99, after = 1)
## snippet: numeric_init
out <- numeric(3)
## snippet: character_init
out <- character(2)
## snippet: vector_grow
x <- c()
for (i in 1:3) x <- c(x, i * 2)
out <- x
## snippet: list_grow_names
l <- list()
l[["a"]] <- 1
l[["b"]] <- "x"
out <- l
## snippet: for_accumulate
tot <- 0
for (v in c(2, 4, 6)) tot <- tot + v
out <- tot
## snippet: while_loop
k <- 1
while (k < 100) k <- k * 3
out <- k
## snippet: function_default
f <- function(x, p = 2) x^p
out <- c(f(3), f(2, 3))
## snippet: function_return_list
f <- function(x) list(m = mean(x), n = length(x))
out <- f(c(1, 2, 6))
## snippet: switch_value
out <- switch("b", a = 1, b = 2, 3)
## snippet: if_else_chain
x <- 7
out <- if (x > 10) "big" else if (x > 5) "mid" else "small"
## snippet: nested_list_access
l <- list(a = list(b = c(10, 20)))
out <- l$a$b[2]
## snippet: df_column_by_var
col <- "x"
out <- d[[col]]
## snippet: df_new_col_bracket
e <- d
e[["z"]] <- e$x + 1
out <- e$z
## snippet: df_rows_which
out <- d[which(d$x > 30), "gen"]
## snippet: df_nrow_filter
out <- nrow(d[d$env == "E3", ])
## snippet: df_apply_rows_paste
out <- apply(d[, c("gen", "env")], 1, paste, collapse = "-")
## snippet: df_order_desc_col
out <- d[order(-d$x), "x"]
## snippet: df_unique_rows
out <- unique(d[, c("env", "rep")])
## snippet: df_colnames_grep
out <- grep("^[xy]$", colnames(d), value = TRUE)
## snippet: df_lapply_factor_cols
e <- d
e[c("gen", "rep")] <- lapply(e[c("gen", "rep")], factor)
out <- e$rep
## snippet: df_rbind_loop
res <- NULL
for (g in c("E1", "E2")) res <- rbind(res, data.frame(env = g, s = sum(d$x[d$env == g])))
out <- res
## snippet: df_merge_then_order
a <- data.frame(gen = c("g2", "g1", "g3"), w = c(2, 1, 3))
m <- merge(d[, c("gen", "x")], a)
out <- m[order(m$x), ]
## snippet: index_logical_na_vector
x <- c(1, NA, 5, 3, NA)
out <- x[x > 2]
## snippet: index_logical_na_factor
out <- d$env[d$y > 3]
## snippet: index_logical_na_text
out <- d$gen[d$y > 3.5]
## snippet: index_logical_na_rows_count
out <- nrow(d[d$y > 3, ])
## snippet: index_logical_na_rows_column
out <- d[d$y > 3, ]$x
## snippet: index_logical_na_rows_col_name
out <- d[d$y > 3, "gen"]
## snippet: index_logical_na_rows_factor
out <- d[d$y > 3, ]$env
## snippet: index_logical_no_na_rows
out <- d[d$x > 25, ]$gen
## snippet: which_na_dropped
out <- which(d$y > 3)
## snippet: sum_cmp_na
out <- sum(d$y > 3)
## snippet: sum_cmp_na_rm
out <- sum(d$y > 3, na.rm = TRUE)
## snippet: mean_cmp_na
out <- mean(d$y > 3)
## snippet: sum_cmp_no_na
out <- sum(d$x > 25)
## snippet: length_which_na
out <- length(which(d$y > 3))
## snippet: subset_na_dropped
out <- subset(d, y > 3)$gen
## snippet: index_logical_and_isna
out <- d$y[!is.na(d$y) & d$y > 3]
## snippet: table_two_way_df
out <- as.data.frame(table(d$env, d$gen))
## snippet: table_two_way_data_frame
out <- data.frame(table(d$gen, d$rep))
## snippet: table_two_way_with_names
out <- with(d, as.data.frame(table(env, gen)))
## snippet: table_two_way_dim
out <- dim(table(d$env, d$gen))
## snippet: table_two_way_cell
out <- table(d$env, d$gen)["E1", "g2"]
## snippet: table_two_way_rowsums
out <- rowSums(table(d$env, d$gen))
## snippet: table_two_way_apply
tab <- table(d$env, d$rep)
out <- apply(X = tab, MARGIN = 1, FUN = function(x) sum(x != 0))
## snippet: table_two_way_all
out <- all(table(d$env, d$gen) > 0)
## snippet: table_two_way_dnn
out <- as.data.frame(table(d$env, d$rep, dnn = c("E", "R")))
## snippet: table_one_way_df
out <- as.data.frame(table(d$gen))
## snippet: cbind_symbols
a <- c(1, 2, 3)
b <- c(4, 5, 7)
out <- cbind(a, b)
## snippet: cbind_named_colnames
out <- colnames(cbind(mu = c(1, 2), sd = c(0.5, 0.25)))
## snippet: cbind_named_column
m <- cbind(lo = d$x - 1, hi = d$x + 1)
out <- m[, "hi"]
## snippet: cbind_mixed_names
out <- cbind(1:2, z = c(5, 6))
## snippet: cbind_unnamed
out <- cbind(1:3, c(2.5, 3, 1))
## snippet: rbind_named_rows
out <- rbind(first = c(1, 2, 3), second = c(4, 5, 6))
## snippet: rbind_named_rownames
out <- rownames(rbind(a = 1:2, b = 3:4, c = 5:6))
## snippet: rbind_named_vectors_cols
out <- rbind(r1 = c(x = 1, y = 2), r2 = c(x = 3, y = 4))
## snippet: reduce_plus
out <- Reduce(`+`, c(2, 4, 8))
## snippet: reduce_right_accumulate
out <- Reduce(`+`, 1:4, accumulate = TRUE, right = TRUE)
## snippet: reduce_init_paste
out <- Reduce(function(a, b) paste0(a, b), c("x", "y", "z"), "s")
## snippet: reduce_intersect
out <- Reduce(intersect, list(1:5, 3:7, 4:9))
## snippet: reduce_merge_by_name
a <- data.frame(id = 1:3, p = c(1, 2, 3))
b <- data.frame(id = c(2L, 3L, 1L), q = c("b", "c", "a"))
out <- Reduce(merge, list(a, b))
## snippet: reduce_rbind_list
l <- list(data.frame(k = 1, v = "a"), data.frame(k = 2, v = "b"), data.frame(k = 3, v = "c"))
out <- Reduce(rbind, l)
## snippet: reduce_empty_init
out <- Reduce(`+`, list(), 0)
## snippet: dplyr_slice_min_ties
library(dplyr)
out <- d %>% slice_min(rep, n = 1) %>% pull(gen)
## snippet: dplyr_slice_max_na
library(dplyr)
out <- d %>% slice_max(y, n = 5) %>% pull(x)
## snippet: dplyr_slice_max_no_ties
library(dplyr)
out <- slice_max(d, rep, n = 1, with_ties = FALSE)$gen
## snippet: datatable_rows_na
library(data.table)
dt <- as.data.table(d)
out <- as.data.frame(dt[y > 3])
## snippet: datatable_by_two
library(data.table)
dt <- as.data.table(d)
out <- as.data.frame(dt[, .(s = sum(x), n = .N), by = .(env, rep)])
## snippet: datatable_i_j_by_text
library(data.table)
dt <- as.data.table(d)
out <- as.data.frame(dt[rep == 1, mean(x), by = "env"])
## snippet: datatable_keyby
library(data.table)
dt <- as.data.table(d)
out <- as.data.frame(dt[, .(m = max(x)), keyby = env])
## snippet: datatable_no_by
library(data.table)
dt <- as.data.table(d)
out <- as.data.frame(dt[, .(tot = sum(x), avg = mean(x))])
## snippet: names_which_min_named
out <- names(which.min(c(a = 3, b = 1, c = 2)))
## snippet: which_max_position
out <- which.max(c(2, 9, 9, 1))
## snippet: named_literal_cmp
out <- c(a = 1, b = 5, c = 7) >= 5
## snippet: complex_assign_dollar_rows
o <- data.frame(Model = c("A", "B", "C"), r = NA)
o[o$Model == "B", ]$r <- 0.5
out <- o
## snippet: inner_assign_cat_dollar
o <- data.frame(Model = c("A", "B"), r = NA)
cat("r: ", o[o$Model == "A", ]$r <- 2.5, "\n")
out <- o$r
## snippet: inner_assign_cat_index
w <- c(1, 2, 3)
cat("w2:", w[2] <- 20, "\n")
out <- w
## snippet: rownames_replace_last
f <- data.frame(a = 1:3, row.names = c("x", "y", "z"))
rownames(f)[nrow(f)] <- "residuals"
out <- rownames(f)
## snippet: dimnames_replace_k
m <- matrix(1:4, 2, dimnames = list(c("a", "b"), c("c", "d")))
dimnames(m)[[2]] <- c("P", "Q")
out <- m
## snippet: class_assign_frame
x <- data.frame(a = 1:2)
class(x) <- c("test.summary", "data.frame")
out <- class(x)
## snippet: class_assign_inherits
x <- data.frame(a = 1:2)
class(x) <- c("test.summary", "data.frame")
out <- c(inherits(x, "test.summary"), is.data.frame(x), inherits(x, "lm"))
## snippet: class_assign_list
l <- list(a = 1, b = "q")
class(l) <- "asreml"
out <- class(l)
## snippet: attributes_null_factor
f <- factor(c("b", "a", "b"))
attributes(f) <- NULL
out <- f
## snippet: attributes_null_matrix
m <- matrix(1:4, 2)
attributes(m) <- NULL
out <- m
## snippet: attributes_null_named
x <- c(a = 1.5, b = 2)
attributes(x) <- NULL
out <- x
## snippet: storage_mode_numeric
M <- matrix(c("1", "2.5", "3", "4"), 2)
storage.mode(M) <- "numeric"
out <- M
## snippet: dim_assign
v <- c(1.5, 2, 3, 4, 5, 6)
dim(v) <- c(2, 3)
out <- v
## snippet: unclass_factor
out <- unclass(factor(c("z", "y", "z")))
## snippet: suppress_warnings_assign
suppressWarnings(z <- as.numeric(c("1", "x")))
out <- z
## snippet: array_slices
X <- array(dim = c(2, 3, 2))
X[, , 1] <- matrix(1:6, 2)
X[, , 2] <- 10
out <- X[, , 1]
## snippet: array_loop_fill
h <- array(dim = c(3, 2, 2))
for (i in 1:3) for (j in 1:2) for (k in 1:2) h[i, j, k] <- i * 100 + j * 10 + k
out <- h[, 1, 2]
## snippet: array_data_drop
a <- array(1:24, dim = c(2, 3, 4))
out <- a[2, , 4]
## snippet: array_keep_matrix
a <- array(1:24, dim = c(2, 3, 4))
out <- a[, 2, ]
## snippet: array_one_value
a <- array(1:24, dim = c(2, 3, 4))
out <- a[2, 3, 4] + a[1, 1, 1]
## snippet: array_negative_drop_false
a <- array(1:24, dim = c(2, 3, 4))
out <- dim(a[-1, , 2:3, drop = FALSE])
## snippet: array_dim
out <- dim(array(0, c(2, 3, 4)))
## snippet: which_arr_ind_rownames
m <- matrix(c(0, 1, 1, 0), 2, dimnames = list(c("r1", "r2"), c("a", "b")))
out <- which(m > 0, arr.ind = TRUE)
## snippet: which_arr_ind_vector
out <- which(c(3, 6, 1, 6) == 6, arr.ind = TRUE)
## snippet: which_arr_ind_3d
a <- array(1:8, c(2, 2, 2))
out <- which(a > 6, arr.ind = TRUE)
## snippet: which_arr_ind_first_cell
m <- matrix(c(5, 7, 7, 1), 2)
out <- unname(which(m == 7, arr.ind = TRUE)[1, 2])
## snippet: frame_third_subscript_drop
d2 <- data.frame(a = 1:3, b = 4:6)
out <- d2[2:3, , F]
## snippet: merge_sort_false_all
a <- data.frame(k = c("b", "a", "c", "b"), v1 = 1:4)
b <- data.frame(k = c("c", "b", "d", "c"), v2 = c(3, 2, 9, 4))
out <- merge(a, b, by = "k", all = TRUE, sort = FALSE)
## snippet: merge_sort_false_dups
a <- data.frame(k = c("b", "c", "b"), v1 = 1:3)
b <- data.frame(k = c("b", "c", "b"), v2 = c(10, 20, 30))
out <- merge(a, b, by = "k", sort = FALSE)
## snippet: merge_sort_false_swap
a <- data.frame(k = c("b", "a", "c", "b"), v1 = 1:4)
b <- data.frame(k = c("c", "b", "d", "c"), v2 = c(3, 2, 9, 4))
out <- merge(b, a, by = "k", all.x = TRUE, sort = FALSE)
## snippet: mean_trim_na_rm
out <- mean(c(1, NA, 5, 7, 100, -20), trim = 0.25, na.rm = TRUE)
## snippet: mean_trim_na
out <- mean(c(1, NA, 5), trim = 0.1)
## snippet: mean_trim_half
out <- mean(c(9, 1, 4, 20), trim = 0.5)
## snippet: max_min_factor_labels
out <- c(max(as.character(d$env)), min(d$gen))
## snippet: max_text_case
out <- max(c("apple", "Banana", "cherry"))
## snippet: table_use_na_always
out <- table(c("b", "a", "b"), useNA = "always")
## snippet: table_use_na_column
out <- table(d$y > 3, useNA = "ifany")
## snippet: rowsum_matrix
out <- rowsum(matrix(1:6, 3, dimnames = list(NULL, c("p", "q"))), c("b", "a", "b"))
## snippet: rowsum_na
out <- rowsum(c(1, NA, 3), c("x", "y", "x"))
## snippet: rowsum_factor_levels
out <- rowsum(c(1, 2, 3), factor(c("m", "k", "m"), levels = c("m", "k", "z")))
## snippet: rowsum_no_reorder_narm
out <- rowsum(c(5, NA, 1, 2), c("z", "a", "z", "a"), reorder = FALSE, na.rm = TRUE)
## snippet: stack_names_order
out <- stack(list(b = 1, a = 2:3))
## snippet: stack_frame_columns
out <- stack(d[, c("x", "y")])
## snippet: round_digits_recycled
out <- round(c(1.2345, 2.3456, 3.4567, 4.5678), 1:2)
## snippet: dplyr_lead_grouped_default
library(dplyr)
out <- d %>% group_by(env) %>% mutate(nx = lead(x, 1, default = 0)) %>% pull(nx)
## snippet: dplyr_lag_two
library(dplyr)
out <- lag(c(5, 6, 7, 8), 2)
## snippet: factor_drop_true
f <- factor(c("a", "c", "a"), levels = c("a", "b", "c"))
out <- f[drop = TRUE]
## snippet: dplyr_across_cols_toupper
library(dplyr)
out <- d %>% mutate(across(c(gen, env), toupper))
## snippet: dplyr_across_where_numeric_fn
library(dplyr)
out <- d %>% mutate(across(where(is.numeric), abs)) %>% pull(y)
## snippet: max_ordered_factor
f <- factor(c("lo", "hi", "mid"), levels = c("lo", "mid", "hi"), ordered = TRUE)
out <- c(as.character(max(f)), as.character(min(f)))
## snippet: list_dollar_sub_assign
l <- list(a = c(1, 2, 3), b = "x")
l$a[2] <- 10
l$a[l$a > 2] <- 0
l$new[3] <- 1
out <- l
## snippet: list_dollar_sub_assign_partial
l <- list(abc = 1)
l$a[2] <- 5
out <- l
## snippet: pipe_dot_nested_data_frame
library(dplyr)
out <- tapply(d$x, d$env, sum) %>% data.frame(env = names(.), total = .)
## snippet: pipe_dot_nested_only
library(dplyr)
out <- d %>% head(n = nrow(.) - 4)
## snippet: pipe_dot_index
library(dplyr)
out <- d %>% filter(rep == 1) %>% .[2:3, c("gen", "x")]
## snippet: pipe_dot_dollar
library(dplyr)
out <- d %>% arrange(x) %>% .$gen
## snippet: pipe_dot_braces
library(dplyr)
keep <- NULL
out <- d %>% { if (!is.null(keep)) filter(., gen %in% keep) else . } %>% pull(x)
## snippet: pipe_dot_twice
library(dplyr)
out <- c(4, 1, 3) %>% paste(., rev(.), sep = "-")
## snippet: pipe_function_literal
library(dplyr)
out <- d$x %>% (function(z) z / max(z))
## snippet: summarise_unnamed_n
library(dplyr)
out <- d %>% group_by(env) %>% summarise(n(), n_distinct(gen), mean(x, na.rm = TRUE))
## snippet: summarise_across_fn_list
library(dplyr)
out <- d %>% group_by(env) %>% summarise(across(c(x, y), list(m = mean, sd)), n())
## snippet: summarise_across_unnamed_list_numeric
library(dplyr)
out <- d %>% select(env, x, rep) %>% group_by(env) %>% summarise(across(everything(), list(mean)))
## snippet: match_arg_default_first
f <- function(engine = c("asreml", "lme4", "SpATS")) {
  engine <- match.arg(engine)
  engine
}
out <- c(f(), f("lme4"), f("Sp"))
## snippet: match_arg_several_ok
f <- function(what = c("fixed", "random", "sparse")) match.arg(what, several.ok = TRUE)
out <- list(f(), f(c("ran", "fixed")))
## snippet: match_arg_choices_given
out <- match.arg("me", c("mean", "median", "mode"))
## snippet: match_arg_no_match_error
f <- function(type = c("a", "b")) match.arg(type)
out <- f("z")
## snippet: structure_dput_data_frame
out <- structure(list(ENV = structure(c(2L, 1L, 2L), levels = c("1", "2"), class = "factor"),
                      Pa = c(3.113, 3.379, 3.067)), class = "data.frame", row.names = c(NA, -3L))
## snippet: structure_dput_factor_column
df <- structure(list(g = structure(c(1L, 3L, 2L, 1L), levels = c("a", "b", "c"), class = "factor"),
                     y = c(1.5, 2, 2.5, 3)), row.names = c(NA, 4L), class = "data.frame")
out <- levels(df$g)[df$g]
## snippet: structure_dim_dimnames
out <- structure(1:6, dim = 2:3, dimnames = list(c("r1", "r2"), c("a", "b", "c")))
## snippet: structure_names
out <- structure(c(1.5, 2.5), names = c("lo", "hi"))
## snippet: structure_class_list
m <- structure(list(a = 1), class = "my_fit")
out <- list(class(m), inherits(m, "my_fit"), m$a)
## snippet: structure_attribute_read_back
G <- structure(diag(2), INVERSE = TRUE)
out <- attr(G, "INVERSE")
## snippet: structure_row_names_text
out <- structure(list(x = c(1, 2)), class = "data.frame", row.names = c("p", "q"))
## snippet: index_by_factor_codes
v <- c(a = 10, b = 20, c = 30)
f <- factor(c("c", "a", "c"), levels = c("c", "b", "a"))
out <- v[f]
## snippet: named_vector_positions_keep_names
w <- c(a = 1, b = 2, c = 3)
out <- w[2:3] * 2
## snippet: named_list_positions
l <- list(a = 1, b = "x", c = list(2))
out <- l[2:3]
## snippet: datatable_assign_by_group_subset
library(data.table)
dt <- as.data.table(d)
dt[rep == 1, mx := mean(x), by = "env"]
out <- dt$mx
## snippet: datatable_assign_by_all_rows
library(data.table)
dt <- as.data.table(d)
dt[, n_env := .N, by = env]
dt[, c_x := x - mean(x), by = .(env)]
out <- as.data.frame(dt[, .(n_env, c_x)])
## snippet: datatable_sd_lapply
library(data.table)
dt <- as.data.table(d)
cols <- c("gen", "env")
dt[, (cols) := lapply(.SD, function(v) factor(v, levels = unique(v))), .SDcols = cols]
out <- list(levels(dt$gen), levels(dt$env), as.character(dt$gen))
## snippet: factor_levels_unique_text
out <- factor(d$gen, levels = unique(d$gen))
## snippet: datatable_with_false
library(data.table)
dt <- as.data.table(d)
out <- as.matrix(dt[, -c(1, 2, 3), with = FALSE])
## snippet: datatable_setdt_keep_rownames
library(data.table)
m <- data.frame(effect = c(0.5, -0.25), row.names = c("gen_A", "gen_B"))
out <- as.data.frame(setDT(m, keep.rownames = TRUE))
## snippet: datatable_setdt_statement_key
library(data.table)
e <- data.frame(k = c("b", "a", "b"), v = 1:3)
setDT(e, key = "k")
out <- as.data.frame(e)
## snippet: heatmap_order
x <- matrix(c(1, 5, 3, 8, 2, 2, 9, 1, 7, 3, 4, 4, 0, 6, 5, 2, 3, 3, 8, 9), 4)
h <- heatmap(x)
out <- list(h$rowInd, h$colInd)
## snippet: heatmap_symm_cor
x <- matrix(c(1, 5, 3, 8, 2, 2, 9, 1, 7, 3, 4, 4, 0, 6, 5, 2, 3, 3, 8, 9), 4)
h <- heatmap(cor(x), symm = TRUE)
out <- list(h$rowInd, h$colInd)
## snippet: heatmap_data_frame_rows
h <- heatmap(as.matrix(d[, c("x", "rep", "y")][c(1, 2, 4, 5, 6), ]), Colv = NA)
out <- list(h$rowInd, h$colInd)
