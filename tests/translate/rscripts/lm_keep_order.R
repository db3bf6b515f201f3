# R 4.2 reference for tests/translate/test_translate_hold4_causes.py::test_lm_terms_keep_order
# (Rscript lm_keep_order.R): anova() of lm(terms(f, keep.order = TRUE)) on an unbalanced
# layout built without random numbers, and of lm(f), whose terms R orders by degree.
d <- expand.grid(a = c("a1", "a2", "a3"), b = c("b1", "b2"), c = c("c1", "c2"), rep = 1:3)
i <- seq_len(nrow(d))
d$y <- round(10 + as.integer(d$a) + 0.5 * as.integer(d$c) + sin(1.7 * i), 4)
d <- d[-c(2, 7, 17, 30), ]
print(anova(lm(terms(y ~ a + a:b + c, keep.order = TRUE), data = d)), digits = 12)
print(anova(lm(y ~ a + a:b + c, data = d)), digits = 12)
