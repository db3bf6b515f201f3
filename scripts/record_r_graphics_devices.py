"""Record what R 4.2.2 writes for each tests/translate/rgraphics/devices/*.R snippet (run by
Rscript in an empty folder): every file, and for a pdf its page count. The result,
tests/translate/rgraphics/devices.json, is the independent source of
tests/translate/test_rgraphics_devices.py (CI has no R). Run from the checkout's top folder:

    python scripts/record_r_graphics_devices.py
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

SNIPPETS = Path("tests/translate/rgraphics/devices")
OUT = Path("tests/translate/rgraphics/devices.json")
PAGE = re.compile(rb"/Type\s*/Page\b")


def pdf_pages(path: Path) -> int:
    """Pages of a PDF: its /Type /Page objects (R and matplotlib write them uncompressed)."""
    return len(PAGE.findall(path.read_bytes()))


def main() -> None:
    version = subprocess.run(["Rscript", "-e", "cat(R.version.string)"], capture_output=True,
                             text=True, check=True).stdout
    out: dict[str, object] = {"r_version": version, "snippets": {}}
    for src in sorted(SNIPPETS.glob("*.R")):
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copy(src, Path(tmp) / src.name)
            subprocess.run(["Rscript", src.name], cwd=tmp, check=True, capture_output=True)
            files = {}
            for f in sorted(Path(tmp).iterdir()):
                if f.name == src.name:
                    continue
                files[f.name] = pdf_pages(f) if f.suffix == ".pdf" else None
            out["snippets"][src.stem] = files          # type: ignore[index]
    OUT.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
