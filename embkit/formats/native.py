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
from pathlib import Path

import numpy as np

from .._atomic import atomic_dir
from .._version import __version__
from ..exceptions import EmbkitError, FormatError
from ._common import SubwordData, VectorData, check_writable, first_nonfinite_row, nonfinite_value, warn_limit

__all__ = ["NAME", "FORMAT_VERSION", "WORD_KIND", "SUBWORD_KIND", "KIND_READERS", "read", "read_meta",
           "read_word_vectors", "read_subword_vectors", "write", "token_problem"]

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


def read_meta(path):
    """The checked ``meta.json`` of the model directory ``path``.

    Parameters
    ----------
    path : str or os.PathLike
        The model directory.

    Returns
    -------
    dict
        The whole of ``meta.json`` (format fields included).

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    FormatError
        When ``path`` is a file, ``meta.json`` is missing or not a JSON
        object, its format is not ``"embkit"``, or its ``format_version`` is
        not a positive integer or is newer than this embkit reads.
    """
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
        When a file is malformed, the files disagree on the number of rows,
        or a row holds a non-finite value.
    """
    d = Path(path)
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
    ngrams = _load_matrix(d / "ngrams.npy", mmap)
    word_rows = _load_matrix(d / "word_rows.npy", mmap)[:len(data.keys)]
    if ngrams.shape != (values["bucket"], data.dim):
        raise FormatError(d / "ngrams.npy", None, f"expected shape ({values['bucket']}, {data.dim}) "
                                                   f"(bucket, dim), found {ngrams.shape}")
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
        raise EmbkitError(f"cannot write meta.json: {exc}") from None


def token_problem(key):
    """Why ``vocab.tsv`` cannot hold ``key`` (a tab, newline or carriage return), or None when it can.

    Parameters
    ----------
    key : str

    Returns
    -------
    str or None
    """
    if "\t" in key or "\n" in key or "\r" in key:
        return "vocab.tsv cannot hold a tab, newline or carriage return"
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
