"""Writes the multi-trait cases of tests/reml/test_trait_units_dsum.py (s31inv):
mv_<seed>.csv (one row per record: id, env, f, x, y1..y3 in their own units, empty = missing)
and K_<seed>.csv (the relationship matrix, ids as index and header) from gen.mvdata(seed,
n_id=40): traits at scales 10^U(-4, 5), 15 % of trait values missing, K from markers
(seed 109: 25 markers over 40 ids, rank 25; seed 111: 400 markers, 0.95 K + 0.05 I).
Run from this directory: python make.py"""
from gen import mvdata

for seed in (109, 111):
    d, info = mvdata(seed, n_id=40)
    d.to_csv(f"mv_{seed}.csv", index=False, float_format="%.10g")
    info["K"].to_csv(f"K_{seed}.csv", float_format="%.12g")
