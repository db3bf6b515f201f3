# ruff: noqa  (verbatim copy of the generator as it ran, /work/notes/s30/face_cases: provenance of d<i>.csv)
import numpy as np, pandas as pd, json, random
R = random.Random(8)
cases = []
import os
FORMS = [  # (lme4 random, asreml random)
    ("(1|g)", "~ g"), ("(1|g) + (1|h)", "~ g + h"), ("(1|g/h)", "~ g + g:h"),
    ("(1|g:h)", "~ g:h"), ("(0+x|g)", "~ g:x"), ("(1|g) + (0+x|g)", "~ g + g:x"),
    ("(x|g)", "~ str(~ g + g:x, ~ us(2):id(g))"), ("(0+f|g)", "~ us(f):g"),
    ("(x|g) + (1|h)", "~ str(~ g + g:x, ~ us(2):id(g)) + h"), ("(1|g) + (1|g:f)", "~ g + g:f"),
    ("(0+f|g) + (1|h)", "~ us(f):g + h"), ("(1|h) + (0+x|h)", "~ h + h:x"),
]
for i in range(60, 200):
    rng = np.random.default_rng(100 + i)
    ng = rng.integers(5, 25); nh = rng.integers(3, 12); nf = rng.integers(2, 4)
    n = int(rng.integers(60, 400))
    g = rng.integers(0, ng, n); h = rng.integers(0, nh, n); f = rng.integers(0, nf, n)
    xs = 10 ** rng.uniform(-2, 3); ys = 10 ** rng.uniform(-3, 4); xo = rng.uniform(-1, 1) * 50 * xs
    x = xo + xs * rng.normal(size=n)
    ug = rng.normal(size=ng) * rng.choice([0, 0.3, 1, 3]); uh = rng.normal(size=nh) * rng.choice([0, 0.5, 2])
    sg = rng.normal(size=ng) * rng.choice([0, 0.2, 1]); uf = rng.normal(size=(ng, nf)) * rng.choice([0, 0.5, 1])
    y = ys * (3 + ug[g] + uh[h] + sg[g] * (x - xo) / xs + uf[g, f] + 0.7 * f + 0.3 * (x - xo) / xs + rng.normal(size=n))
    d = pd.DataFrame(dict(y=y, x=x, g=[f"g{v}" for v in g], h=[f"h{v}" for v in h], f=[f"f{v}" for v in f]))
    d.to_csv(f"/work/notes/s30/face_cases/d{i}.csv", index=False)
    lr, ar = R.choice(FORMS)
    cases.append(dict(i=i, lme4=f"y ~ x + f + {lr}", fixed="y ~ x + f", random=ar))
json.dump(cases, open("/work/notes/s30/face_cases/cases2.json", "w"), indent=0)
