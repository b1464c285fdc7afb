"""Compressed files: the compression told by a name's suffix or by the data's magic number, and opened.

Shared by the vector formats (which go by the name alone, for reading and
writing) and the corpus reader (which also recognises compressed data
without such a name, standard input included).
"""
import bz2
import contextlib
import functools
import gzip
import io
import lzma
import os
import re
import time
import zlib
from pathlib import Path

from .._atomic import atomic_file
from ..exceptions import FormatError, file_error

__all__ = ["text_lines", "reports_damage", "text_output",
           "COMPRESSIONS", "DECOMPRESS_ERRORS", "MAGIC_BYTES", "CHECK_SECONDS", "split_compression",
           "compression_from_magic", "compression_name", "magic_agrees", "decompress_error", "check_integrity",
           "compression_hint", "open_read", "open_sniffed", "open_write"]

#: Compression modules by name suffix (matched case-insensitively); files with these
#: suffixes are read and written compressed.
COMPRESSIONS = {".gz": gzip, ".bz2": bz2, ".xz": lzma}

# Suffixes only read: lzma.open reads the legacy .lzma container but writes .xz data.
_READ_ONLY = {".lzma": lzma}

#: What a damaged or truncated compressed stream raises while it is read (gzip: EOFError,
#: BadGzipFile, zlib.error; bz2: EOFError, OSError; xz: EOFError, LZMAError). An OSError with an
#: ``errno`` is a real I/O error rather than damaged data.
DECOMPRESS_ERRORS = (OSError, EOFError, lzma.LZMAError, zlib.error)

_NAMES = {gzip: "gzip", bz2: "bzip2", lzma: "xz"}
_SUFFIXES = {gzip: ".gz", bz2: ".bz2", lzma: ".xz"}

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


def compression_name(module):
    """The name of a compression module (``"gzip"``, ``"bzip2"``, ``"xz"``) and the suffix that stands for it.

    Parameters
    ----------
    module : module
        :mod:`gzip`, :mod:`bz2` or :mod:`lzma`.

    Returns
    -------
    name : str
    suffix : str
        ``".gz"``, ``".bz2"`` or ``".xz"``.
    """
    return _NAMES.get(module, "compressed"), _SUFFIXES.get(module, "")


def magic_agrees(head, module):
    """True unless the bytes ``head`` show data that is not compressed with ``module``.

    A ``head`` shorter than the magic number agrees when it is the start of
    it (a file truncated inside its header is still that compression).

    Parameters
    ----------
    head : bytes
        The first bytes of the file (:data:`MAGIC_BYTES` or fewer).
    module : module
        :mod:`gzip`, :mod:`bz2` or :mod:`lzma`.

    Returns
    -------
    bool
    """
    if module is gzip:
        magics = (b"\x1f\x8b",)
    elif module is lzma:
        magics = (b"\xfd7zXZ\x00", b"\x5d\0\0")          # xz, and the legacy .lzma container
    elif module is bz2:
        return head[:3] == b"BZh"[:len(head)] and (len(head) < 4 or head[3:4] in b"123456789")
    else:
        return True
    return any(head[:len(magic)] == magic[:len(head)] for magic in magics)


def decompress_error(exc, path, module):
    """The FormatError naming ``path`` that stands for ``exc``, raised while decompressing it with ``module``.

    Parameters
    ----------
    exc : Exception
        One of :data:`DECOMPRESS_ERRORS`.
    path : str or os.PathLike
        The compressed file.
    module : module
        :mod:`gzip`, :mod:`bz2` or :mod:`lzma`.

    Returns
    -------
    FormatError or OSError
        ``exc`` itself when it is a real I/O error (an OSError with an ``errno``).
    """
    if isinstance(exc, OSError) and exc.errno is not None:
        return exc
    error = _damage_error(exc, path, module)
    error.damage = True          # reports_damage leaves it as it is
    return error


def _damage_error(exc, path, module):
    name, _ = compression_name(module)
    try:
        with open(path, "rb") as f:
            head = f.read(MAGIC_BYTES)
    except OSError:
        head = None
    if head is not None and not magic_agrees(head, module):
        found = compression_from_magic(head)
        what = f"{_NAMES[found]} data" if found is not None else f"data starting {head[:8]!r}"
        return FormatError(path, None, f"cannot decompress: the name says {name} but the file holds {what}; "
                                       f"rename it to match its content")
    if isinstance(exc, EOFError) or (module is bz2 and "end-of-stream" in str(exc)):
        return FormatError(path, None, f"cannot decompress: the {name} data ends early (file truncated?)")
    detail = str(exc) or type(exc).__name__
    if module is bz2 and detail == "Invalid data stream":
        detail = "CRC check failed or invalid data"
    return FormatError(path, None, f"cannot decompress: damaged {name} data ({detail})")


#: Seconds :func:`check_integrity` spends at most decompressing a file.
CHECK_SECONDS = 20.0


def check_integrity(path, seconds=None):
    """The FormatError saying how the compressed file ``path`` is damaged or truncated, or None.

    The whole stream is decompressed (to nowhere) so that its checksums and
    its end are checked; readers call this when they find malformed data in
    a compressed file, so the damage rather than its symptom is reported.

    Parameters
    ----------
    path : str or os.PathLike
        A file named with a compression suffix (others are not checked).
    seconds : float, optional
        Give up (and return None) after this long; default :data:`CHECK_SECONDS`.

    Returns
    -------
    FormatError or None
        None when the stream is intact, the name has no compression suffix,
        the file cannot be read, or the time ran out.
    """
    _, module = split_compression(Path(path).name, reading=True)
    if module is None:
        return None
    deadline = time.monotonic() + (CHECK_SECONDS if seconds is None else seconds)
    try:
        with module.open(path, "rb") as f:
            while time.monotonic() <= deadline:
                if not f.read(1 << 18):
                    return None
            return None
    except DECOMPRESS_ERRORS as exc:
        found = decompress_error(exc, path, module)
        return found if isinstance(found, FormatError) else None
    return None


def compression_hint(head, path):
    """A hint for data that is not valid text or vectors but starts with a compression's magic number, else None.

    Parameters
    ----------
    head : bytes
        The first bytes of the file as read (not decompressed).
    path : str or os.PathLike
        The file, whose name the hint extends with the right suffix.

    Returns
    -------
    str or None
    """
    module = compression_from_magic(head[:MAGIC_BYTES])
    if module is None:
        return None
    name, suffix = compression_name(module)
    return f"the data is {name}-compressed: name it {Path(path).name}{suffix}"


class _CheckedStream:
    """A decompressing binary stream whose damaged-data errors are FormatErrors naming the file."""

    def __init__(self, stream, path, module):
        self._stream = stream
        self._path = path
        self._module = module

    def _fail(self, exc):
        return decompress_error(exc, self._path, self._module)

    def read(self, size=-1):
        try:
            return self._stream.read(size)
        except DECOMPRESS_ERRORS as exc:
            raise self._fail(exc) from None

    def readline(self, size=-1):
        try:
            return self._stream.readline(size)
        except DECOMPRESS_ERRORS as exc:
            raise self._fail(exc) from None

    def peek(self, size=0):
        try:
            return self._stream.peek(size)
        except DECOMPRESS_ERRORS as exc:
            raise self._fail(exc) from None

    def __iter__(self):
        try:
            yield from self._stream
        except DECOMPRESS_ERRORS as exc:
            raise self._fail(exc) from None

    def close(self):
        self._stream.close()

    @property
    def closed(self):
        return self._stream.closed

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def open_read(path):
    """Open a file for reading bytes, decompressing by the name's suffix (``.gz``, ``.bz2``, ``.xz``).

    Reading damaged or truncated compressed data, or data that is not
    compressed the way the name says, raises a FormatError naming the file.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    binary file object

    Raises
    ------
    FileAccessError
        (an OSError) when the file cannot be opened: MissingFileError, FilePermissionError, ...
    """
    _, module = split_compression(Path(path).name)
    try:
        if module is None:
            return open(path, "rb")
        return _CheckedStream(module.open(path, "rb"), path, module)
    except OSError as exc:
        raise file_error(exc, path) from None


def open_sniffed(source, checked=False):
    """Open bytes for reading, decompressed by the name's suffix or, without one, by the magic number.

    Each input is opened once and only peeked at, so pipes (``<(...)``, FIFOs)
    and standard input lose nothing.

    Parameters
    ----------
    source : str, os.PathLike or binary file object
        A path (``.lzma`` counts as compressed too), or an open stream such
        as ``sys.stdin.buffer``, which the caller keeps owning.
    checked : bool
        Turn damaged or truncated compressed data of a path into a
        FormatError naming it (as :func:`open_read`), for readers that do not
        report it their own way.

    Returns
    -------
    stream : binary file object
        The (decompressed) bytes.
    to_close : list of file objects
        What the caller closes when done (the stream and the file under it).

    Raises
    ------
    FileAccessError
        (an OSError) when the file cannot be opened: MissingFileError, FilePermissionError, ...
    """
    if isinstance(source, (str, os.PathLike)):
        _, module = split_compression(Path(source).name, reading=True)
        try:
            if module is not None:
                stream = module.open(source, "rb")
                return (_CheckedStream(stream, source, module) if checked else stream), [stream]
            raw = open(source, "rb")
        except OSError as exc:
            raise file_error(exc, source) from None
        owned = [raw]
    else:
        raw, owned = source, []
    module = compression_from_magic(raw.peek(MAGIC_BYTES)[:MAGIC_BYTES]) if hasattr(raw, "peek") else None
    if module is None:
        return raw, owned
    stream = module.open(raw, "rb")          # closing it leaves ``raw`` open: close both
    if checked and isinstance(source, (str, os.PathLike)):
        return _CheckedStream(stream, source, module), [stream] + owned
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


def text_lines(path):
    """(lineno, line without its end) of a UTF-8 text file, plain or compressed (as :func:`open_sniffed`).

    CRLF, LF and a lone CR end a line; a byte-order mark opening the file is
    dropped. For the small text inputs (term lists, phrases, data sets) that
    are read whole; their readers are decorated with :func:`reports_damage`,
    so a symptom of damaged compressed data is reported as the damage.

    Raises
    ------
    FormatError
        Text that is not UTF-8 (naming the line and the byte offset in the
        text), or damaged or truncated compressed data met while reading.
    FileAccessError
        When the file cannot be opened.
    """
    stream, to_close = open_sniffed(path, checked=True)
    try:
        offset = lineno = 0
        for raw in stream:
            # CRLF, LF and a lone CR end a line (universal newlines)
            pieces = raw.rstrip(b"\r\n").split(b"\r") if b"\r" in raw else (raw.rstrip(b"\n"),)
            for piece in pieces:
                lineno += 1
                try:
                    line = piece.decode("utf-8")
                except UnicodeDecodeError as exc:       # on damaged compressed data, see reports_damage
                    raise FormatError(path, lineno, f"not UTF-8 text ({exc.reason} at byte offset "
                                                    f"{offset + exc.start}, 0x{piece[exc.start]:02x})") from None
                if lineno == 1 and line.startswith("\ufeff"):
                    line = line[1:]
                offset += len(piece) + 1
                yield lineno, line
            offset += len(raw) - sum(len(p) + 1 for p in pieces)
    finally:
        for handle in to_close:
            handle.close()


def reports_damage(reader):
    """Decorate a reader of ``reader(path, ...)``: a FormatError it raises on a damaged compressed file becomes
    the damage (:func:`check_integrity`), not the symptom (a garbled line) the reader met first."""
    @functools.wraps(reader)
    def read(path, *args, **kwargs):
        try:
            return reader(path, *args, **kwargs)
        except FormatError as exc:
            if getattr(exc, "damage", False):         # already the damage (a checked stream met it)
                raise
            damage = check_integrity(path) if isinstance(path, (str, os.PathLike)) else None
            if damage is not None:
                raise damage from None
            raise
    return read


@contextlib.contextmanager
def text_output(path, inputs=(), what="a file"):
    """:func:`embkit._outputs.output_file` for text, compressed as the name says (``vocab.tsv.gz``).

    Parameters
    ----------
    path : str or os.PathLike
    inputs : sequence of str or os.PathLike, optional
        Files the job reads, which the output may not replace.
    what : str
        What is written, for the messages.

    Yields
    ------
    text file object
        UTF-8 with ``\\n`` line ends; renamed into place (compressed by a
        ``.gz``, ``.bz2`` or ``.xz`` suffix) when the block ends without an
        exception.
    """
    from .._outputs import check_file_output

    check_file_output(path, inputs, what=what)
    with open_write(path) as stream:                   # plain, or compressed by the suffix
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="\n")
        yield text
        text.flush()
        text.detach()
