"""trace=True prints one progress line per iteration with the log-likelihood change."""

import re

import asr_py as asr


def test_trace_lines_match_iteration_table(dt_example, capsys):
    m = asr.asreml("Yield ~ Env", "~ Name", data=dt_example, trace=True)
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.startswith("iteration")]
    assert len(lines) == len(m.iterations)
    lls = [float(re.search(r"loglik\s+(-?[\d.]+)", ln).group(1)) for ln in lines]
    assert abs(lls[-1] - m.loglik) < 1e-5
    ch = float(re.search(r"change\s+(\S+)", lines[-1]).group(1))
    assert abs(ch - (m.iterations["loglik"].iloc[-1] - m.iterations["loglik"].iloc[-2])) < 1e-9
