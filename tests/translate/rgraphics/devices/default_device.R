x <- c(4.1, 5.2, 3.3, 6.8, 5.5, 4.9, 5.0, 6.1)
plot(x)
hist(x)
boxplot(x)
