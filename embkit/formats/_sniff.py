"""Compressed files: the compression told by a name's suffix or by the data's magic number, and opened.

Shared by the vector formats (which go by the name alone, for reading and
writing) and the corpus reader (which also recognises compressed data
without such a name, standard input included).
"""
import bz2
import contextlib
import gzip
import lzma
import os
import re
from pathlib import Path

from .._atomic import atomic_file

__all__ = ["COMPRESSIONS", "DECOMPRESS_ERRORS", "MAGIC_BYTES", "split_compression", "compression_from_magic",
           "open_read", "open_sniffed", "open_write"]

#: Compression modules by name suffix (matched case-insensitively); files with these
#: suffixes are read and written compressed.
COMPRESSIONS = {".gz": gzip, ".bz2": bz2, ".xz": lzma}

# Suffixes only read: lzma.open reads the legacy .lzma container but writes .xz data.
_READ_ONLY = {".lzma": lzma}

#: What a damaged or truncated compressed stream raises while it is read.
DECOMPRESS_ERRORS = (OSError, EOFError, lzma.LZMAError)

# Magic numbers; none of them can start UTF-8 text (0x8b and 0xfd are not valid there,
# and bzip2's is followed by its block magic "1AY&SY").
_MAGIC = ((b"\x1f\x8b", gzip), (b"\xfd7zXZ\x00", lzma))
_BZIP2 = re.compile(rb"BZh[1-9]1AY&SY")
#: Bytes :func:`compression_from_magic` needs to see.
MAGIC_BYTES = 10


def split_compression(name, *, reading=False):
    """Split a compression suffix off a file name.

    Parameters
    ----------
    name : str
        A file name (not a whole path: a directory named ``x.gz`` would count).
    reading : bool
        Also recognise ``.lzma``, which is read but never written.

    Returns
    -------
    base : str
        ``name`` without the compression suffix.
    module : module or None
        :mod:`gzip`, :mod:`bz2` or :mod:`lzma`, or None for an uncompressed name.
    """
    table = {**COMPRESSIONS, **_READ_ONLY} if reading else COMPRESSIONS
    for suffix, module in table.items():
        if name.lower().endswith(suffix):
            return name[: -len(suffix)], module
    return name, None


def compression_from_magic(head):
    """The compression module of data starting with ``head``, or None for uncompressed data.

    Parameters
    ----------
    head : bytes
        The first bytes of the data (:data:`MAGIC_BYTES` are enough).

    Returns
    -------
    module or None
        :mod:`gzip`, :mod:`bz2` or :mod:`lzma` (xz).
    """
    for magic, module in _MAGIC:
        if head.startswith(magic):
            return module
    return bz2 if _BZIP2.match(head) else None


def open_read(path):
    """Open a file for reading bytes, decompressing by the name's suffix (``.gz``, ``.bz2``, ``.xz``).

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    binary file object

    Raises
    ------
    OSError
        When the file cannot be opened.
    """
    _, module = split_compression(Path(path).name)
    if module is None:
        return open(path, "rb")
    return module.open(path, "rb")


def open_sniffed(source):
    """Open bytes for reading, decompressed by the name's suffix or, without one, by the magic number.

    Each input is opened once and only peeked at, so pipes (``<(...)``, FIFOs)
    and standard input lose nothing.

    Parameters
    ----------
    source : str, os.PathLike or binary file object
        A path (``.lzma`` counts as compressed too), or an open stream such
        as ``sys.stdin.buffer``, which the caller keeps owning.

    Returns
    -------
    stream : binary file object
        The (decompressed) bytes.
    to_close : list of file objects
        What the caller closes when done (the stream and the file under it).

    Raises
    ------
    OSError
        When the file cannot be opened.
    """
    if isinstance(source, (str, os.PathLike)):
        _, module = split_compression(Path(source).name, reading=True)
        if module is not None:
            stream = module.open(source, "rb")
            return stream, [stream]
        raw = open(source, "rb")
        owned = [raw]
    else:
        raw, owned = source, []
    module = compression_from_magic(raw.peek(MAGIC_BYTES)[:MAGIC_BYTES]) if hasattr(raw, "peek") else None
    if module is None:
        return raw, owned
    stream = module.open(raw, "rb")          # closing it leaves ``raw`` open: close both
    return stream, [stream] + owned


@contextlib.contextmanager
def open_write(path):
    """Atomic handle for writing bytes, compressing by the name's suffix (``.gz``, ``.bz2``, ``.xz``).

    gzip output holds no time stamp, so equal contents give equal files.

    Parameters
    ----------
    path : str or os.PathLike

    Yields
    ------
    binary file object
        Renamed into place when the block ends without an exception.
    """
    base, module = split_compression(Path(path).name)
    with atomic_file(path, "wb") as raw:
        if module is None:
            yield raw
            return
        if module is gzip:
            stream = gzip.GzipFile(filename=base, mode="wb", fileobj=raw, mtime=0, compresslevel=6)
        else:
            stream = module.open(raw, "wb")
        with stream:
            yield stream
