"""What a file must be before it is read as a workbook: a regular file of a sane size, not an OLE file (an
encrypted workbook or a legacy .xls), a zip without duplicate members or encrypted ones, and no zip bomb
(size and compression-ratio limits per member and for the whole package). :class:`PackageError` says why not."""
from __future__ import annotations

import os
import stat
import zipfile

MAX_FILE = 1_000_000_000  # bytes of the .xlsx file itself
MAX_TOTAL = 1_500_000_000  # bytes uncompressed, whole package
MAX_RATIO = 200  # uncompressed / compressed, per large member and for the whole package
MAX_CELLS = 30_000_000  # cells with a value or formula, whole workbook
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class PackageError(Exception):
    """The file is not a workbook cellrules can read (corrupt, encrypted, hostile)."""


def open_package(path: str) -> zipfile.ZipFile:
    """The workbook's zip, opened after every check above (PackageError when one fails)."""
    regular_file(path)
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head == OLE_MAGIC:
        raise PackageError("an OLE file: an encrypted workbook or a legacy .xls, not an .xlsx")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise PackageError(f"not an .xlsx package: {exc}") from None
    try:
        check_zip(zf)
    except PackageError:
        zf.close()
        raise
    return zf


def check_zip(zf: zipfile.ZipFile) -> None:
    """Refuse duplicate or encrypted members and zip bombs."""
    total = packed = 0
    names = zf.namelist()
    if len(names) != len(set(names)):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise PackageError(f"the package holds {twice[0]} more than once (a tampered file?)")
    for info in zf.infolist():
        total += info.file_size
        packed += info.compress_size
        if info.flag_bits & 0x1:
            raise PackageError("the workbook is encrypted")
        if info.file_size > 10_000_000 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise PackageError(f"{info.filename} expands {info.file_size // max(info.compress_size, 1)}× "
                               "(a zip bomb?)")
    if total > MAX_TOTAL:
        raise PackageError(f"the package expands to {total:,} bytes, more than {MAX_TOTAL:,}")
    if total > 100_000_000 and total > MAX_RATIO * max(packed, 1):
        raise PackageError(f"the package expands {total // max(packed, 1)}× to {total:,} bytes (a zip bomb?)")


def regular_file(path: str) -> None:
    """Only a regular file of a sane size: a FIFO, a device or a link to one would hang or never end."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise PackageError(f"cannot read the file: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise PackageError("not a regular file (a pipe, a device or a link to one)")
    if st.st_size > MAX_FILE:
        raise PackageError(f"the file is {st.st_size:,} bytes, more than {MAX_FILE:,}")
