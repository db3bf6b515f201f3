"""asreml 3's pol(time, 2) columns at the 9 times of AaronRendahl/Jane-asreml-modeling.

    python tests/data/jane_pol_reference.py /work/.mirror/AaronRendahl+Jane-asreml-modeling/repo

Reads the repository's results_glucose.RDS (commit f56afc4; asreml-R 3.0's own fit of
``glucose ~ pol(time, -2)``, random ``str(~Number_ID:pol(time, 2), ~us(3):id(Number_ID))``,
saved by asreml_msi_modeling2.R) and OST_R_asreml_NS_hr.csv. Each fitted value is
μ + (b1 + u1h) P1(t) + (b2 + u2h) P2(t) + u0h P0(t) for horse h at time t, so at each time the
82 horses give a linear system in (P0, P1, P2)(t), solved by least squares (residual ≤ 2e-13).
Prints the columns; tests/model/test_asreml_pol.py records them. rdata 1.1.0 does not know
R's UNBOUNDVALUE/BASENAMESPACE serialisation codes (252/250), read here as a missing argument.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
import rdata
import rdata.parser._parser as rp

_info = rp.parse_r_object_info


def _lenient(info_int: int):  # noqa: ANN202
    if info_int & 0xFF in (250, 252):
        info_int = (info_int & ~0xFF) | 251
    return _info(info_int)


rp.parse_r_object_info = _lenient


def _names(o) -> list[str] | None:  # noqa: ANN001
    a = o.attributes
    while a is not None and a.info.type.name == "LIST":
        t = a.tag
        if t is not None and t.info.type.name == "REF":
            t = t.referenced_object
        if t is not None and t.value.value == b"names":
            return [x.value.decode("latin1") for x in a.value[0].value]
        a = a.value[1] if len(a.value) > 1 else None
    return None


def _get(o, *path: str):  # noqa: ANN001, ANN202
    for k in path:
        o = o.value[_names(o).index(k)]
    return o


def main(repo: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for f in ("results_glucose.RDS", "OST_R_asreml_NS_hr.csv"):
            with open(f"{tmp}/{f}", "wb") as out:
                out.write(subprocess.run(["git", "-C", repo, "show", f"HEAD:{f}"],
                                         capture_output=True, check=True).stdout)
        model = _get(rdata.parser.parse_file(f"{tmp}/results_glucose.RDS").object,
                     "time_only", "model")
        d = pd.read_csv(f"{tmp}/OST_R_asreml_NS_hr.csv")
    b1, b2, mu = np.asarray(_get(model, "coefficients", "fixed").value)
    ranef = _get(model, "coefficients", "random")
    u = np.asarray(ranef.value).reshape(-1, 3)
    row = {int(n.split(":")[0].split("_")[-1]): i for i, n in enumerate(_names(ranef)[::3])}
    fitted = np.asarray(_get(model, "fitted.values").value)
    t = d["time"].to_numpy() * 60
    for tk in np.unique(t):
        m = t == tk
        uh = u[[row[h] for h in d["Number_ID"].to_numpy()[m]]]
        A = np.column_stack([uh[:, 0], b1 + uh[:, 1], b2 + uh[:, 2]])
        p, *_ = np.linalg.lstsq(A, fitted[m] - mu, rcond=None)
        print(f"{tk:g}: {p[0]:.12f} {p[1]:.12f} {p[2]:.12f}  "
              f"(residual {np.abs(A @ p - fitted[m] + mu).max():.1e})")


if __name__ == "__main__":
    main(sys.argv[1])
