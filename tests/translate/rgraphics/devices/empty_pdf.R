pdf("empty.pdf")
dev.off()
