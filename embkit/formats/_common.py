"""What the format modules share: the VectorData they exchange, writers' checks and word2vec readers' helpers.

:class:`VectorData` is what readers return and writers take; the writers'
key and value checks and the word2vec readers' header, token and row
helpers live here too.
"""
import dataclasses
import logging
import math
import os
import re
import stat
from pathlib import Path

import numpy as np

from .._memory import check_budget
from ..exceptions import FormatError, InvalidDataError, MemoryBudgetError, show_path
from ._sniff import split_compression

__all__ = ["VectorData", "SubwordData", "MAX_DIM", "MAX_COUNT", "BOM", "BOM_PROBLEM", "check_writable",
           "first_nonfinite_row", "nonfinite_value", "preview", "parse_header", "is_integer", "data_size",
           "check_header", "decode_token", "Rows", "finish", "warn_limit"]

logger = logging.getLogger(__name__)

#: The largest dimension read or written (a row of it is 8 GiB of float32).
MAX_DIM = 2**31 - 1
#: The largest count of vectors a header may declare.
MAX_COUNT = 2**63 - 1
#: U+FEFF, the byte-order mark: never part of a token; readers drop it wherever it stands.
BOM = "\ufeff"
#: Why a writer refuses a key holding U+FEFF.
BOM_PROBLEM = "it contains U+FEFF (a byte-order mark), which readers drop"

_INTEGER = re.compile(rb"[+-]?\d+")
_HUGE = 10**19                             # stands for any header number of more digits
_FIRST_BYTES = 1 << 20                     # first allocation of a matrix whose final size is not known


@dataclasses.dataclass
class VectorData:
    """Vectors as the format readers return them and the writers take them.

    Parameters
    ----------
    keys : list of str
        The words, in row order.
    vectors : numpy.ndarray, shape (n_words, dim)
        float32 (readers return float32, possibly a :class:`numpy.memmap`).
    counts : numpy.ndarray of int64, shape (n_words,), optional
        Corpus counts (native format only).
    context : numpy.ndarray, shape (n_words, dim), optional
        The model's output matrix (native format only).
    meta : dict
        Metadata (native format only); without the fields that describe the file.
    subword : SubwordData, optional
        The n-gram part of a subword (fastText) model; ``vectors`` then hold
        the composed word vectors.
    """

    keys: list
    vectors: np.ndarray
    counts: np.ndarray = None
    context: np.ndarray = None
    meta: dict = dataclasses.field(default_factory=dict)
    subword: "SubwordData" = None

    @classmethod
    def of(cls, kv):
        """The data of ``kv``: any object with ``index_to_key``, ``vectors``, ``counts``, ``context``, ``meta``.

        Parameters
        ----------
        kv : KeyedVectors or VectorData
            Shared, not copied.

        Returns
        -------
        VectorData
        """
        if isinstance(kv, cls):
            return kv
        return cls(kv.index_to_key, kv.vectors, kv.counts, kv.context, kv.meta, getattr(kv, "subwords", None))

    @property
    def dim(self):
        """Number of columns of :attr:`vectors`."""
        return self.vectors.shape[1]


@dataclasses.dataclass
class SubwordData:
    """The n-gram part of a subword (fastText) model, beside :class:`VectorData`'s composed word vectors.

    Parameters
    ----------
    word_rows : numpy.ndarray, shape (n_words, dim)
        float32: the words' own input rows (not averaged with their n-grams).
    ngrams : numpy.ndarray, shape (bucket, dim)
        float32: the n-gram rows, indexed by fastText's hash modulo ``bucket``.
    minn, maxn : int
        N-gram lengths in code points (``maxn=0``: none).
    """

    word_rows: np.ndarray
    ngrams: np.ndarray
    minn: int
    maxn: int

    @property
    def bucket(self):
        """Number of n-gram rows."""
        return self.ngrams.shape[0]


# -- writers -----------------------------------------------------------------

def check_writable(data, path, fmt, token_problem):
    """Refuse, before writing, a key ``fmt`` cannot hold or a non-finite value.

    Parameters
    ----------
    data : VectorData
    path : str or os.PathLike
        The output, for the message.
    fmt : str
        The format's name, for the message.
    token_problem : callable
        ``token_problem(key)`` says why the format cannot hold ``key``, or
        returns None when it can.

    Raises
    ------
    EmbkitError
        Naming the first refused key (and its row) or the first row holding NaN or inf,
        or vectors of dimension 0 (or above :data:`MAX_DIM`).
    """
    if not 1 <= data.dim <= MAX_DIM:
        raise InvalidDataError(f"cannot write {show_path(path)}: the vectors have dimension {data.dim}; "
                               f"expected a dimension from 1 to {MAX_DIM}")
    for row, key in enumerate(data.keys):
        why = token_problem(key)
        if why:
            raise InvalidDataError(f"cannot write token {key!r} (row {row}) to {show_path(path)} in {fmt} format: "
                                   f"{why}")
    for name, matrix in (("vectors", data.vectors), ("context", data.context)):
        if matrix is None:
            continue
        row = first_nonfinite_row(matrix)
        if row is not None:
            raise InvalidDataError(
                f"refusing to write {show_path(path)}: the {name} row of {data.keys[row]!r} (row {row}) "
                f"has a non-finite value ({nonfinite_value(matrix[row])})")
    if data.subword is not None:
        row = first_nonfinite_row(data.subword.ngrams)
        if row is not None:
            raise InvalidDataError(f"refusing to write {path}: n-gram row {row} has a non-finite value "
                                   f"({nonfinite_value(data.subword.ngrams[row])})")


def first_nonfinite_row(matrix):
    """Index of the first row of ``matrix`` holding NaN or inf, or None."""
    if math.isfinite(np.sum(matrix, dtype=np.float64)):   # finite exactly when every value is; no temporary
        return None
    for start in range(0, matrix.shape[0], 4096):
        ok = np.isfinite(matrix[start:start + 4096]).all(axis=1)
        if not ok.all():
            return start + int(np.argmin(ok))
    return None


def nonfinite_value(row):
    """Text of the first non-finite value of ``row``: 'nan', 'inf' or '-inf'."""
    return repr(float(row[np.flatnonzero(~np.isfinite(row))[0]]))


# -- readers -----------------------------------------------------------------

def preview(data, width=40):
    """Short printable form of some bytes for an error message."""
    text = data[:width].decode("utf-8", errors="replace")
    return text + ("..." if len(data) > width else "")


def _header_int(field):
    """The integer of a header field; any number of more than 19 digits is 10**19 (refused later)."""
    digits = field.lstrip(b"+-").lstrip(b"0")
    if len(digits) > 19:
        return -_HUGE if field.startswith(b"-") else _HUGE
    return int(field)


def _show_int(n):
    return str(n) if abs(n) < _HUGE else ("-" if n < 0 else "") + "10^19 or more"


def parse_header(line):
    """``(count, dim)`` if the bytes ``line`` are a word2vec header ``count dim``, else None.

    A number of more than 19 digits is returned as 10**19, which
    :func:`check_header` refuses.

    Parameters
    ----------
    line : bytes
        One line, with or without its line end.

    Returns
    -------
    tuple of int or None
    """
    fields = line.split()
    if len(fields) == 2 and all(_INTEGER.fullmatch(f) for f in fields):
        return _header_int(fields[0]), _header_int(fields[1])
    return None


def is_integer(field):
    """True when the bytes ``field`` are a (signed) decimal integer."""
    return _INTEGER.fullmatch(field) is not None


def data_size(path, offset):
    """Bytes of ``path`` after ``offset``, or None when they are not known (compressed data, a pipe)."""
    if split_compression(Path(path).name)[1] is not None:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size - offset if stat.S_ISREG(st.st_mode) else None


def check_header(path, count, dim, rows=None, row_bytes=None, size=None):
    """Check a header's sizes before anything is allocated; True when the file's size backs them.

    Refused (FormatError on line 1): a count below 0 or above :data:`MAX_COUNT`
    and a dimension below 1 or above :data:`MAX_DIM`. When the ``size`` bytes after the header can
    hold ``rows`` rows of at least ``row_bytes(dim)`` bytes each, the matrix
    may be allocated at once, after a check against the memory available;
    otherwise (or when the size is not known) the reader grows it with the
    rows it reads, and reports the rows the file really holds.

    Parameters
    ----------
    path : str or os.PathLike
        The file, for messages.
    count, dim : int
        As the header declares them.
    rows : int, optional
        Rows to be read (``count``, or fewer with a limit); default ``count``.
    row_bytes : callable, optional
        ``row_bytes(dim)``: the fewest bytes a row of the format takes.
    size : int, optional
        Bytes of the file after the header; None when not known (compressed data).

    Returns
    -------
    bool
        True when ``rows`` rows fit in ``size`` bytes (and in memory).

    Raises
    ------
    FormatError
        A count or dimension out of range.
    MemoryBudgetError
        When the file's size backs a matrix larger than the memory available.
    """
    if not 0 <= count <= MAX_COUNT or not 1 <= dim <= MAX_DIM:
        raise FormatError(path, 1, f"header declares {_show_int(count)} vectors of dimension "
                                   f"{_show_int(dim)}; expected a count from 0 to {MAX_COUNT} and a "
                                   f"dimension from 1 to {MAX_DIM}")
    rows = count if rows is None else rows
    if size is None or row_bytes is None or rows * row_bytes(dim) > size:
        return False
    if rows:
        check_budget({"vectors": rows * dim * 4}, what=f"reading {show_path(path)}",
                     hint="read fewer rows (--limit; limit= in Python)")
    return True


def decode_token(raw, path, lineno, where, unicode_errors):
    """The token ``raw`` decoded from UTF-8, without U+FEFF; FormatError (at ``lineno``, after ``where``) if
    invalid or empty once U+FEFF is dropped."""
    try:
        token = raw.decode("utf-8", errors=unicode_errors)
    except UnicodeDecodeError as exc:
        raise FormatError(path, lineno,
                          f"{where}token {preview(raw)!r} is not valid UTF-8 ({exc.reason} at "
                          f"byte {exc.start} of the token); to read it anyway, replace the bad bytes "
                          f"(--unicode-errors replace; unicode_errors='replace' in Python)") from None
    if BOM in token:
        token = token.replace(BOM, "")
        if not token:
            raise FormatError(path, lineno, f"{where}the token is only U+FEFF (byte-order mark), which is "
                                            f"never part of a token")
    return token


class Rows:
    """A float32 matrix filled row by row, up to ``cap`` rows (None: no cap).

    Nothing is allocated before the first row is asked for (by then the
    reader has read that row's data). With ``trusted``, ``cap`` was checked
    against the file's size and is allocated at once; otherwise the matrix
    starts at 1 MiB and doubles, so it never exceeds twice the data read.
    ``path`` names the file when memory runs out.
    """

    def __init__(self, dim, cap, trusted=False, path=None):
        self.dim = dim
        self.path = path
        self.cap = cap
        self.trusted = trusted and cap is not None
        self.data = None
        self.n = 0

    def _grow(self):
        if self.data is None:
            first = self.cap if self.trusted else max(1, _FIRST_BYTES // (4 * self.dim))
            size = first if self.cap is None else min(self.cap, first)
        else:
            size = 2 * self.n
            if self.cap is not None and self.n < self.cap:
                size = min(size, self.cap)
        try:
            bigger = np.empty((max(1, size), self.dim), dtype=np.float32)
        except MemoryError:
            raise MemoryBudgetError(f"reading {show_path(self.path)}: no memory left for "
                                    f"{max(1, size)} rows of dimension {self.dim} (read fewer rows: "
                                    f"--limit; limit= in Python)") from None
        if self.data is not None:
            bigger[:self.n] = self.data
        self.data = bigger

    def next_row(self):
        """The next free row (a view to fill)."""
        if self.data is None or self.n == self.data.shape[0]:
            self._grow()
        self.n += 1
        return self.data[self.n - 1]

    def matrix(self):
        """The rows filled, as one (n, dim) float32 array."""
        if self.data is None:
            return np.empty((0, self.dim), dtype=np.float32)
        if self.n == self.data.shape[0]:
            return self.data
        return self.data[:self.n].copy()


def finish(path, keys, rows, where):
    """VectorData of the rows read; FormatError at the first non-finite row.

    ``where(i)`` gives ``(lineno, message prefix)`` of row ``i``.
    """
    matrix = rows.matrix()
    bad = first_nonfinite_row(matrix)
    if bad is not None:
        lineno, prefix = where(bad)
        raise FormatError(path, lineno, f"{prefix}token {keys[bad]!r} has a non-finite value "
                                        f"({nonfinite_value(matrix[bad])})")
    return VectorData(keys, matrix)


def warn_limit(path, declared, limit):
    """Log that only ``limit`` of the ``declared`` vectors are read."""
    logger.warning("%s: the file declares %d vectors; read only the first %d (limit=%d)",
                   path, declared, limit, limit)
