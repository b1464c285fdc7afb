"""The native embkit format: a versioned model directory, its reader (by model kind) and its writer.

A directory of ``vectors.npy`` (float32, (V, d)), optional ``context.npy``
(float32, (V, d)), ``vocab.tsv`` (``word<TAB>count`` per row, in row order,
UTF-8) and ``meta.json`` (format name and version, embkit version, creation
time, and the model's metadata). Lossless; the ``.npy`` files can be
memory-mapped. ``meta.json``'s ``kind`` says what the directory holds and
picks its reader in :data:`KIND_READERS`; a model without ``kind`` holds word
vectors.

A subword (fastText) model (``kind`` ``"subword"``) also holds
``ngrams.npy`` (float32, (bucket, d): the n-gram rows) and ``word_rows.npy``
(float32, (V, d): the words' own rows), with ``meta.json``'s ``subword``
giving ``minn``, ``maxn``, ``bucket`` and ``hash`` (``"fasttext"``: see
:mod:`embkit.corpus.subwords`); ``vectors.npy`` holds the composed word
vectors.
"""
import datetime
import errno
import json
import logging
import os
import warnings
from pathlib import Path

import numpy as np
from numpy.lib import format as npy_format

from .._atomic import atomic_dir
from .._memory import check_budget
from .._version import __version__
from ..exceptions import (
    FormatError,
    InvalidDataError,
    MemoryBudgetError,
    MissingFileError,
    file_error,
    one_line,
    show_path,
)
from ._common import (
    BOM,
    BOM_PROBLEM,
    MAX_DIM,
    SubwordData,
    VectorData,
    check_writable,
    first_nonfinite_row,
    nonfinite_value,
    warn_limit,
)

__all__ = ["NAME", "FORMAT_VERSION", "WORD_KIND", "SUBWORD_KIND", "KIND_READERS", "read", "read_meta",
           "read_word_vectors", "read_subword_vectors", "write", "token_problem"]

logger = logging.getLogger(__name__)

#: The format's name.
NAME = "native"

#: Version of the directory layout written (and the newest one read).
FORMAT_VERSION = 1

#: ``meta.json`` kind of word vectors (what a model without ``kind`` holds).
WORD_KIND = "word"

#: ``meta.json`` kind of subword (fastText) vectors: word vectors plus n-gram rows.
SUBWORD_KIND = "subword"

# meta.json keys that describe the file, not the vectors; not put in VectorData.meta.
_META_FORMAT_KEYS = ("format", "format_version", "has_counts")


def _npy_shape(path):
    """The shape of the plain ``.npy`` file ``path``, checked: float32, 2-D, a dimension of at least 1,
    and exactly the bytes the header announces; read from the header alone (nothing allocated)."""
    try:
        with open(path, "rb") as f:
            version = npy_format.read_magic(f)
            if version not in ((1, 0), (2, 0)):
                raise ValueError(f"unsupported .npy version {version[0]}.{version[1]}")
            read_header = (npy_format.read_array_header_1_0 if version == (1, 0)
                           else npy_format.read_array_header_2_0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                shape, _, dtype = read_header(f)
            offset = f.tell()
            size = os.fstat(f.fileno()).st_size
    except OSError as exc:
        raise file_error(exc, path) from None
    except Exception as exc:     # numpy parses the header as Python literals: ValueError, SyntaxError, TokenError...
        if _starts_with(path, b"PK"):
            raise FormatError(path, None, "a zip archive (an .npz?), not a plain .npy array") from None
        raise FormatError(path, None, f"not a readable .npy array ({one_line(str(exc))[:200]})") from None
    if dtype != np.float32 or len(shape) != 2:
        raise FormatError(path, None, f"expected a 2-D float32 array, found {len(shape)}-D {dtype}")
    rows, dim = shape
    if rows < 0 or not 1 <= dim <= MAX_DIM:
        raise FormatError(path, None, f"shape {shape}: expected rows >= 0 and a dimension from 1 to "
                                      f"{MAX_DIM}")
    if offset + rows * dim * 4 != size:
        raise FormatError(path, None, f"the header says shape {shape} float32 ({rows * dim * 4} bytes of data) "
                                      f"but the file holds {size - offset} bytes after it (truncated?)")
    return shape


def _starts_with(path, magic):
    try:
        with open(path, "rb") as f:
            return f.read(len(magic)) == magic
    except OSError:
        return False


def _load_matrix(path, shape, mmap, limit=None):
    """The array of ``path`` (whose checked shape is ``shape``), read or memory-mapped; only its first
    ``limit`` rows are read into memory."""
    rows = shape[0] if limit is None else min(limit, shape[0])
    if mmap is None:
        check_budget({path.name: rows * shape[1] * 4}, what=f"reading {show_path(path)}",
                     hint="memory-map it (mmap='r') or read fewer rows (limit=)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if mmap is None and rows < shape[0]:        # only the rows kept
                matrix = np.array(np.load(path, mmap_mode="r", allow_pickle=False)[:rows])
                shape = (rows, shape[1])
            else:
                matrix = np.load(path, mmap_mode=mmap, allow_pickle=False)
    except OSError as exc:
        raise file_error(exc, path) from None
    except MemoryError:
        raise MemoryBudgetError(f"reading {show_path(path)}: no memory left for an array of shape {shape}; "
                                f"memory-map it (mmap='r') or read fewer rows (limit=)") from None
    except Exception as exc:     # the header was read once already; whatever else numpy finds wrong
        raise FormatError(path, None, f"not a readable .npy array ({one_line(str(exc))[:200]})") from None
    if not isinstance(matrix, np.ndarray) or matrix.shape != shape or matrix.dtype != np.float32:
        raise FormatError(path, None, f"expected a 2-D float32 array of shape {shape}")
    return matrix


_MAX_COUNT = 2**63 - 1


def _read_vocab(path):
    """(keys, counts or None) of a vocab.tsv; U+FEFF is dropped wherever it stands."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise file_error(exc, path) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(path, data.count(b"\n", 0, exc.start) + 1,
                          f"not valid UTF-8 ({exc.reason})") from None
    if BOM in text:
        text = text.replace(BOM, "")
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
        if "\r" in key:
            raise FormatError(path, lineno, f"word {key!r} holds a carriage return, which vocab.tsv never does")
        if key in index:
            raise FormatError(path, lineno, f"word {key!r} appears twice (first on line "
                                            f"{index[key] + 1})")
        if count == "":
            missing += 1
            count = 0
        elif count.isascii() and count.isdigit():
            if len(count.lstrip("0")) > 19 or int(count) > _MAX_COUNT:
                raise FormatError(path, lineno, f"word {key!r}: count {count[:30]!r}"
                                                f"{'...' if len(count) > 30 else ''} is too large "
                                                f"(at most {_MAX_COUNT})")
            count = int(count)
        else:
            raise FormatError(path, lineno, f"word {key!r}: count {count[:30]!r} is not a "
                                            f"non-negative integer")
        index[key] = len(keys)
        keys.append(key)
        counts.append(count)
    if missing and missing != len(keys):
        first = next(i for i, line in enumerate(lines, 1) if line.endswith("\t"))
        raise FormatError(path, first, "count is empty here but given on other lines")
    return keys, (None if missing else np.asarray(counts, dtype=np.int64))


_MAX_META_DEPTH = 100


def _non_json_constant(name):
    """NaN, Infinity and -Infinity, which Python's json writes but JSON has not: read as null (None)."""
    logger.warning("meta.json holds %s, which is not JSON; read as null", name)
    return None


def _depth(value):
    """How deep lists and dicts nest in ``value`` (counted without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def read_meta(path):
    """The checked ``meta.json`` of the model directory ``path``.

    Parameters
    ----------
    path : str or os.PathLike
        The model directory.

    Returns
    -------
    dict
        The whole of ``meta.json`` (format fields included). ``NaN`` and
        ``Infinity``, which are not JSON (though Python writes them), are read
        as None, so that the model can be saved again.

    Raises
    ------
    MissingFileError
        When ``path`` does not exist (a :class:`FileNotFoundError`).
    FormatError
        When ``path`` is a file, ``meta.json`` is missing or not a JSON
        object (or cannot be read as one: invalid UTF-8, numbers too long,
        values nested too deeply), its format is not ``"embkit"``, or its ``format_version`` is
        not a positive integer or is newer than this embkit reads.
    """
    d = Path(path)
    if not d.is_dir():
        if d.exists():
            raise FormatError(path, None, "a native embkit model is a directory, this is a file")
        raise MissingFileError(errno.ENOENT, "no such model directory", path)
    meta_path = d / "meta.json"
    if not meta_path.is_file():
        raise FormatError(path, None, "not an embkit model: meta.json is missing")
    try:
        data = meta_path.read_bytes()
    except OSError as exc:
        raise file_error(exc, meta_path) from None
    try:
        meta = json.loads(data.decode("utf-8"), parse_constant=_non_json_constant)
    except json.JSONDecodeError as exc:
        raise FormatError(meta_path, exc.lineno, f"not valid JSON ({exc.msg})") from None
    except UnicodeDecodeError as exc:
        raise FormatError(meta_path, data.count(b"\n", 0, exc.start) + 1,
                          f"not valid UTF-8 ({exc.reason})") from None
    except (ValueError, RecursionError, MemoryError) as exc:      # 4,301 digits, 100,000 nested [
        what = "nested too deeply" if isinstance(exc, RecursionError) else one_line(str(exc))[:120]
        raise FormatError(meta_path, None, f"not readable JSON ({what})") from None
    if not isinstance(meta, dict):
        raise FormatError(meta_path, None, "expected a JSON object")
    if _depth(meta) > _MAX_META_DEPTH:
        raise FormatError(meta_path, None, f"values nested more than {_MAX_META_DEPTH} deep")
    if meta.get("format") != "embkit":
        raise FormatError(meta_path, None, f"format is {meta.get('format')!r}, expected 'embkit'")
    version = meta.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise FormatError(meta_path, None, f"format_version {version!r} is not a positive integer")
    if version > FORMAT_VERSION:
        raise FormatError(meta_path, None,
                          f"format_version {version} (written by embkit "
                          f"{meta.get('embkit_version', '?')}) is newer than this embkit "
                          f"{__version__} reads (up to {FORMAT_VERSION}); upgrade embkit")
    return meta


def read(path, limit=None, mmap=None, unicode_errors="strict"):
    """Read a native model directory with the reader of its kind (see :data:`KIND_READERS`).

    Parameters
    ----------
    path : str or os.PathLike
        The model directory.
    limit : int, optional
        Keep only the first ``limit`` rows (a warning is logged when the model has more).
    mmap : {None, "r", "r+", "c"}
        Memory-map the ``.npy`` files with this mode (:func:`numpy.load`'s ``mmap_mode``).
    unicode_errors : str
        Ignored: ``vocab.tsv`` is always strict UTF-8.

    Returns
    -------
    VectorData
        What the kind's reader returns; ``meta`` is ``meta.json`` without
        ``format``, ``format_version`` and ``has_counts``.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    FormatError
        When a file of the directory is missing or malformed (the message
        names it), or the kind is not one this embkit reads.
    """
    meta = read_meta(path)
    kind = meta.get("kind", WORD_KIND)
    reader = KIND_READERS.get(kind) if isinstance(kind, str) else None
    if reader is None:
        raise FormatError(Path(path) / "meta.json", None,
                          f"kind {kind!r} is not one this embkit {__version__} reads "
                          f"({', '.join(map(repr, KIND_READERS))}); upgrade embkit")
    return reader(path, meta, limit=limit, mmap=mmap)


def read_word_vectors(path, meta, limit=None, mmap=None):
    """Read the word vectors of a model directory whose ``meta.json`` (already checked) is ``meta``.

    Parameters
    ----------
    path : str or os.PathLike
        The model directory.
    meta : dict
        Its ``meta.json``, as :func:`read_meta` returns it.
    limit : int, optional
        Keep only the first ``limit`` rows.
    mmap : {None, "r", "r+", "c"}
        Memory-map ``vectors.npy`` and ``context.npy`` with this mode.

    Returns
    -------
    VectorData
        Vectors, counts (None when the model has none), context (None when
        there is no ``context.npy``) and meta without the format fields.

    Raises
    ------
    FormatError
        When a file is malformed (an ``.npy`` file that is not a plain
        2-D float32 array of dimension >= 1 holding exactly the bytes its
        header announces, a ``vocab.tsv`` line that is not ``word<TAB>count``
        with a count below 2**63), the files disagree on the number of rows,
        or a row holds a non-finite value.
    FileAccessError
        When a file cannot be read (missing, permission denied).
    MemoryBudgetError
        When the arrays (without ``mmap``) do not fit in the memory available.
    """
    d = Path(path)
    shape = _npy_shape(d / "vectors.npy")
    keys, counts = _read_vocab(d / "vocab.tsv")
    if len(keys) != shape[0]:
        raise FormatError(path, None, f"vectors.npy has {shape[0]} rows but vocab.tsv "
                                      f"has {len(keys)} words")
    has_context = (d / "context.npy").exists()
    if has_context and _npy_shape(d / "context.npy") != shape:
        raise FormatError(path, None, f"context.npy has shape {_npy_shape(d / 'context.npy')} but "
                                      f"vectors.npy has {shape}")
    vectors = _load_matrix(d / "vectors.npy", shape, mmap, limit)
    context = _load_matrix(d / "context.npy", shape, mmap, limit) if has_context else None
    if meta.get("has_counts", True) is False:
        counts = None
    if limit is not None and limit < len(keys):
        warn_limit(path, len(keys), limit)
        keys, vectors = keys[:limit], vectors[:limit]
        counts = None if counts is None else counts[:limit]
        context = None if context is None else context[:limit]
    for name, matrix in (("vectors.npy", vectors), ("context.npy", context)):
        bad = None if matrix is None else first_nonfinite_row(matrix)
        if bad is not None:
            raise FormatError(d / name, None, f"row {bad} ({keys[bad]!r}) has a non-finite value "
                                              f"({nonfinite_value(matrix[bad])})")
    kv_meta = {k: v for k, v in meta.items() if k not in _META_FORMAT_KEYS}
    return VectorData(keys, vectors, counts=counts, context=context, meta=kv_meta)


def read_subword_vectors(path, meta, limit=None, mmap=None):
    """Read a subword model directory: its word vectors, then ``ngrams.npy``, ``word_rows.npy`` and the settings.

    Parameters
    ----------
    path : str or os.PathLike
        The model directory.
    meta : dict
        Its ``meta.json``, as :func:`read_meta` returns it.
    limit : int, optional
        Keep only the first ``limit`` words (every n-gram row is kept).
    mmap : {None, "r", "r+", "c"}
        Memory-map the ``.npy`` files with this mode.

    Returns
    -------
    VectorData
        With ``subword`` set.

    Raises
    ------
    FormatError
        A missing or malformed file, shapes that disagree with each other or
        with ``meta.json``'s ``subword`` settings, or a hash other than
        fastText's.
    """
    d = Path(path)
    data = read_word_vectors(path, meta, limit=limit, mmap=mmap)
    settings = meta.get("subword")
    where = d / "meta.json"
    if not isinstance(settings, dict):
        raise FormatError(where, None, "kind is 'subword' but there is no 'subword' object (minn, maxn, bucket)")
    values = {}
    for key in ("minn", "maxn", "bucket"):
        v = settings.get(key)
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise FormatError(where, None, f"subword.{key} is {v!r}, expected a non-negative integer")
        values[key] = v
    if settings.get("hash", "fasttext") != "fasttext":
        raise FormatError(where, None, f"subword.hash is {settings.get('hash')!r}; this embkit {__version__} "
                                       "knows 'fasttext' only")
    for name in ("ngrams.npy", "word_rows.npy"):
        if not (d / name).is_file():
            raise FormatError(d / name, None, "missing: a subword model holds ngrams.npy and word_rows.npy")
    ngram_shape = _npy_shape(d / "ngrams.npy")
    if ngram_shape != (values["bucket"], data.dim):
        raise FormatError(d / "ngrams.npy", None, f"expected shape ({values['bucket']}, {data.dim}) "
                                                   f"(bucket, dim), found {ngram_shape}")
    ngrams = _load_matrix(d / "ngrams.npy", ngram_shape, mmap)
    rows_shape = _npy_shape(d / "word_rows.npy")
    word_rows = _load_matrix(d / "word_rows.npy", rows_shape, mmap, len(data.keys))[:len(data.keys)]
    if word_rows.shape != data.vectors.shape:
        raise FormatError(d / "word_rows.npy", None, f"expected shape {data.vectors.shape} (as vectors.npy), "
                                                      f"found {word_rows.shape}")
    bad = first_nonfinite_row(word_rows)
    if bad is not None:
        raise FormatError(d / "word_rows.npy", None, f"row {bad} ({data.keys[bad]!r}) has a non-finite value "
                                                      f"({nonfinite_value(word_rows[bad])})")
    data.subword = SubwordData(word_rows, ngrams, values["minn"], values["maxn"])
    return data


#: Readers of a model directory by the ``kind`` in its ``meta.json``:
#: ``reader(path, meta, limit=, mmap=) -> VectorData``, called after
#: :func:`read_meta` has checked the format and version. A new kind of model
#: adds its reader here.
KIND_READERS = {WORD_KIND: read_word_vectors, SUBWORD_KIND: read_subword_vectors}


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"a value of type {type(value).__name__} cannot be stored in JSON")


def _meta_json(data):
    now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    meta = {
        "format": "embkit",
        "format_version": FORMAT_VERSION,
        "embkit_version": data.meta.get("embkit_version") or __version__,
        "created": data.meta.get("created") or now,
        "has_counts": data.counts is not None,
    }
    meta.update((k, v) for k, v in data.meta.items() if k not in meta)
    if data.subword is not None:
        sub = data.subword
        meta["kind"] = SUBWORD_KIND
        meta["subword"] = {"minn": int(sub.minn), "maxn": int(sub.maxn), "bucket": int(sub.bucket),
                           "hash": "fasttext"}
    elif meta.get("kind") == SUBWORD_KIND:          # the word vectors of a subword model, without its n-grams
        meta["kind"] = WORD_KIND
        meta.pop("subword", None)
    try:
        return json.dumps(meta, indent=2, ensure_ascii=False, allow_nan=False,
                          default=_json_default) + "\n"
    except (TypeError, ValueError) as exc:
        raise InvalidDataError(f"cannot write meta.json: {exc}") from None


def token_problem(key):
    """Why ``vocab.tsv`` cannot hold ``key`` (a tab, newline, carriage return or U+FEFF), or None when it can.

    Parameters
    ----------
    key : str

    Returns
    -------
    str or None
    """
    if "\t" in key or "\n" in key or "\r" in key:
        return "vocab.tsv cannot hold a tab, newline or carriage return"
    if BOM in key:
        return BOM_PROBLEM
    return None


def write(data, path):
    """Write a native model directory, atomically (an existing model there is replaced in one step).

    ``meta.json`` holds ``format``, ``format_version``, ``embkit_version`` and
    ``created`` (taken from ``data.meta`` when there, else this embkit and
    now, ISO-8601 UTC), ``has_counts``, then the rest of ``data.meta``.
    Missing counts are written as 0.

    Parameters
    ----------
    data : VectorData
    path : str or os.PathLike
        The directory; callers check first (:func:`embkit.formats.check_output`)
        that it is not a file or a directory other than an embkit model.

    Raises
    ------
    EmbkitError
        A key :func:`token_problem` refuses, a non-finite value, or a meta
        value JSON cannot hold; nothing is written.
    """
    d = Path(path)
    check_writable(data, path, NAME, token_problem)
    meta_json = _meta_json(data)
    counts = data.counts if data.counts is not None else np.zeros(len(data.keys), dtype=np.int64)
    with atomic_dir(d) as tmp:
        np.save(tmp / "vectors.npy", np.asarray(data.vectors, dtype=np.float32))
        if data.context is not None:
            np.save(tmp / "context.npy", np.asarray(data.context, dtype=np.float32))
        if data.subword is not None:
            np.save(tmp / "word_rows.npy", np.asarray(data.subword.word_rows, dtype=np.float32))
            np.save(tmp / "ngrams.npy", np.asarray(data.subword.ngrams, dtype=np.float32))
        with open(tmp / "vocab.tsv", "w", encoding="utf-8", newline="\n") as f:
            f.write("".join(f"{key}\t{count}\n" for key, count in zip(data.keys, counts.tolist())))
        with open(tmp / "meta.json", "w", encoding="utf-8", newline="\n") as f:
            f.write(meta_json)
