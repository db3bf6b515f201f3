x <- c(4.1, 5.2, 3.3, 6.8, 5.5, 4.9, 5.0, 6.1)
h <- hist(x, plot = FALSE)
b <- boxplot(x, plot = FALSE)
q <- qqnorm(x, plot.it = FALSE)
