"""The stage contract, read from the source (AST, every import including function-local ones):

* asr_py/reml/ knows covariance templates only through their interface, ``asr_py.vcov.base``
  (no concrete template class, so no isinstance switch on one), and never imports a later or
  an earlier stage (formula, model, results, api, ...);
* asr_py/results/ never imports the API (``update()`` gets the refit callable from it).
"""

from __future__ import annotations

import ast
from pathlib import Path

import asr_py

PKG = Path(asr_py.__file__).parent


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in a file; ``from a import b`` counts as a.b too, so
    ``from asr_py.vcov import Kronecker`` is seen as reaching into the package."""
    out: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
            out += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return out


def _files(sub: str) -> list[Path]:
    files = sorted((PKG / sub).rglob("*.py"))
    assert files, f"no modules under {sub}"
    return files


REML_MAY_IMPORT = ("asr_py.reml", "asr_py.vcov.base", "asr_py.errors", "asr_py.warning_classes",
                   "asr_py.threads")


def _reml_violations() -> list[str]:
    bad = []
    for f in _files("reml"):
        for line, mod in _imports(f):
            if not mod.startswith("asr_py"):
                continue
            if mod.startswith("asr_py.vcov.base.") or any(
                    mod == ok or mod.startswith(ok + ".") for ok in REML_MAY_IMPORT):
                continue
            # ``from asr_py.vcov.base import X`` adds asr_py.vcov.base.X (allowed above);
            # a bare ``from asr_py import x`` is the public API: not allowed either
            bad.append(f"{f.relative_to(PKG)}:{line} imports {mod}")
    return bad


def test_reml_imports_only_the_template_interface() -> None:
    assert _reml_violations() == []


def test_results_never_imports_the_api() -> None:
    bad = [f"{f.relative_to(PKG)}:{line} imports {mod}" for f in _files("results")
           for line, mod in _imports(f)
           if mod in ("asr_py.api", "asr_py.cli") or mod.startswith(("asr_py.api.",
                                                                      "asr_py.cli."))
           or mod == "asr_py.asreml"]
    assert bad == []


def test_reml_has_no_isinstance_on_a_vcov_name() -> None:
    """No isinstance(x, C) in reml/ with C a class of the vcov package (the names vcov
    exports), even one reached without an import."""
    import asr_py.vcov as vcov

    names = {n for n in dir(vcov) if isinstance(getattr(vcov, n), type)}
    hits = []
    for f in _files("reml"):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "isinstance" and len(node.args) == 2):
                arg = node.args[1]
                elts = arg.elts if isinstance(arg, ast.Tuple) else [arg]
                for e in elts:
                    nm = e.attr if isinstance(e, ast.Attribute) else getattr(e, "id", "")
                    if nm in names:
                        hits.append(f"{f.relative_to(PKG)}:{node.lineno} isinstance(..., {nm})")
    assert hits == []


def test_the_checks_can_fail(tmp_path: Path) -> None:
    """The AST reader sees the forbidden forms (function-local, from-imports)."""
    p = tmp_path / "m.py"
    p.write_text("def f():\n    from asr_py.vcov.kronecker import Kronecker\n"
                 "    import asr_py.api\n    from asr_py.vcov import Diagonal\n",
                 encoding="utf-8")
    mods = [m for _, m in _imports(p)]
    assert "asr_py.vcov.kronecker" in mods and "asr_py.api" in mods
    assert "asr_py.vcov.Diagonal" in mods
    assert not any(m == ok or m.startswith(ok + ".") for m in ("asr_py.vcov.kronecker",
                                                                 "asr_py.vcov.Diagonal")
                   for ok in REML_MAY_IMPORT)
