"""Reading and writing word vectors: :func:`load` and :func:`save`, over the formats of :mod:`embkit.formats`.

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
from . import formats
from .exceptions import ParameterTypeError
from .formats import (
    FORMATS,
    NATIVE,
    NATIVE_FORMAT_VERSION,
    WORD2VEC,
    WORD2VEC_BIN,
    check_output,
    detect_format,
    format_from_name,
)
from .subword_vectors import SubwordVectors
from .vectors import KeyedVectors

__all__ = ["load", "save", "check_output", "detect_format", "format_from_name", "FORMATS",
           "NATIVE", "WORD2VEC", "WORD2VEC_BIN", "NATIVE_FORMAT_VERSION"]


def load(path, format=None, limit=None, mmap=None, *, unicode_errors="strict"):
    """Read word vectors.

    Parameters
    ----------
    path : str or os.PathLike
        A native model directory or a word2vec text/binary file (text files
        may be ``.gz``/``.bz2``/``.xz`` compressed).
    format : {"native", "word2vec", "word2vec-bin", "fasttext-bin"}, optional
        Default: from the name (see :func:`~embkit.formats.format_from_name`);
        an existing directory is native and a file whose name does not tell
        is recognised from its content.
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
        Counts and the context matrix only come from the native format and
        fastText ``.bin``. ``meta`` holds the native ``meta.json`` minus the
        format fields. A subword model (a native one of kind ``subword``, or
        a fastText ``.bin``) gives a
        :class:`~embkit.subword_vectors.SubwordVectors`.

    Raises
    ------
    FormatError
        When the file is malformed: the message names the file, the line
        (text; 1-based, the header is line 1) or row and byte offset
        (binary), what was expected and what was found. Also for damaged or
        truncated compressed data, and for sizes in a header that the file
        is too short to hold (checked before anything is allocated).
    FileAccessError
        When the file cannot be read; also the matching built-in:
        :class:`~embkit.exceptions.MissingFileError` is a
        FileNotFoundError, :class:`~embkit.exceptions.FilePermissionError`
        a PermissionError.
    MemoryBudgetError
        When the vectors would not fit in the memory available.
    EmbkitError
        When the format cannot be told or is not supported (fastText
        ``.bin``).
    InvalidParameterError
        An unknown format, a negative ``limit`` or an unknown ``mmap`` mode
        (a ValueError).

    Every exception above is an :class:`~embkit.exceptions.EmbkitError`.
    """
    data = formats.read(path, format=format, limit=limit, mmap=mmap, unicode_errors=unicode_errors)
    if data.subword is not None:
        return SubwordVectors.from_data(data)
    return KeyedVectors(data.keys, data.vectors, counts=data.counts, context=data.context, meta=data.meta)


def save(kv, path, format=None):
    """Write word vectors, atomically.

    Parameters
    ----------
    kv : KeyedVectors
    path : str or os.PathLike
        Target file (word2vec formats; ``.gz``/``.bz2``/``.xz`` compress)
        or directory (native; an existing embkit model directory is
        replaced, any other existing directory is refused).
    format : {"native", "word2vec", "word2vec-bin", "fasttext-bin"}, optional
        Default: from the name (see :func:`~embkit.formats.format_from_name`);
        an existing directory is native.

    Raises
    ------
    TypeError
        When ``kv`` is not a KeyedVectors.
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
        raise ParameterTypeError(f"save() needs a KeyedVectors, got {type(kv).__name__}")
    formats.write(kv, path, format=format)
