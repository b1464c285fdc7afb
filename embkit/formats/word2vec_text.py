"""The word2vec text format: its strict reader (headerless GloVe files too) and its writer.

A header line ``count dim``, then ``token v1 ... vd`` per line, UTF-8.
Headerless GloVe files (``token v1 ... vd`` on the first line) are read too.
``.gz``, ``.bz2`` and ``.xz`` files are (de)compressed on the fly. A token may
hold single inner spaces: the last ``dim`` fields of a row are its values.
"""
import codecs
import itertools
import re

import numpy as np

from ..exceptions import FormatError
from ._common import (
    BOM,
    BOM_PROBLEM,
    MAX_DIM,
    Rows,
    check_header,
    check_writable,
    data_size,
    decode_token,
    finish,
    is_integer,
    parse_header,
    preview,
    warn_limit,
)
from ._sniff import open_read, open_write

__all__ = ["NAME", "read", "write", "token_problem", "has_header"]

#: The format's name.
NAME = "word2vec"

_NUMBER = re.compile(rb"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|nan|inf|infinity)",
                     re.IGNORECASE)
_WRITE_ROWS = 512                          # rows formatted per write (keeps the writer's memory small)


def is_number(field):
    """True when the bytes ``field`` read as a number in a vector file (``nan`` and ``inf`` included)."""
    return _NUMBER.fullmatch(field) is not None


def has_header(path):
    """True when the word2vec text file ``path`` starts with a ``count dim`` line (GloVe files do not).

    Parameters
    ----------
    path : str or os.PathLike
        A text file, compressed or not.

    Returns
    -------
    bool

    Raises
    ------
    OSError
        When the file cannot be read.
    FormatError
        When compressed data is damaged.
    """
    with open_read(path) as f:
        return parse_header(f.readline(1024).lstrip(codecs.BOM_UTF8)) is not None


def _split_row(fields, dim, path, lineno, unicode_errors):
    """(token, value fields) of one row; the last ``dim`` fields are the values."""
    n_values = len(fields) - 1
    # More fields than dim + 1 mean a token with spaces, unless every extra
    # field is a number: then it is a row with too many values.
    if n_values == dim or (n_values > dim and not all(is_number(f) for f in fields[1:-dim])):
        token = decode_token(b" ".join(fields[:-dim]), path, lineno, "", unicode_errors)
        return token, fields[-dim:]
    token = decode_token(fields[0], path, lineno, "", unicode_errors)
    raise FormatError(path, lineno, f"token {token!r}: expected {dim} values, found {n_values}")


def _bad_value(values, token, path, lineno):
    for f in values:
        try:
            if not is_number(f):
                raise ValueError(f)
            float(f)
        except ValueError:
            raise FormatError(path, lineno, f"token {token!r}: value {preview(f)!r} is not a "
                                            f"number") from None
    raise FormatError(path, lineno, f"token {token!r}: the values are not numbers")


def read(path, limit=None, mmap=None, unicode_errors="strict"):
    """Read a word2vec text (or headerless GloVe) file.

    Parameters
    ----------
    path : str or os.PathLike
        ``.gz``, ``.bz2`` and ``.xz`` names are decompressed.
    limit : int, optional
        Read only the first ``limit`` rows (a warning is logged when the header declares more).
    mmap : None
        Ignored (text cannot be memory-mapped).
    unicode_errors : str
        How to decode tokens that are not valid UTF-8 (:meth:`bytes.decode`'s ``errors``).

    Returns
    -------
    VectorData
        float32 vectors; no counts, context or meta.

    Raises
    ------
    FormatError
        At the first malformed line (1-based; the header is line 1), a
        header that disagrees with the body, or a non-finite value.
    """
    with open_read(path) as f:
        first = f.readline()
        header_bytes = len(first)
        if first.startswith(codecs.BOM_UTF8):
            first = first[len(codecs.BOM_UTF8):]
        if not first.strip():
            found = "an empty line" if first else "nothing"
            raise FormatError(path, 1, f"expected a header 'count dim' or a first row "
                                       f"'token value ...', found {found}")
        header = parse_header(first)
        if header is not None:
            declared, dim = header
            target = declared if limit is None else min(declared, limit)
            trusted = check_header(path, declared, dim, target, _min_row_bytes, data_size(path, header_bytes))
            rows = Rows(dim, target, trusted, path)
            keys, linenos = _read_rows(f, 2, rows, declared, limit, path, unicode_errors)
        else:                               # GloVe: no header, dim from the first row
            declared = None
            keys, linenos, rows = _read_headerless(f, first, limit, path, unicode_errors)
    if declared is not None and len(keys) < target:
        raise FormatError(path, None, f"header declares {declared} vectors but the file has "
                                      f"{len(keys)}")
    if declared is not None and limit is not None and limit < declared:
        warn_limit(path, declared, limit)
    return finish(path, keys, rows, lambda i: (linenos[i], ""))


def _min_row_bytes(dim):
    """The fewest bytes a row of ``dim`` values takes: a 1-byte token, then a space and a digit per value."""
    return 1 + 2 * dim


def _read_headerless(f, first, limit, path, unicode_errors):
    """(keys, line numbers, Rows) of a GloVe file whose first line is ``first``."""
    first_fields = first.split()
    dim = len(first_fields) - 1
    if dim < 1:
        raise FormatError(path, 1, f"expected a header 'count dim' or a row 'token "
                                   f"value ...', found {preview(first.strip())!r}")
    if dim > MAX_DIM:
        raise FormatError(path, 1, f"the first row has {dim} values; at most {MAX_DIM} are read")
    second = f.readline()
    if (all(is_integer(x) for x in first_fields) and second.split()
            and len(second.split()) != len(first_fields)):
        # integers only, and not the shape of the next row: a malformed header, not a GloVe row
        raise FormatError(path, 1, f"expected a header 'count dim' (two integers), found "
                                   f"{len(first_fields)} fields: {preview(first.strip())!r}")
    rows = Rows(dim, limit, path=path)
    keys, linenos = _read_rows(itertools.chain([first, second], f), 1, rows, None, limit, path, unicode_errors)
    return keys, linenos, rows


def _read_rows(lines, lineno, rows, declared, limit, path, unicode_errors):
    """(keys, line numbers) of the rows in ``lines`` (the first is ``lineno``), their values put in ``rows``.

    Stops after ``rows.cap`` rows (None: at the end). When that is the count
    the header declared (not a smaller ``limit``), a further row is an error.
    """
    keys, index, linenos = [], {}, []
    dim, target = rows.dim, rows.cap
    strict_end = declared is not None and (limit is None or limit > declared)
    first = lineno
    with np.errstate(over="ignore"):        # 1e39 becomes inf, reported by finish()
        for lineno, raw in enumerate(lines, first):
            fields = raw.split()
            if not fields:
                continue
            if len(keys) == target:
                if not strict_end:
                    break
                extra = decode_token(fields[0], path, lineno, "", "replace")
                raise FormatError(path, lineno, f"rows continue after the {declared} declared "
                                                f"in the header (first extra row: {extra!r})")
            token, values = _split_row(fields, dim, path, lineno, unicode_errors)
            if b"_" in raw and any(b"_" in v for v in values):
                _bad_value(values, token, path, lineno)      # float() takes 1_0 for 10; word2vec does not
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
    return keys, linenos


def token_problem(key):
    """Why a word2vec text file cannot give ``key`` back, or None when it can.

    Refused: empty keys, leading or trailing spaces, tabs, newlines,
    carriage returns, vertical tabs, form feeds, two spaces in a row, U+FEFF
    (which readers drop), and keys whose words after the first are all
    numbers (``"route 66"``: a reader takes it for a row with an extra value).

    Parameters
    ----------
    key : str

    Returns
    -------
    str or None
    """
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
    if BOM in key:
        return BOM_PROBLEM
    if " " in key and all(is_number(w) for w in key.encode("utf-8").split(b" ")[1:]):
        return "the words after its first are numbers, which a reader takes for extra values"
    return None


def write(data, path):
    """Write a word2vec text file, atomically (compressed for ``.gz``, ``.bz2``, ``.xz`` names).

    Values are written with 9 significant digits, which give every float32 back exactly.

    Parameters
    ----------
    data : VectorData
    path : str or os.PathLike

    Raises
    ------
    EmbkitError
        A key :func:`token_problem` refuses, or a non-finite value; nothing is written.
    """
    keys = data.keys
    check_writable(data, path, NAME, token_problem)
    template = " ".join(["%.9g"] * data.dim) if keys else ""      # no rows: nothing to format, whatever the dim
    with open_write(path) as f:
        f.write(f"{len(keys)} {data.dim}\n".encode("ascii"))
        for start in range(0, len(keys), _WRITE_ROWS):
            block = np.asarray(data.vectors[start:start + _WRITE_ROWS], dtype=np.float64).tolist()
            text = "".join(f"{key} {template % tuple(values)}\n"
                           for key, values in zip(keys[start:start + _WRITE_ROWS], block))
            f.write(text.encode("utf-8"))
