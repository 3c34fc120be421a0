"""Writing a package: every member copied or passed through its transform, atomically.

Owns the zip on the way out: members we do not change copied as they were
written, members we rewrite streamed chunk by chunk (compressed on a second
thread at :data:`COMPRESS_LEVEL` while the next chunk is built), new members
added last, everything into a temporary file beside the target renamed over
it (its mode kept), and the names of backups.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import threading
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Iterable, Iterator, Mapping

Transform = Callable[[bytes], "bytes | Iterable[bytes]"]


#: deflate level of the sheets we stream (the large members we rewrite). Measured on the 62 MB sheet of 100,000
#: rows (zlib): level 1 0.33 s for 14.0 MB, level 2 0.33 s for 13.2 MB, level 4 0.51 s for 12.2 MB, level 6
#: (zipfile's default, about what Excel writes) 0.98 s for 11.3 MB. Compression runs on a second thread while
#: the next chunk is built; level 6 still made the write stage 0.6 s longer, level 2 costs nothing over 1.
COMPRESS_LEVEL = 2


def write_bytes(target: str, data: bytes, source: str) -> None:
    """``data`` written to ``target`` atomically (mode: the replaced file's, else ``source``'s)."""
    with _replacing(target, source) as temp, open(temp, "wb") as out:
        out.write(data)


@contextlib.contextmanager
def _replacing(target: str, source: str) -> Iterator[str]:
    """A temporary file beside ``target`` to write (the process id in its name lets a later run remove what a
    killed one left: batch.clean_stale_temporaries), renamed over ``target`` with the replaced file's mode (else
    ``source``'s) when the block ends; removed when it fails."""
    folder = os.path.dirname(os.path.abspath(target))
    handle, temp = tempfile.mkstemp(prefix=f".cellrules-{os.getpid()}-", suffix=".xlsx", dir=folder)
    os.close(handle)
    try:
        yield temp
        os.chmod(temp, _mode(target, source))
        _flush(temp)  # whole on disk before the name points at it (a full disk fails here, the target untouched)
        os.replace(temp, target)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def _clone(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    clone = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    clone.compress_type, clone.external_attr = info.compress_type, info.external_attr
    clone.create_system = info.create_system
    return clone


_SWITCHING = threading.Lock()
_streams = [0, 0.0]  # streams writing now, and the switch interval in force before the first of them began


@contextlib.contextmanager
def _quick_switches() -> Iterator[None]:
    """Python's thread switch interval at :data:`SWITCH` while members stream (restored after the last one).
    The compressing thread gives up the GIL three times a chunk (crc32, deflate, the file write) and waited
    up to the default 5 ms each time to get it back from the thread building the next chunk: at 100k rows
    the write took 0.78 s; with 0.5 ms, 0.57–0.61 s (and 65,536 cells a chunk rather than 16,384: 0.54–0.60 s)."""
    with _SWITCHING:
        if _streams[0] == 0:
            _streams[1] = sys.getswitchinterval()
            sys.setswitchinterval(SWITCH)
        _streams[0] += 1
    try:
        yield
    finally:
        with _SWITCHING:
            _streams[0] -= 1
            if _streams[0] == 0:
                sys.setswitchinterval(_streams[1])


SWITCH = 0.0005  # seconds


def _stream(out: zipfile.ZipFile, info: zipfile.ZipInfo, chunks: Iterable[bytes], large: bool) -> None:
    """A member written chunk by chunk, each chunk compressed (zlib lets go of the GIL) while the next is built."""
    for name in ("compress_level", "_compresslevel"):  # Python 3.13 made the level public
        if hasattr(type(info), name):
            setattr(info, name, COMPRESS_LEVEL)
            break
    with _quick_switches(), out.open(info, "w", force_zip64=large) as stream, ThreadPoolExecutor(1) as pool:
        pending: Future[Any] | None = None
        for chunk in chunks:
            if pending is not None:
                pending.result()
            pending = pool.submit(stream.write, chunk)
        if pending is not None:
            pending.result()


def _copy(source: zipfile.ZipFile, out: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """A member we do not change, copied as it was written (decompressed and compressed again: its bytes inside
    the zip may differ, its content does not)."""
    out.writestr(_clone(info), source.read(info.filename))


def _mode(target: str, source: str) -> int:
    """The permissions the result should have: the replaced file's, else the input's (mkstemp makes 0600)."""
    for path in (target, source):
        try:
            return os.stat(path).st_mode & 0o7777
        except OSError:
            continue
    return 0o644


def write_parts(source_path: str, parts: Mapping[str, Transform], target: str,
                known: dict[str, bytes] | None = None, added: dict[str, bytes] | None = None) -> None:
    """Copy the package at ``source_path`` to ``target`` (atomically), each member named in ``parts``
    passed through its transform, every other member byte for byte. ``known`` holds members already read
    (not decompressed twice); ``added`` new members, written last."""
    with _replacing(target, source_path) as temp, zipfile.ZipFile(source_path) as source, \
            zipfile.ZipFile(temp, "w") as out:
        for info in source.infolist():
            transform = parts.get(info.filename)
            if transform is None:
                _copy(source, out, info)
                continue
            data = (known or {}).get(info.filename)
            data = data if data is not None else source.read(info.filename)
            made = transform(data)
            if isinstance(made, bytes):  # a small part (or an unusual sheet): zipfile's usual level
                out.writestr(_clone(info), made)
            else:
                _stream(out, _clone(info), made, len(data) > 1 << 30)
        for name, data in (added or {}).items():
            out.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data,
                         compress_type=zipfile.ZIP_DEFLATED)


def _flush(path: str) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def copy_whole(source: str, target: str) -> None:
    """``source`` copied to ``target`` so that ``target`` is either absent or complete: written under a
    temporary name beside it, flushed to disk, then renamed (a kill or a full disk mid-copy never leaves a
    partial ``.bak`` a user could restore from)."""
    with _replacing(target, source) as temp:
        shutil.copyfile(source, temp)
        shutil.copystat(source, temp)


def backup_name(path: str) -> str:
    """``book.xlsx.bak``, or the first free ``book.xlsx.bak2``, ``.bak3`` …: a backup never replaces one."""
    candidate, n = path + ".bak", 1
    while os.path.exists(candidate):
        n += 1
        candidate = f"{path}.bak{n}"
    return candidate
