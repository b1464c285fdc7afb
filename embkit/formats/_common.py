"""What the format modules share: the data readers return and writers take, the writers' key and value
checks, and the word2vec readers' header, token and row helpers."""
import dataclasses
import logging
import math
import re

import numpy as np

from ..exceptions import EmbkitError, FormatError

__all__ = ["VectorData", "SubwordData", "check_writable", "first_nonfinite_row", "nonfinite_value", "preview",
           "parse_header", "is_integer", "check_header", "decode_token", "Rows", "finish", "warn_limit"]

logger = logging.getLogger(__name__)

_INTEGER = re.compile(rb"[+-]?\d+")
_GROW_BYTES = 1 << 26                      # first allocation of a reader's matrix


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
        Naming the first refused key (and its row) or the first row holding NaN or inf.
    """
    for row, key in enumerate(data.keys):
        why = token_problem(key)
        if why:
            raise EmbkitError(f"cannot write token {key!r} (row {row}) to {path} in {fmt} format: {why}")
    for name, matrix in (("vectors", data.vectors), ("context", data.context)):
        if matrix is None:
            continue
        row = first_nonfinite_row(matrix)
        if row is not None:
            raise EmbkitError(
                f"refusing to write {path}: the {name} row of {data.keys[row]!r} (row {row}) "
                f"has a non-finite value ({nonfinite_value(matrix[row])})")
    if data.subword is not None:
        row = first_nonfinite_row(data.subword.ngrams)
        if row is not None:
            raise EmbkitError(f"refusing to write {path}: n-gram row {row} has a non-finite value "
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


def parse_header(line):
    """``(count, dim)`` if the bytes ``line`` are a word2vec header ``count dim``, else None.

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
        return int(fields[0]), int(fields[1])
    return None


def is_integer(field):
    """True when the bytes ``field`` are a (signed) decimal integer."""
    return _INTEGER.fullmatch(field) is not None


def check_header(path, count, dim):
    """Refuse a header with a negative count or a dimension below 1 (FormatError on line 1)."""
    if count < 0 or dim < 1:
        raise FormatError(path, 1, f"header declares {count} vectors of dimension {dim}; "
                                   f"expected a count >= 0 and a dimension >= 1")


def decode_token(raw, path, lineno, where, unicode_errors):
    """The token ``raw`` decoded from UTF-8; FormatError (at ``lineno``, after ``where``) if invalid."""
    try:
        return raw.decode("utf-8", errors=unicode_errors)
    except UnicodeDecodeError as exc:
        raise FormatError(path, lineno,
                          f"{where}token {preview(raw)!r} is not valid UTF-8 ({exc.reason} at "
                          f"byte {exc.start} of the token); to read it anyway, replace the bad bytes "
                          f"(--unicode-errors replace; unicode_errors='replace' in Python)") from None


class Rows:
    """A float32 matrix filled row by row, grown as needed up to ``cap`` rows (None: no cap)."""

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
        """The rows filled, as one (n, dim) float32 array."""
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
