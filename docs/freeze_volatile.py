"""For `make screenshots` only: turn =TODAY() cells of a recalculated copy into their values.

LibreOffice recalculates volatile cells (and everything that depends on them) when it opens a file,
and it does not know cellrules' functions, so a picture would show #NAME? where Excel and
`cellrules recalc` show the stage. The templates themselves keep =TODAY().
"""
import re
import sys
import zipfile
from pathlib import Path


def freeze(path: Path) -> None:
    with zipfile.ZipFile(path) as zf:
        parts = {info: zf.read(info.filename) for info in zf.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in parts.items():
            if info.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"<f>TODAY\(\)</f>", b"", data)
            zf.writestr(info, data)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        freeze(Path(name))
