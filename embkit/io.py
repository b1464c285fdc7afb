"""Reading and writing word vectors.

Formats
-------
``"native"``
    A directory: ``vectors.npy`` (float32, (V, d)), optional ``context.npy``
    (float32, (V, d)), ``vocab.tsv`` (``word<TAB>count`` per row, in row
    order, UTF-8) and ``meta.json`` (format name and version, embkit version,
    creation time, and the model's metadata). Lossless; can be memory-mapped.
``"word2vec"``
    word2vec text: a header line ``count dim``, then ``token v1 ... vd`` per
    line. Headerless GloVe files (``token v1 ... vd`` on the first line) are
    recognised when reading. ``.gz``, ``.bz2`` and ``.xz`` files are
    (de)compressed on the fly.
``"word2vec-bin"``
    word2vec binary: a header line ``count dim``, then per row the token, a
    space, ``d`` little-endian float32 values and a newline (the newline is
    optional when reading).

Readers are strict: a header that disagrees with the body, a row with the
wrong number of values, a value that is not a number, a non-finite value or
a repeated token raises :class:`~embkit.exceptions.FormatError` naming the
file, the line (or row and byte offset) and what was expected and found.
Writers refuse tokens their format cannot give back and non-finite values,
and write atomically (a temporary file renamed into place).

>>> kv = load("vectors.vec")                        # doctest: +SKIP
>>> save(kv, "vectors.embkit")                      # doctest: +SKIP
"""
import bz2
import codecs
import contextlib
import datetime
import errno
import gzip
import itertools
import json
import logging
import os
import lzma
import math
import operator
import re
import tempfile
from pathlib import Path

import numpy as np

from ._atomic import atomic_dir, atomic_file
from ._version import __version__
from .exceptions import EmbkitError, FormatError
from .vectors import KeyedVectors

__all__ = ["load", "save", "detect_format", "format_from_name", "FORMATS",
           "NATIVE", "WORD2VEC", "WORD2VEC_BIN", "NATIVE_FORMAT_VERSION"]

logger = logging.getLogger(__name__)

NATIVE = "native"
WORD2VEC = "word2vec"
WORD2VEC_BIN = "word2vec-bin"
#: fastText's own ``.bin`` (a subword model). Recognised by its magic number so
#: it is never misread as word2vec binary; reading it is not implemented yet
#: (see ``_READERS``).
FASTTEXT_BIN = "fasttext-bin"

#: Formats :func:`load` and :func:`save` handle.
FORMATS = (NATIVE, WORD2VEC, WORD2VEC_BIN)

#: Version of the native directory layout written (and the newest one read).
NATIVE_FORMAT_VERSION = 1

_FASTTEXT_MAGIC = (793712314).to_bytes(4, "little")
_COMPRESSION = {".gz": gzip, ".bz2": bz2, ".xz": lzma}
_SUFFIX_FORMATS = {".embkit": NATIVE, "": NATIVE, ".vec": WORD2VEC, ".txt": WORD2VEC,
                   ".bin": WORD2VEC_BIN}
# meta.json keys that describe the file, not the vectors; not put in KeyedVectors.meta.
_META_FORMAT_KEYS = ("format", "format_version", "has_counts")

_WHITESPACE = b" \t\n\r\x0b\x0c"           # what bytes.split() splits on
_NUMBER = re.compile(rb"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|nan|inf|infinity)",
                     re.IGNORECASE)
_INTEGER = re.compile(rb"[+-]?\d+")
_READ_CHUNK = 1 << 20                      # bytes per read of a binary file
_MAX_TOKEN_BYTES = 1 << 20                 # a longer token means a broken file
_WRITE_ROWS = 512                          # rows formatted per write (keeps the writer's memory small)
_GROW_BYTES = 1 << 26                      # first allocation of a reader's matrix


# -- format names ------------------------------------------------------------

def _split_compression(name):
    """(name without a compression suffix, compression module or None)."""
    for suffix, module in _COMPRESSION.items():
        if name.lower().endswith(suffix):
            return name[: -len(suffix)], module
    return name, None


def format_from_name(path):
    """The format a file name stands for, from its extension alone.

    ``.embkit`` or no extension: native; ``.vec``/``.txt`` (optionally with
    ``.gz``/``.bz2``/``.xz``): word2vec text; ``.bin`` (optionally
    compressed): word2vec binary.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    str or None
        One of :data:`FORMATS`, or None when the name does not tell.
    """
    base, compression = _split_compression(Path(path).name)
    fmt = _SUFFIX_FORMATS.get(Path(base).suffix.lower())
    if fmt == NATIVE and compression is not None:
        return None
    return fmt


def detect_format(path):
    """The format of an existing (or to-be-read) ``path``.

    An existing directory is native. A ``.bin`` file starting with fastText's
    magic number is ``"fasttext-bin"``. A file whose name does not tell (or
    says native, which is a directory) is recognised from its first bytes.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    str
        One of :data:`FORMATS` or ``"fasttext-bin"``.

    Raises
    ------
    EmbkitError
        When the format cannot be told.
    """
    p = Path(path)
    if p.is_dir():
        return NATIVE
    fmt = format_from_name(p)
    if p.is_file():
        if fmt in (None, NATIVE, WORD2VEC_BIN):
            return _sniff(p, fmt)
        return fmt
    if fmt is None:
        raise EmbkitError(f"cannot tell the format of {str(path)!r} from its name; "
                          f"name the format ({', '.join(FORMATS)})")
    return fmt


def _sniff(path, by_name):
    """Format of an existing file from its first 64 KiB."""
    with _open_read(path) as f:
        head = f.read(1 << 16)
    if head[:4] == _FASTTEXT_MAGIC:
        return FASTTEXT_BIN
    if by_name == WORD2VEC_BIN:
        return WORD2VEC_BIN
    first, _, rest = head.partition(b"\n")
    if _parse_header(first) is not None:
        try:
            codecs.getincrementaldecoder("utf-8")().decode(rest, final=False)
            is_text = b"\0" not in rest
        except UnicodeDecodeError:
            is_text = False
        return WORD2VEC if is_text else WORD2VEC_BIN
    if len(first.split()) >= 2:
        return WORD2VEC        # headerless (GloVe) text
    raise EmbkitError(f"cannot tell the format of {str(path)!r}: it is neither word2vec text "
                      f"nor word2vec binary; name the format ({', '.join(FORMATS)})")


def _check_format(fmt):
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return fmt


def _check_limit(limit):
    if limit is None:
        return None
    if isinstance(limit, bool):
        raise ValueError(f"limit must be a non-negative integer, got {limit!r}")
    limit = operator.index(limit)
    if limit < 0:
        raise ValueError(f"limit must be a non-negative integer, got {limit!r}")
    return limit


# -- public entry points -----------------------------------------------------

def load(path, format=None, limit=None, mmap=None, *, unicode_errors="strict"):
    """Read word vectors.

    Parameters
    ----------
    path : str or os.PathLike
        A native model directory or a word2vec text/binary file (text files
        may be ``.gz``/``.bz2``/``.xz`` compressed).
    format : {"native", "word2vec", "word2vec-bin"}, optional
        Default: from the name (see :func:`format_from_name`); an existing
        directory is native and a file whose name does not tell is
        recognised from its content.
    limit : int, optional
        Read only the first ``limit`` rows and ignore the rest of the file.
        A warning is logged when the header declares more; a file that
        declares more but ends early is still fine as long as it holds
        ``limit`` rows.
    mmap : {None, "r", "r+", "c"}
        Memory-map the native format's ``.npy`` files with this mode
        (:func:`numpy.load`'s ``mmap_mode``); ignored by the other formats.
    unicode_errors : str
        How to decode tokens that are not valid UTF-8 (``"strict"`` raises;
        ``"replace"`` or ``"ignore"`` are the alternatives).

    Returns
    -------
    KeyedVectors
        Counts and the context matrix only come from the native format.
        ``meta`` holds the native ``meta.json`` minus the format fields.

    Raises
    ------
    FormatError
        When the file is malformed: the message names the file, the line
        (text; 1-based, the header is line 1) or row and byte offset
        (binary), what was expected and what was found.
    EmbkitError
        When the format cannot be told or is not supported (fastText
        ``.bin``).
    OSError
        When the file cannot be read.
    """
    limit = _check_limit(limit)
    if mmap not in (None, "r", "r+", "c"):
        raise ValueError(f"mmap must be None, 'r', 'r+' or 'c', got {mmap!r}")
    fmt = detect_format(path) if format is None else _check_format(format)
    reader = _READERS.get(fmt)
    if reader is None:
        raise EmbkitError(
            f"{path}: reading {fmt} files is not supported yet; load the .vec text file "
            f"fastText writes next to the .bin instead")
    try:
        return reader(path, limit=limit, mmap=mmap, unicode_errors=unicode_errors)
    except FormatError as exc:
        hint = _other_format_hint(path, fmt)
        if hint is None:
            raise
        raise FormatError(exc.path, exc.lineno, f"{exc.message}; {hint}") from None


def _other_format_hint(path, fmt):
    """A hint when a malformed file looks like the other word2vec format, else None."""
    try:
        with _open_read(path) as f:
            head = f.read(1 << 16)
    except (OSError, EOFError, lzma.LZMAError):
        return None
    try:
        head.decode("utf-8")
        text_like = b"\0" not in head
    except UnicodeDecodeError as exc:
        text_like = exc.start >= len(head) - 3 and b"\0" not in head   # only a character cut at the end
    # float32 rows hold NUL bytes (in 64 KiB of real vectors, always); text in another encoding does not
    if fmt == WORD2VEC and b"\0" in head:
        return ("the file holds binary data: if it is word2vec binary, name it .bin "
                "(or load it with format='word2vec-bin')")
    if fmt == WORD2VEC_BIN and text_like:
        return ("the file looks like text: if it is word2vec text, name it .vec or .txt "
                "(or load it with format='word2vec')")
    return None


def check_output(path, format=None, inputs=()):
    """Check, before any work, that vectors can be written to ``path``.

    Parameters
    ----------
    path : str or os.PathLike
        The output (see :func:`save`).
    format : {"native", "word2vec", "word2vec-bin"}, optional
        Explicit format; it must agree with the name's extension when that
        names a format (so that every file written can be read back by name).
    inputs : sequence of str, optional
        Files the job reads; writing over one of them is refused.

    Returns
    -------
    str
        The format that will be written.

    Raises
    ------
    EmbkitError
        Unknown format, a name that contradicts ``format``, an output that
        would replace an input, a file where a directory is needed (or the
        reverse), a directory that is not an embkit model, or a location
        that cannot be written.
    """
    p = Path(path)
    named = format_from_name(p)
    if format is None:
        format = named if named not in (None, NATIVE) or not p.is_dir() else NATIVE
        if format is None:
            raise EmbkitError(f"cannot tell the output format from the name {str(path)!r}; "
                              f"use .embkit (native), .vec/.txt (word2vec text) or .bin (word2vec binary), "
                              f"or name the format ({', '.join(FORMATS)})")
    format = _check_format(format)
    if named is not None and named != format and Path(_split_compression(p.name)[0]).suffix:
        raise EmbkitError(f"the name {str(path)!r} stands for {named} but the format asked for is {format}; "
                          f"choose a name that matches, so the file can be read back")
    if format != NATIVE:
        check_file_output(path, inputs, what=f"{format} vectors")
        return format
    check_output_not_input(p, inputs)
    if p.exists() and not p.is_dir():
        raise EmbkitError(f"cannot write a native model to {path}: it exists and is not a directory")
    if p.is_dir() and any(p.iterdir()) and not is_model_dir(p):
        raise EmbkitError(f"refusing to replace directory {path}: it is not an embkit model "
                          f"(no meta.json with format 'embkit')")
    check_writable_location(path)
    return format


def check_file_output(path, inputs=(), what="a file"):
    """Check, before any work, that a single file can be written to ``path``.

    Refused: an output that is one of ``inputs`` or inside one, a directory,
    a file inside an embkit model, a device/pipe/socket, and a location
    where no file can be created.

    Raises
    ------
    EmbkitError
    """
    check_output_not_input(path, inputs)
    if Path(path).is_dir():
        raise EmbkitError(f"cannot write {what} to {path}: it is a directory")
    check_not_inside_model(path)
    check_writable_location(path)


def check_output_not_input(path, inputs):
    """Raise EmbkitError when writing ``path`` would replace one of ``inputs``.

    Paths are compared after resolving links; ``"-"`` (standard input) is
    never a file.
    """
    target = os.path.realpath(path)
    for src in inputs:
        if src == "-" or not os.path.exists(src):
            continue
        real = os.path.realpath(src)
        if real == target or (os.path.isdir(real) and target.startswith(real.rstrip(os.sep) + os.sep)):
            raise EmbkitError(f"the output {str(path)!r} is also an input, or inside one; "
                              "choose another output name")


def check_not_inside_model(path):
    """Raise EmbkitError when the file ``path`` would be written inside an embkit model directory."""
    inside = Path(os.path.realpath(path)).parent
    if is_model_dir(inside):
        raise EmbkitError(f"refusing to write {path}: it is inside the embkit model {inside}, "
                          "which it would damage; choose another place")


def check_writable_location(path):
    """Raise EmbkitError unless a file can be created beside ``path``.

    The nearest existing parent directory gets a probe file (created and
    removed at once): permission bits alone do not tell, e.g. on read-only
    mounts or in ``/proc``.
    """
    if os.path.exists(path) and not os.path.isfile(path) and not os.path.isdir(path):
        raise EmbkitError(f"cannot write {path}: it is not a regular file (a device, pipe or socket), which "
                          "an atomic write would replace; write to a file")
    if os.path.abspath(path).startswith(("/dev/", "/proc/")):
        # /dev/stdout and friends lead to whatever a descriptor is open on: an atomic write would replace
        # that file (a redirect target, a log) instead of writing to the stream
        raise EmbkitError(f"cannot write {path}: outputs go to files, not to /dev or /proc "
                          "(`embkit vocab -o -` writes to standard output)")
    parent = Path(os.path.realpath(path)).parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise EmbkitError(f"cannot write {path}: {parent} is not a directory")
    try:
        fd, probe = tempfile.mkstemp(prefix=".embkit-probe.", dir=parent)
    except OSError as exc:
        raise EmbkitError(f"cannot write {path}: directory {parent} is not writable "
                          f"({exc.strerror or exc})") from None
    os.close(fd)
    os.unlink(probe)


def save(kv, path, format=None):
    """Write word vectors, atomically.

    Parameters
    ----------
    kv : KeyedVectors
    path : str or os.PathLike
        Target file (word2vec formats; ``.gz``/``.bz2``/``.xz`` compress)
        or directory (native; an existing embkit model directory is
        replaced, any other existing directory is refused).
    format : {"native", "word2vec", "word2vec-bin"}, optional
        Default: from the name (see :func:`format_from_name`); an existing
        directory is native.

    Raises
    ------
    EmbkitError
        When the format cannot be told from the name, a token cannot be
        stored in the format (the message names it; see Notes), a vector
        is not finite, or ``meta`` is not JSON-serialisable.
    OSError
        When the file cannot be written.

    Notes
    -----
    Tokens each format cannot give back, and therefore refuses:

    - word2vec text: empty tokens, leading or trailing spaces, tabs,
      newlines, carriage returns, vertical tabs, form feeds, two spaces in a
      row, and tokens whose words after the first are all numbers (such as
      ``"route 66"``: a reader would take it for a row with an extra value).
      Single inner spaces are fine (the reader takes the last ``dim``
      fields as the vector), though other word2vec readers may not accept
      them.
    - word2vec binary: empty tokens and any ASCII whitespace (the token ends
      at the first space).
    - native: tabs, newlines and carriage returns.

    Counts, the context matrix and ``meta`` are only kept by the native
    format. ``meta.json`` holds ``format``, ``format_version``,
    ``has_counts``, ``embkit_version`` and ``created`` (taken from ``meta``
    when there, as training puts them; else this embkit and now, ISO-8601
    UTC), then the rest of ``meta``.
    """
    if not isinstance(kv, KeyedVectors):
        raise TypeError(f"save() needs a KeyedVectors, got {type(kv).__name__}")
    format = check_output(path, format)
    _WRITERS[format](kv, path)


# -- shared helpers ----------------------------------------------------------

def _open_read(path):
    """Binary reading handle, decompressing by the name's suffix."""
    _, compression = _split_compression(Path(path).name)
    if compression is None:
        return open(path, "rb")
    return compression.open(path, "rb")


@contextlib.contextmanager
def _open_write(path):
    """Atomic binary writing handle, compressing by the name's suffix."""
    base, compression = _split_compression(Path(path).name)
    with atomic_file(path, "wb") as raw:
        if compression is None:
            yield raw
            return
        if compression is gzip:
            stream = gzip.GzipFile(filename=base, mode="wb", fileobj=raw, mtime=0,
                                   compresslevel=6)
        else:
            stream = compression.open(raw, "wb")
        with stream:
            yield stream


def _first_nonfinite_row(matrix):
    """Index of the first row of ``matrix`` holding NaN or inf, or None."""
    if math.isfinite(np.sum(matrix, dtype=np.float64)):   # finite exactly when every value is; no temporary
        return None
    for start in range(0, matrix.shape[0], 4096):
        ok = np.isfinite(matrix[start:start + 4096]).all(axis=1)
        if not ok.all():
            return start + int(np.argmin(ok))
    return None


def _nonfinite_value(row):
    """Text of the first non-finite value of ``row``: 'nan', 'inf' or '-inf'."""
    return repr(float(row[np.flatnonzero(~np.isfinite(row))[0]]))


def _check_writable_values(kv, path):
    for name, matrix in (("vectors", kv.vectors), ("context", kv.context)):
        if matrix is None:
            continue
        row = _first_nonfinite_row(matrix)
        if row is not None:
            raise EmbkitError(
                f"refusing to write {path}: the {name} row of {kv.index_to_key[row]!r} (row {row}) "
                f"has a non-finite value ({_nonfinite_value(matrix[row])})")


def _check_writable(kv, path, fmt, token_problem):
    """Refuse, before writing, a key ``fmt`` cannot hold (``token_problem(key)`` says why) or a non-finite value."""
    for row, key in enumerate(kv.index_to_key):
        why = token_problem(key)
        if why:
            _refuse_token(key, row, fmt, path, why)
    _check_writable_values(kv, path)


def _refuse_token(key, row, fmt, path, why):
    raise EmbkitError(f"cannot write token {key!r} (row {row}) to {path} in {fmt} format: {why}")


def _preview(data, width=40):
    """Short printable form of some bytes for an error message."""
    text = data[:width].decode("utf-8", errors="replace")
    return text + ("..." if len(data) > width else "")


def _parse_header(line):
    """(count, dim) if ``line`` is a ``count dim`` header, else None."""
    fields = line.split()
    if len(fields) == 2 and all(_INTEGER.fullmatch(f) for f in fields):
        return int(fields[0]), int(fields[1])
    return None


def _check_header(path, count, dim):
    if count < 0 or dim < 1:
        raise FormatError(path, 1, f"header declares {count} vectors of dimension {dim}; "
                                   f"expected a count >= 0 and a dimension >= 1")


def _decode_token(raw, path, lineno, where, unicode_errors):
    try:
        return raw.decode("utf-8", errors=unicode_errors)
    except UnicodeDecodeError as exc:
        raise FormatError(path, lineno,
                          f"{where}token {_preview(raw)!r} is not valid UTF-8 ({exc.reason} at "
                          f"byte {exc.start} of the token); to read it anyway, replace the bad bytes "
                          f"(--unicode-errors replace; unicode_errors='replace' in Python)") from None


class _Rows:
    """A float32 matrix filled row by row, grown as needed up to ``cap`` rows."""

    def __init__(self, dim, cap):
        first = max(1, _GROW_BYTES // (4 * dim))
        self.cap = cap
        self.data = np.empty((first if cap is None else min(cap, first), dim), dtype=np.float32)
        self.n = 0

    def next_row(self):
        """The next free row (a view to fill)."""
        if self.n == self.data.shape[0]:
            size = max(1, 2 * self.n)
            if self.cap is not None and self.n < self.cap:
                size = min(size, self.cap)
            bigger = np.empty((size, self.data.shape[1]), dtype=np.float32)
            bigger[:self.n] = self.data
            self.data = bigger
        self.n += 1
        return self.data[self.n - 1]

    def matrix(self):
        if self.n == self.data.shape[0]:
            return self.data
        return self.data[:self.n].copy()


def _finish(path, keys, rows, where):
    """KeyedVectors of the rows read; ``where(i)`` -> (lineno, prefix) of row i."""
    matrix = rows.matrix()
    bad = _first_nonfinite_row(matrix)
    if bad is not None:
        lineno, prefix = where(bad)
        raise FormatError(path, lineno, f"{prefix}token {keys[bad]!r} has a non-finite value "
                                        f"({_nonfinite_value(matrix[bad])})")
    return KeyedVectors(keys, matrix)


def _warn_limit(path, declared, limit):
    logger.warning("%s: the file declares %d vectors; read only the first %d (limit=%d)",
                   path, declared, limit, limit)


# -- word2vec text -----------------------------------------------------------

def _split_row(fields, dim, path, lineno, unicode_errors):
    """(token, value fields) of one row; the last ``dim`` fields are the values."""
    n_values = len(fields) - 1
    # More fields than dim + 1 mean a token with spaces, unless every extra
    # field is a number: then it is a row with too many values.
    if n_values == dim or (n_values > dim and not all(_NUMBER.fullmatch(f)
                                                      for f in fields[1:-dim])):
        token = _decode_token(b" ".join(fields[:-dim]), path, lineno, "", unicode_errors)
        return token, fields[-dim:]
    token = _decode_token(fields[0], path, lineno, "", unicode_errors)
    raise FormatError(path, lineno, f"token {token!r}: expected {dim} values, found {n_values}")


def _bad_value(values, token, path, lineno):
    for f in values:
        try:
            float(f)
        except ValueError:
            raise FormatError(path, lineno, f"token {token!r}: value {_preview(f)!r} is not a "
                                            f"number") from None
    raise FormatError(path, lineno, f"token {token!r}: the values are not numbers")


def _read_word2vec_text(path, limit=None, mmap=None, unicode_errors="strict"):
    with _open_read(path) as f:
        first = f.readline()
        if first.startswith(codecs.BOM_UTF8):
            first = first[len(codecs.BOM_UTF8):]
        if not first.strip():
            found = "an empty line" if first else "nothing"
            raise FormatError(path, 1, f"expected a header 'count dim' or a first row "
                                       f"'token value ...', found {found}")
        header = _parse_header(first)
        if header is not None:
            declared, dim = header
            _check_header(path, declared, dim)
            target = declared if limit is None else min(declared, limit)
            keys, linenos, rows = _read_text_rows(f, 2, dim, target, declared, limit, path,
                                                  unicode_errors)
        else:                               # GloVe: no header, dim from the first row
            first_fields = first.split()
            declared, dim = None, len(first_fields) - 1
            if dim < 1:
                raise FormatError(path, 1, f"expected a header 'count dim' or a row 'token "
                                           f"value ...', found {_preview(first.strip())!r}")
            second = f.readline()
            if (all(_INTEGER.fullmatch(x) for x in first_fields) and second.split()
                    and len(second.split()) != len(first_fields)):
                # integers only, and not the shape of the next row: a malformed header, not a GloVe row
                raise FormatError(path, 1, f"expected a header 'count dim' (two integers), found "
                                           f"{len(first_fields)} fields: {_preview(first.strip())!r}")
            keys, linenos, rows = _read_text_rows(itertools.chain([first, second], f), 1, dim, limit,
                                                  None, limit, path, unicode_errors)
    if declared is not None and len(keys) < target:
        raise FormatError(path, None, f"header declares {declared} vectors but the file has "
                                      f"{len(keys)}")
    if declared is not None and limit is not None and limit < declared:
        _warn_limit(path, declared, limit)
    return _finish(path, keys, rows, lambda i: (linenos[i], ""))


def _read_text_rows(lines, lineno, dim, target, declared, limit, path, unicode_errors):
    """(keys, line numbers, _Rows) of the rows in ``lines`` (the first is ``lineno``).

    Stops after ``target`` rows (None: at the end). When that is the count
    the header declared (not a smaller ``limit``), a further row is an error.
    """
    keys, index, linenos = [], {}, []
    rows = _Rows(dim, target)
    strict_end = declared is not None and (limit is None or limit > declared)
    with np.errstate(over="ignore"):        # 1e39 becomes inf, reported below
        for lineno, raw in enumerate(lines, lineno):
            fields = raw.split()
            if not fields:
                continue
            if len(keys) == target:
                if not strict_end:
                    break
                extra = _decode_token(fields[0], path, lineno, "", "replace")
                raise FormatError(path, lineno, f"rows continue after the {declared} declared "
                                                f"in the header (first extra row: {extra!r})")
            token, values = _split_row(fields, dim, path, lineno, unicode_errors)
            if token in index:
                raise FormatError(path, lineno, f"token {token!r} appears twice (first on line "
                                                f"{linenos[index[token]]})")
            try:
                rows.next_row()[:] = values
            except ValueError:
                _bad_value(values, token, path, lineno)
            index[token] = len(keys)
            keys.append(token)
            linenos.append(lineno)
    return keys, linenos, rows


def _text_token_problem(key):
    if not key:
        return "it is empty"
    if key[0] == " " or key[-1] == " ":
        return "it starts or ends with a space"
    for ch, name in (("\t", "a tab"), ("\n", "a newline"), ("\r", "a carriage return"),
                     ("\x0b", "a vertical tab"), ("\x0c", "a form feed")):
        if ch in key:
            return f"it contains {name}"
    if "  " in key:
        return "it contains two spaces in a row"
    if " " in key and all(_NUMBER.fullmatch(w) for w in key.encode("utf-8").split(b" ")[1:]):
        return "the words after its first are numbers, which a reader takes for extra values"
    return None


def _write_word2vec_text(kv, path):
    keys = kv.index_to_key
    _check_writable(kv, path, WORD2VEC, _text_token_problem)
    template = " ".join(["%.9g"] * kv.dim)     # 9 digits give every float32 back exactly
    with _open_write(path) as f:
        f.write(f"{len(keys)} {kv.dim}\n".encode("ascii"))
        for start in range(0, len(keys), _WRITE_ROWS):
            block = np.asarray(kv.vectors[start:start + _WRITE_ROWS], dtype=np.float64).tolist()
            text = "".join(f"{key} {template % tuple(values)}\n"
                           for key, values in zip(keys[start:start + _WRITE_ROWS], block))
            f.write(text.encode("utf-8"))


# -- word2vec binary ---------------------------------------------------------

class _ByteStream:
    """Buffered reading of a binary stream, tracking the byte offset."""

    def __init__(self, f, offset):
        self.f = f
        self.buf = b""
        self.pos = 0
        self.base = offset                  # stream offset of buf[0]

    @property
    def offset(self):
        return self.base + self.pos

    def _fill(self):
        chunk = self.f.read(_READ_CHUNK)
        if not chunk:
            return False
        self.base += self.pos
        self.buf = self.buf[self.pos:] + chunk
        self.pos = 0
        return True

    def skip_whitespace(self):
        """Skip ASCII whitespace; False at the end of the stream."""
        while True:
            buf, pos = self.buf, self.pos
            while pos < len(buf) and buf[pos] in _WHITESPACE:
                pos += 1
            self.pos = pos
            if pos < len(buf):
                return True
            if not self._fill():
                return False

    def read_token(self, max_bytes=_MAX_TOKEN_BYTES):
        """Bytes up to the next space (consumed); None if the stream ends first."""
        searched = self.pos
        while True:
            i = self.buf.find(b" ", searched)
            if i >= 0:
                token = self.buf[self.pos:i]
                self.pos = i + 1
                return token
            if len(self.buf) - self.pos > max_bytes:
                return None
            searched = len(self.buf) - self.pos
            if not self._fill():
                return None
            searched += self.pos

    def read(self, n):
        """Up to ``n`` bytes (fewer only at the end of the stream)."""
        while len(self.buf) - self.pos < n and self._fill():
            pass
        data = self.buf[self.pos:self.pos + n]
        self.pos += len(data)
        return data

    def peek(self, n):
        while len(self.buf) - self.pos < n and self._fill():
            pass
        return self.buf[self.pos:self.pos + n]


def _read_word2vec_binary(path, limit=None, mmap=None, unicode_errors="strict"):
    with _open_read(path) as f:
        first = f.readline(1024)
        header = _parse_header(first) if first.endswith(b"\n") else None
        if header is None:
            raise FormatError(path, 1, f"expected a header line 'count dim', found "
                                       f"{_preview(first.strip())!r}")
        declared, dim = header
        _check_header(path, declared, dim)
        target = declared if limit is None else min(declared, limit)
        stream = _ByteStream(f, len(first))
        n_bytes = 4 * dim
        keys, index, offsets = [], {}, []
        rows = _Rows(dim, target)
        for row in range(1, target + 1):
            if not stream.skip_whitespace():
                raise FormatError(path, None, f"header declares {declared} vectors but the file "
                                              f"has {row - 1}")
            offset = stream.offset
            where = f"row {row} (byte {offset}): "
            raw = stream.read_token()
            if raw is None:
                raise FormatError(path, None, f"{where}expected a token followed by a space, "
                                              f"found {_preview(stream.peek(40))!r} and no space")
            token = _decode_token(raw, path, None, where, unicode_errors)
            data = stream.read(n_bytes)
            if len(data) < n_bytes:
                raise FormatError(path, None, f"{where}token {token!r} is followed by "
                                              f"{len(data)} of the {n_bytes} bytes of its "
                                              f"{dim} values (file truncated?)")
            if token in index:
                raise FormatError(path, None, f"{where}token {token!r} appears twice (first in "
                                              f"row {index[token] + 1})")
            rows.next_row()[:] = np.frombuffer(data, dtype="<f4")
            index[token] = len(keys)
            keys.append(token)
            offsets.append(offset)
        if limit is None or limit > declared:
            if stream.skip_whitespace():
                extra = stream.peek(40).split(b" ")[0]
                raise FormatError(path, None, f"data continues after the {declared} vectors "
                                              f"declared in the header (byte {stream.offset}, "
                                              f"first extra token: {_preview(extra)!r})")
        elif limit < declared:
            _warn_limit(path, declared, limit)
    return _finish(path, keys, rows, lambda i: (None, f"row {i + 1} (byte {offsets[i]}): "))


def _binary_token_problem(key):
    if not key:
        return "it is empty"
    for ch, name in ((" ", "a space"), ("\t", "a tab"), ("\n", "a newline"),
                     ("\r", "a carriage return"), ("\x0b", "a vertical tab"),
                     ("\x0c", "a form feed")):
        if ch in key:
            return (f"it contains {name}, and the word2vec binary format ends a token at the "
                    f"first space (and skips whitespace before a token)")
    return None


def _write_word2vec_binary(kv, path):
    keys = kv.index_to_key
    _check_writable(kv, path, WORD2VEC_BIN, _binary_token_problem)
    with _open_write(path) as f:
        f.write(f"{len(keys)} {kv.dim}\n".encode("ascii"))
        for start in range(0, len(keys), _WRITE_ROWS):
            block = np.ascontiguousarray(kv.vectors[start:start + _WRITE_ROWS], dtype="<f4")
            f.write(b"".join(key.encode("utf-8") + b" " + values.tobytes() + b"\n"
                             for key, values in zip(keys[start:start + _WRITE_ROWS], block)))


# -- native ------------------------------------------------------------------

def _load_matrix(path, mmap):
    try:
        matrix = np.load(path, mmap_mode=mmap, allow_pickle=False)
    except (ValueError, EOFError) as exc:
        raise FormatError(path, None, f"not a readable .npy array ({exc})") from None
    if matrix.ndim != 2 or matrix.dtype != np.float32:
        raise FormatError(path, None, f"expected a 2-D float32 array, found {matrix.ndim}-D "
                                      f"{matrix.dtype}")
    return matrix


def _read_vocab(path):
    """(keys, counts or None) of a vocab.tsv."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(path, data.count(b"\n", 0, exc.start) + 1,
                          f"not valid UTF-8 ({exc.reason})") from None
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    else:
        raise FormatError(path, len(lines), "the last line does not end with a newline "
                                            "(file truncated?)")
    keys, index, counts, missing = [], {}, [], 0
    for lineno, line in enumerate(lines, 1):
        parts = line.split("\t")
        if len(parts) != 2:
            raise FormatError(path, lineno, f"expected 'word<TAB>count', found {line[:60]!r}")
        key, count = parts[0], parts[1].rstrip("\r")
        if key in index:
            raise FormatError(path, lineno, f"word {key!r} appears twice (first on line "
                                            f"{index[key] + 1})")
        if count == "":
            missing += 1
            count = 0
        elif count.isascii() and count.isdigit():
            count = int(count)
        else:
            raise FormatError(path, lineno, f"word {key!r}: count {count!r} is not a "
                                            f"non-negative integer")
        index[key] = len(keys)
        keys.append(key)
        counts.append(count)
    if missing and missing != len(keys):
        first = next(i for i, line in enumerate(lines, 1) if line.endswith("\t"))
        raise FormatError(path, first, "count is empty here but given on other lines")
    return keys, (None if missing else np.asarray(counts, dtype=np.int64))


def _read_native(path, limit=None, mmap=None, unicode_errors="strict"):
    d = Path(path)
    if not d.is_dir():
        if d.exists():
            raise FormatError(path, None, "a native embkit model is a directory, this is a file")
        raise FileNotFoundError(errno.ENOENT, "no such model directory", str(path))
    meta_path = d / "meta.json"
    if not meta_path.is_file():
        raise FormatError(path, None, "not an embkit model: meta.json is missing")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise FormatError(meta_path, exc.lineno, f"not valid JSON ({exc.msg})") from None
    except UnicodeDecodeError as exc:
        raise FormatError(meta_path, None, f"not valid UTF-8 ({exc.reason})") from None
    if not isinstance(meta, dict):
        raise FormatError(meta_path, None, "expected a JSON object")
    if meta.get("format") != "embkit":
        raise FormatError(meta_path, None, f"format is {meta.get('format')!r}, expected 'embkit'")
    version = meta.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise FormatError(meta_path, None, f"format_version {version!r} is not a positive integer")
    if version > NATIVE_FORMAT_VERSION:
        raise FormatError(meta_path, None,
                          f"format_version {version} (written by embkit "
                          f"{meta.get('embkit_version', '?')}) is newer than this embkit "
                          f"{__version__} reads (up to {NATIVE_FORMAT_VERSION}); upgrade embkit")
    vectors = _load_matrix(d / "vectors.npy", mmap)
    keys, counts = _read_vocab(d / "vocab.tsv")
    if len(keys) != vectors.shape[0]:
        raise FormatError(path, None, f"vectors.npy has {vectors.shape[0]} rows but vocab.tsv "
                                      f"has {len(keys)} words")
    context = None
    if (d / "context.npy").exists():
        context = _load_matrix(d / "context.npy", mmap)
        if context.shape != vectors.shape:
            raise FormatError(path, None, f"context.npy has shape {context.shape} but "
                                          f"vectors.npy has {vectors.shape}")
    if meta.get("has_counts", True) is False:
        counts = None
    if limit is not None and limit < len(keys):
        _warn_limit(path, len(keys), limit)
        keys, vectors = keys[:limit], vectors[:limit]
        counts = None if counts is None else counts[:limit]
        context = None if context is None else context[:limit]
    for name, matrix in (("vectors.npy", vectors), ("context.npy", context)):
        bad = None if matrix is None else _first_nonfinite_row(matrix)
        if bad is not None:
            raise FormatError(d / name, None, f"row {bad} ({keys[bad]!r}) has a non-finite value "
                                              f"({_nonfinite_value(matrix[bad])})")
    kv_meta = {k: v for k, v in meta.items() if k not in _META_FORMAT_KEYS}
    return KeyedVectors(keys, vectors, counts=counts, context=context, meta=kv_meta)


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"a value of type {type(value).__name__} cannot be stored in JSON")


def _native_meta_json(kv):
    now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    meta = {
        "format": "embkit",
        "format_version": NATIVE_FORMAT_VERSION,
        "embkit_version": kv.meta.get("embkit_version") or __version__,
        "created": kv.meta.get("created") or now,
        "has_counts": kv.counts is not None,
    }
    meta.update((k, v) for k, v in kv.meta.items() if k not in meta)
    try:
        return json.dumps(meta, indent=2, ensure_ascii=False, allow_nan=False,
                          default=_json_default) + "\n"
    except (TypeError, ValueError) as exc:
        raise EmbkitError(f"cannot write meta.json: {exc}") from None


def is_model_dir(path):
    """True when ``path`` is a directory holding an embkit model (meta.json with format "embkit")."""
    try:
        with open(Path(path) / "meta.json", encoding="utf-8") as f:
            return json.load(f).get("format") == "embkit"
    except (OSError, ValueError, AttributeError):
        return False


def _native_token_problem(key):
    if "\t" in key or "\n" in key or "\r" in key:
        return "vocab.tsv cannot hold a tab, newline or carriage return"
    return None


def _write_native(kv, path):
    d = Path(path)  # check_output (called by save) has refused files and foreign directories
    _check_writable(kv, path, NATIVE, _native_token_problem)
    meta_json = _native_meta_json(kv)
    counts = kv.counts if kv.counts is not None else np.zeros(len(kv), dtype=np.int64)
    with atomic_dir(d) as tmp:
        np.save(tmp / "vectors.npy", np.asarray(kv.vectors, dtype=np.float32))
        if kv.context is not None:
            np.save(tmp / "context.npy", np.asarray(kv.context, dtype=np.float32))
        with open(tmp / "vocab.tsv", "w", encoding="utf-8", newline="\n") as f:
            f.write("".join(f"{key}\t{count}\n"
                            for key, count in zip(kv.index_to_key, counts.tolist())))
        with open(tmp / "meta.json", "w", encoding="utf-8", newline="\n") as f:
            f.write(meta_json)


# Readers and writers by format name. A fastText .bin reader, once written,
# goes here under FASTTEXT_BIN; until then load() refuses those files clearly.
_READERS = {
    NATIVE: _read_native,
    WORD2VEC: _read_word2vec_text,
    WORD2VEC_BIN: _read_word2vec_binary,
    FASTTEXT_BIN: None,
}
_WRITERS = {
    NATIVE: _write_native,
    WORD2VEC: _write_word2vec_text,
    WORD2VEC_BIN: _write_word2vec_binary,
}
