"""The word2vec binary format: its strict reader and its writer.

A header line ``count dim``, then per row the token (UTF-8), a space, ``dim``
little-endian float32 values and a newline (the newline is optional when
reading; whitespace before a token is skipped). ``.gz``, ``.bz2`` and ``.xz``
files are (de)compressed on the fly.
"""
import re

import numpy as np

from ..exceptions import FormatError
from ._common import (
    BOM,
    BOM_PROBLEM,
    Rows,
    check_header,
    check_writable,
    data_size,
    decode_token,
    finish,
    parse_header,
    preview,
    warn_limit,
)
from ._sniff import open_read, open_write

__all__ = ["NAME", "read", "write", "token_problem"]

#: The format's name.
NAME = "word2vec-bin"

_WHITESPACE = b" \t\n\r\x0b\x0c"           # what bytes.split() splits on
_INNER_SPACE = re.compile(rb"[\t\n\r\x0b\x0c]")
_READ_CHUNK = 1 << 20                      # bytes per read of a binary file
_MAX_TOKEN_BYTES = 1 << 20                 # a longer token means a broken file
_WRITE_ROWS = 512                          # rows packed per write (keeps the writer's memory small)


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
        if len(self.buf) - self.pos < n:    # gather the missing bytes in one list: no quadratic copying
            parts = [self.buf[self.pos:]]
            have = len(parts[0])
            self.base += self.pos
            while have < n:
                chunk = self.f.read(_READ_CHUNK)      # never more at once: a header may ask for any n
                if not chunk:
                    break
                parts.append(chunk)
                have += len(chunk)
            self.buf, self.pos = b"".join(parts), 0
        data = self.buf[self.pos:self.pos + n]
        self.pos += len(data)
        return data

    def peek(self, n):
        while len(self.buf) - self.pos < n and self._fill():
            pass
        return self.buf[self.pos:self.pos + n]


def read(path, limit=None, mmap=None, unicode_errors="strict"):
    """Read a word2vec binary file.

    Parameters
    ----------
    path : str or os.PathLike
        ``.gz``, ``.bz2`` and ``.xz`` names are decompressed.
    limit : int, optional
        Read only the first ``limit`` rows (a warning is logged when the header declares more).
    mmap : None
        Ignored.
    unicode_errors : str
        How to decode tokens that are not valid UTF-8 (:meth:`bytes.decode`'s ``errors``).

    Returns
    -------
    VectorData
        float32 vectors; no counts, context or meta.

    Raises
    ------
    FormatError
        At the first malformed row (named by its 1-based number and byte
        offset), a header that disagrees with the body, or a non-finite value.
    """
    with open_read(path) as f:
        first = f.readline(1024)
        line = first[len(BOM.encode()):] if first.startswith(BOM.encode()) else first
        header = parse_header(line) if line.endswith(b"\n") else None
        if header is None:
            raise FormatError(path, 1, f"expected a header line 'count dim', found "
                                       f"{preview(line.strip())!r}")
        declared, dim = header
        target = declared if limit is None else min(declared, limit)
        trusted = check_header(path, declared, dim, target, _min_row_bytes, data_size(path, len(first)))
        stream = _ByteStream(f, len(first))
        rows = Rows(dim, target, trusted, path)
        keys, offsets = _read_rows(stream, rows, declared, path, unicode_errors)
        if limit is None or limit > declared:
            if stream.skip_whitespace():
                extra = stream.peek(40).split(b" ")[0]
                raise FormatError(path, None, f"data continues after the {declared} vectors "
                                              f"declared in the header (byte {stream.offset}, "
                                              f"first extra token: {preview(extra)!r})")
        elif limit < declared:
            warn_limit(path, declared, limit)
    return finish(path, keys, rows, lambda i: (None, f"row {i + 1} (byte {offsets[i]}): "))


def _min_row_bytes(dim):
    """The fewest bytes a row of ``dim`` values takes: a 1-byte token, a space and 4 bytes a value."""
    return 2 + 4 * dim


def _read_rows(stream, rows, declared, path, unicode_errors):
    """(keys, byte offsets) of the first ``rows.cap`` rows of ``stream``, their values put in ``rows``."""
    dim, target = rows.dim, rows.cap
    n_bytes = 4 * dim
    keys, index, offsets = [], {}, []
    for row in range(1, target + 1):
        if not stream.skip_whitespace():
            raise FormatError(path, None, f"header declares {declared} vectors but the file "
                                          f"has {row - 1}")
        offset = stream.offset
        where = f"row {row} (byte {offset}): "
        raw = stream.read_token()
        if raw is None:
            raise FormatError(path, None, f"{where}expected a token followed by a space, "
                                          f"found {preview(stream.peek(40))!r} and no space")
        if _INNER_SPACE.search(raw):
            raise FormatError(path, None, f"{where}token {preview(raw)!r} holds a tab, newline or other "
                                          f"whitespace, which word2vec binary tokens never do (damaged file?)")
        token = decode_token(raw, path, None, where, unicode_errors)
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
    return keys, offsets


def token_problem(key):
    """Why a word2vec binary file cannot give ``key`` back, or None when it can.

    Refused: empty keys, any ASCII whitespace (a token ends at the first
    space, and whitespace before a token is skipped) and U+FEFF (which
    readers drop).

    Parameters
    ----------
    key : str

    Returns
    -------
    str or None
    """
    if not key:
        return "it is empty"
    for ch, name in ((" ", "a space"), ("\t", "a tab"), ("\n", "a newline"),
                     ("\r", "a carriage return"), ("\x0b", "a vertical tab"),
                     ("\x0c", "a form feed")):
        if ch in key:
            return (f"it contains {name}, and the word2vec binary format ends a token at the "
                    f"first space (and skips whitespace before a token)")
    if BOM in key:
        return BOM_PROBLEM
    return None


def write(data, path):
    """Write a word2vec binary file, atomically (compressed for ``.gz``, ``.bz2``, ``.xz`` names).

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
    with open_write(path) as f:
        f.write(f"{len(keys)} {data.dim}\n".encode("ascii"))
        for start in range(0, len(keys), _WRITE_ROWS):
            block = np.ascontiguousarray(data.vectors[start:start + _WRITE_ROWS], dtype="<f4")
            f.write(b"".join(key.encode("utf-8") + b" " + values.tobytes() + b"\n"
                             for key, values in zip(keys[start:start + _WRITE_ROWS], block)))
