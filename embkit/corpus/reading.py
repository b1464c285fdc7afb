"""Reading corpus text: inputs, compression, UTF-8 decoding and line ends.

A corpus is one or many files, directories (every non-hidden file below them,
in sorted order), glob patterns, or ``-`` for standard input.  Files ending in
``.gz``, ``.bz2`` or ``.xz`` are decompressed, and so is compressed data
without such a name (standard input included), told by its magic number.  Text is UTF-8; a
byte-order mark at the start of a file is dropped (the tokenizers drop the ones inside); CRLF,
LF and a lone CR all end a line (universal newlines).
"""
import errno
import glob
import logging
import os
import re
import stat
import sys
from pathlib import Path

from .._outputs import is_model_dir
from ..exceptions import CorpusError, MissingCorpusError, file_error, show_path
from ..formats._sniff import DECOMPRESS_ERRORS, open_sniffed

STDIN = "-"

log = logging.getLogger(__name__)


def expand_inputs(inputs):
    """Expand corpus arguments into a list of file paths.

    Parameters
    ----------
    inputs : str, os.PathLike or sequence of them
        Files, directories, glob patterns, or ``"-"`` for standard input.

    Returns
    -------
    list of str
        Files in the order given; a directory contributes its non-hidden
        files recursively in sorted order, leaving out embkit model
        directories (trained vectors written there earlier); a pattern its
        matches sorted.

    Raises
    ------
    CorpusError
        When an input names nothing that exists (a
        :class:`~embkit.exceptions.MissingCorpusError`, also a
        FileNotFoundError), or nothing is given.
    """
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    files = []
    for item in inputs:
        item = os.fspath(item)
        if item == STDIN:
            files.append(STDIN)
        elif os.path.isdir(item):
            models = {m.parent for m in Path(item).rglob("meta.json") if is_model_dir(m.parent)}
            found = sorted(
                str(p) for p in Path(item).rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(item).parts)
                and not any(parent in models for parent in p.parents))
            vectors = [f for f in found if looks_like_vectors(f)]
            if vectors:
                log.warning(
                    "%s: left out %d file(s) that hold word vectors, not text: %s", item, len(vectors),
                    ", ".join(vectors[:5]) + (" ..." if len(vectors) > 5 else ""))
                found = [f for f in found if f not in set(vectors)]
            if not found:
                raise CorpusError(f"{item}: directory contains no files" + (" other than word vectors"
                                                                           if vectors else ""))
            files.extend(found)
        elif os.path.exists(item):
            files.append(item)
        elif glob.has_magic(item):
            found = sorted(p for p in glob.glob(item, recursive=True) if os.path.isfile(p))
            if not found:
                raise CorpusError(f"{item}: pattern matches no file")
            files.extend(found)
        else:
            raise MissingCorpusError(errno.ENOENT, "no such file or directory", item)
    if not files:
        raise CorpusError("no corpus given")
    if files.count(STDIN) > 1:
        raise CorpusError("standard input ('-') can be given only once")
    return files


def corpus_paths(corpus):
    """The paths a corpus argument names, for the output checks: no output may replace one or lie inside one.

    Unlike :func:`expand_inputs` it reads no directory and raises nothing:
    files and directories as given, glob patterns as their matches.

    Parameters
    ----------
    corpus : str, os.PathLike, sequence of them, or anything else
        A corpus as :meth:`embkit.EncodedCorpus.encode` takes it; sentences
        and encoded corpora name no path.

    Returns
    -------
    list of str
    """
    if isinstance(corpus, (str, os.PathLike)):
        corpus = [corpus]
    if not isinstance(corpus, (list, tuple)):
        return []
    paths = []
    for item in corpus:
        if not isinstance(item, (str, os.PathLike)):
            continue                                  # a sentence (a list of tokens)
        item = os.fspath(item)
        if item != STDIN and not os.path.exists(item) and glob.has_magic(item):
            paths.extend(glob.glob(item, recursive=True))
        else:
            paths.append(item)
    return paths


def _open_binary(path):
    """(stream, files to close): the text as bytes, decompressed by the name's suffix
    or, without one (and for standard input), by the data's magic number."""
    try:
        return open_sniffed(sys.stdin.buffer if path == STDIN else path)
    except OSError as exc:
        raise file_error(exc, path) from None


_HEADER = re.compile(rb"[ \t]*(\d+)[ \t]+(\d+)[ \t]*\r?\n")


def looks_like_vectors(path):
    """True when a file holds word vectors rather than text, e.g. an earlier output.

    word2vec format: a ``count dim`` header followed by binary data or by a
    row of a token and ``dim`` numbers.  GloVe format (no header): two rows
    of a token and the same number (10 or more) of decimal numbers.
    """
    try:
        f, to_close = _open_binary(path)
        try:
            head = f.read(1 << 16)
        finally:
            for handle in to_close:
                handle.close()
    except DECOMPRESS_ERRORS:
        return False
    m = _HEADER.match(head)
    if not m:
        return _looks_like_glove(head)
    body = head[m.end():]
    if b"\0" in body:
        return True
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(body) - 3:          # not just a character cut at the end: binary rows
            return True
    second = body.split(b"\n", 1)[0].split()
    dim = int(m.group(2))
    if dim < 1 or len(second) < dim + 1:
        return False
    try:
        [float(x) for x in second[-dim:]]
    except ValueError:
        return False
    return True


def _looks_like_glove(head):
    """Headerless vectors (GloVe): the first lines are a token and the same number (10 or more) of numbers,
    some of them with a decimal point or an exponent."""
    lines = head.split(b"\n")[:3]
    if len(lines) < 3:                      # the third may be cut by the read; two whole lines are needed
        return False
    widths = set()
    for line in lines[:2]:
        fields = line.split()
        if len(fields) < 11:
            return False
        try:
            [float(x) for x in fields[1:]]
        except ValueError:
            return False
        if not any(b"." in x or b"e" in x.lower() for x in fields[1:]):
            return False
        widths.add(len(fields))
    return len(widths) == 1


def is_regular_file(path):
    """Whether ``path`` is a regular file, whose name and signature say what it holds.

    Parameters
    ----------
    path : str or os.PathLike
        An input as :func:`expand_inputs` returns it.

    Returns
    -------
    bool
        True for a regular file; False for standard input (``-``,
        ``/dev/stdin``, ``/dev/fd/N``, ``/proc/...``), pipes, FIFOs, devices
        and paths that cannot be stat'ed.
    """
    if path == STDIN or os.path.abspath(path).startswith(("/dev/", "/proc/")):
        return False
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


class DecodeStats:
    """Counts kept while reading: lines read and invalid byte sequences replaced."""

    def __init__(self):
        self.lines = 0
        self.replaced = 0


def _decode(raw, path, lineno, line_start, errors, stats):
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if errors != "replace":
            raise CorpusError(
                f"{path}, line {lineno}, byte offset {line_start + exc.start}: invalid UTF-8 "
                f"(byte 0x{raw[exc.start]:02x}); pass --encoding-errors replace "
                f"(encoding_errors='replace') to substitute U+FFFD") from None
    # count every invalid sequence, then decode with replacement
    pos = 0
    while True:
        try:
            raw[pos:].decode("utf-8")
            break
        except UnicodeDecodeError as exc:
            stats.replaced += 1
            pos += max(exc.end, exc.start + 1)
    return raw.decode("utf-8", errors="replace")


def iter_lines(path, encoding_errors="strict", stats=None):
    """Yield ``(lineno, text)`` for each line of one corpus file.

    Parameters
    ----------
    path : str
        A file path or ``"-"`` for standard input.
    encoding_errors : {"strict", "replace"}
        ``"strict"`` raises on invalid UTF-8; ``"replace"`` substitutes
        U+FFFD and counts the replacements in ``stats.replaced``.
    stats : DecodeStats, optional
        Receives line and replacement counts.

    Yields
    ------
    lineno : int
        1-based line number (a lone CR starts a new line, as in Python's
        universal newlines).
    text : str
        The line without its line end.

    Raises
    ------
    CorpusError
        Invalid UTF-8 in strict mode, naming the file, line and byte offset,
        or compressed data that cannot be decompressed.
    FileAccessError
        When the file cannot be opened (missing, permission denied).
    """
    if stats is None:
        stats = DecodeStats()
    f, to_close = _open_binary(path)
    name = "<stdin>" if path == STDIN else path
    lineno = 0
    offset = 0
    try:
        first = True
        for raw in f:
            start = offset
            offset += len(raw)
            if first:
                first = False
                if raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                    start += 3
            if raw.endswith(b"\n"):
                raw = raw[:-1]
                if raw.endswith(b"\r"):
                    raw = raw[:-1]
            if b"\r" in raw:
                pieces = raw.split(b"\r")
            else:
                pieces = (raw,)
            for piece in pieces:
                lineno += 1
                stats.lines += 1
                yield lineno, _decode(piece, name, lineno, start, encoding_errors, stats)
                start += len(piece) + 1
    except DECOMPRESS_ERRORS as exc:
        if isinstance(exc, OSError) and exc.errno is not None:
            raise file_error(exc, name) from None  # a real I/O error (permissions, ...): keep its own message
        raise CorpusError(f"{show_path(name)}: cannot decompress ({exc})") from None
    finally:
        for handle in to_close:
            handle.close()


def file_signature(path):
    """What identifies a file's version, for cache keys and manifests.

    The path is resolved (links, ``/dev/stdin`` redirected from a file), and
    the change time and inode catch a file rewritten with its old size and
    modification time (``cp -p``, ``touch -d``).

    Parameters
    ----------
    path : str or os.PathLike
        An existing file.

    Returns
    -------
    dict
        ``path`` (str, resolved), ``size`` (bytes), ``mtime_ns`` and
        ``ctime_ns`` (nanoseconds since the epoch) and ``inode`` (int).

    Raises
    ------
    OSError
        When the file cannot be stat'ed.
    """
    st = os.stat(path)
    return {"path": os.path.realpath(path), "size": st.st_size, "mtime_ns": st.st_mtime_ns,
            "ctime_ns": st.st_ctime_ns, "inode": st.st_ino}


__all__ = ["expand_inputs", "corpus_paths", "iter_lines", "file_signature", "is_regular_file", "DecodeStats", "STDIN"]
