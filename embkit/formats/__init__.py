"""The registry of vector formats: each format's reader, writer and token check, and dispatch to them.

Given a path, the registry tells its format from the name or from the
content, and reads or writes through that format's module.

Formats
-------
``"native"``
    An embkit model directory (:mod:`embkit.formats.native`): lossless,
    memory-mappable, with counts, the context matrix and metadata.
``"word2vec"``
    word2vec text, and headerless GloVe text when reading
    (:mod:`embkit.formats.word2vec_text`).
``"word2vec-bin"``
    word2vec binary (:mod:`embkit.formats.word2vec_binary`).
``"fasttext-bin"``
    Facebook fastText's ``.bin`` model (:mod:`embkit.formats.fasttext_bin`),
    recognised by its magic number; a ``.bin`` output name gives this format
    for subword vectors and word2vec binary for word vectors.

Readers are strict: a header that disagrees with the body, a row with the
wrong number of values, a value that is not a number, a non-finite value or
a repeated token raises :class:`~embkit.exceptions.FormatError` naming the
file, the line (or row and byte offset) and what was expected and found.
Writers refuse tokens their format cannot give back and non-finite values,
and write atomically.

Readers return, and writers take, a :class:`VectorData` (keys, vectors,
counts, context, meta): this package knows nothing of
:class:`~embkit.vectors.KeyedVectors`, which :mod:`embkit.io` builds.
"""
import codecs
import dataclasses
import errno
import operator
from pathlib import Path
from typing import Callable, Optional

from .._outputs import check_file_output, check_output_not_input, check_writable_location, is_model_dir
from ..exceptions import (
    FormatError,
    InvalidParameterError,
    IsDirectoryError,
    NotDirectoryError,
    ParameterTypeError,
    file_error,
    show_path,
)
from . import fasttext_bin, native, word2vec_binary, word2vec_text
from ._common import SubwordData, VectorData, parse_header
from ._sniff import DECOMPRESS_ERRORS, MAGIC_BYTES, check_integrity, compression_hint, open_read, split_compression

__all__ = ["Format", "REGISTRY", "FORMATS", "NATIVE", "WORD2VEC", "WORD2VEC_BIN", "FASTTEXT_BIN",
           "NATIVE_FORMAT_VERSION", "VectorData", "SubwordData", "format_from_name", "detect_format", "get_format",
           "check_output", "read", "write"]

NATIVE = native.NAME
WORD2VEC = word2vec_text.NAME
WORD2VEC_BIN = word2vec_binary.NAME
#: fastText's own ``.bin`` (a subword model). Recognised by its magic number so
#: it is never misread as word2vec binary.
FASTTEXT_BIN = fasttext_bin.NAME

#: Version of the native directory layout written (and the newest one read).
NATIVE_FORMAT_VERSION = native.FORMAT_VERSION

_FASTTEXT_MAGIC = fasttext_bin.MAGIC.to_bytes(4, "little")


@dataclasses.dataclass(frozen=True)
class Format:
    """One entry of :data:`REGISTRY`.

    Parameters
    ----------
    name : str
        The format's name, as ``format=`` takes it.
    read : callable or None
        ``read(path, limit=, mmap=, unicode_errors=) -> VectorData``; None
        for a format that is recognised but cannot be read yet.
    write : callable or None
        ``write(data: VectorData, path)``, atomic; None when not writable.
    token_problem : callable or None
        ``token_problem(key) -> str or None``: why the format cannot hold a key.
    suffixes : tuple of str
        Name suffixes (lower case, before any compression suffix) that stand
        for the format; ``""`` is a name without one.
    directory : bool
        True when the format is a directory rather than a file.
    """

    name: str
    read: Optional[Callable]
    write: Optional[Callable]
    token_problem: Optional[Callable]
    suffixes: tuple = ()
    directory: bool = False


#: Every format by name. A new format is a module of this package and an entry here.
REGISTRY = {
    NATIVE: Format(NATIVE, native.read, native.write, native.token_problem,
                   suffixes=(".embkit", ""), directory=True),
    WORD2VEC: Format(WORD2VEC, word2vec_text.read, word2vec_text.write, word2vec_text.token_problem,
                     suffixes=(".vec", ".txt")),
    WORD2VEC_BIN: Format(WORD2VEC_BIN, word2vec_binary.read, word2vec_binary.write,
                         word2vec_binary.token_problem, suffixes=(".bin",)),
    FASTTEXT_BIN: Format(FASTTEXT_BIN, fasttext_bin.read, fasttext_bin.write, fasttext_bin.token_problem),
}

#: Formats :func:`read` and :func:`write` handle (what ``format=`` accepts).
FORMATS = tuple(name for name, f in REGISTRY.items() if f.read is not None and f.write is not None)

_SUFFIX_FORMATS = {suffix: f.name for f in REGISTRY.values() for suffix in f.suffixes}


def get_format(name):
    """The registry entry of the format ``name``.

    Parameters
    ----------
    name : str
        One of :data:`FORMATS`.

    Returns
    -------
    Format

    Raises
    ------
    InvalidParameterError
        When ``name`` is not one of :data:`FORMATS` (a ValueError).
    """
    if name not in FORMATS:
        raise InvalidParameterError(f"unknown format {name!r}; expected one of {', '.join(FORMATS)}", "format")
    return REGISTRY[name]


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
    base, compression = split_compression(Path(path).name)
    fmt = _SUFFIX_FORMATS.get(Path(base).suffix.lower())
    if fmt is not None and REGISTRY[fmt].directory and compression is not None:
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
    IsDirectoryError
        When ``path`` is a directory without ``meta.json`` whose name says a
        vectors file (``adir.vec``).
    EmbkitError
        When the format cannot be told.
    """
    p = Path(path)
    fmt = format_from_name(p)
    if p.is_dir():
        if fmt not in (None, NATIVE) and not (p / "meta.json").exists():
            raise IsDirectoryError(errno.EISDIR, "is a directory", path, message=(
                f"{show_path(path)} is a directory, not a {fmt} vectors file (a native embkit model directory "
                "would hold meta.json; this one does not)"))
        return NATIVE
    if p.is_file():
        if fmt in (None, NATIVE, WORD2VEC_BIN):
            return _sniff(p, fmt)
        return fmt
    if fmt is None:
        raise InvalidParameterError(f"cannot tell the format of {str(path)!r} from its name; "
                                    f"name the format ({', '.join(FORMATS)})")
    return fmt


def _sniff(path, by_name):
    """Format of an existing file from its first 64 KiB."""
    with open_read(path) as f:
        head = f.read(1 << 16)
    if head[:4] == _FASTTEXT_MAGIC:
        return FASTTEXT_BIN
    if _is_pickle(head):
        raise _pickle_error(path)
    if by_name == WORD2VEC_BIN:
        return WORD2VEC_BIN
    first, _, rest = head.partition(b"\n")
    if parse_header(first) is not None:
        try:
            codecs.getincrementaldecoder("utf-8")().decode(rest, final=False)
            is_text = b"\0" not in rest
        except UnicodeDecodeError:
            is_text = False
        return WORD2VEC if is_text else WORD2VEC_BIN
    if len(first.split()) >= 2:
        return WORD2VEC        # headerless (GloVe) text
    raise InvalidParameterError(f"cannot tell the format of {str(path)!r}: it is neither word2vec text "
                                f"nor word2vec binary; name the format ({', '.join(FORMATS)})")


def _check_limit(limit):
    if limit is None:
        return None
    if isinstance(limit, bool):
        raise InvalidParameterError(f"limit must be a non-negative integer, got {limit!r}", "limit")
    try:
        limit = operator.index(limit)
    except TypeError:
        raise ParameterTypeError(f"limit must be a non-negative integer, got {limit!r}", "limit") from None
    if limit < 0:
        raise InvalidParameterError(f"limit must be a non-negative integer, got {limit!r}", "limit")
    return limit


def read(path, format=None, limit=None, mmap=None, *, unicode_errors="strict"):
    """Read vectors with the reader of their format (see :func:`embkit.io.load`, which builds on it).

    Parameters
    ----------
    path : str or os.PathLike
    format : {"native", "word2vec", "word2vec-bin", "fasttext-bin"}, optional
        Default: :func:`detect_format`.
    limit : int, optional
        Read only the first ``limit`` rows.
    mmap : {None, "r", "r+", "c"}
        Memory-map the native format's ``.npy`` files with this mode.
    unicode_errors : str
        How to decode tokens that are not valid UTF-8.

    Returns
    -------
    VectorData

    Raises
    ------
    InvalidParameterError
        An unknown format, a negative limit or an unknown mmap mode (a ValueError).
    FormatError
        When the file is malformed, or compressed data is damaged or
        truncated; a file that looks like the other word2vec format gets a
        hint saying so.
    FileAccessError
        When the file cannot be read: :class:`~embkit.exceptions.MissingFileError`
        (a FileNotFoundError), :class:`~embkit.exceptions.FilePermissionError`
        (a PermissionError), ...
    MemoryBudgetError
        When the vectors would not fit in the memory available.
    EmbkitError
        When the format cannot be told or cannot be read (fastText ``.bin``).
    """
    limit = _check_limit(limit)
    if mmap not in (None, "r", "r+", "c"):
        raise InvalidParameterError(f"mmap must be None, 'r', 'r+' or 'c', got {mmap!r}", "mmap")
    fmt = None
    try:
        fmt = detect_format(path) if format is None else get_format(format).name
        reader = REGISTRY[fmt].read
        if reader is None:
            raise InvalidParameterError(
                f"{show_path(path)}: reading {fmt} files is not supported yet; load the .vec text file "
                f"fastText writes next to the .bin instead")
        return reader(path, limit=limit, mmap=mmap, unicode_errors=unicode_errors)
    except OSError as exc:
        raise file_error(exc, path) from None
    except FormatError as exc:
        if _starts_with_pickle(path):        # named .vec/.txt, so read as text: the real reason first
            raise _pickle_error(path) from None
        damage = check_integrity(path)       # malformed data in a compressed file: report the damage
        if damage is not None:
            raise damage from None
        squeezed = _compressed_hint(path)
        if squeezed is not None:         # the symptom (a bad token or header) says nothing useful
            raise FormatError(path, None, f"cannot read it as {fmt}: {squeezed}") from None
        hint = _other_format_hint(path, fmt) if fmt in (WORD2VEC, WORD2VEC_BIN) else None
        if hint is None:
            raise
        raise FormatError(exc.path, exc.lineno, f"{exc.message}; {hint}") from None


def _is_pickle(head):
    """True when bytes start as a Python pickle of protocol 2 to 5 does."""
    return head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05")


def _starts_with_pickle(path):
    try:
        with open_read(path) as f:
            return _is_pickle(f.read(2))
    except (OSError, EOFError, ValueError):
        return False


def _pickle_error(path):
    return FormatError(path, None, "a Python pickle (what gensim's model.save() and KeyedVectors.save() write): "
                       "embkit never loads pickles, which can run code; in gensim, write "
                       "model.wv.save_word2vec_format('vectors.bin', binary=True), or save_facebook_model() "
                       "for a FastText model")


def _compressed_hint(path):
    """A hint when a file named without a compression suffix holds compressed data, else None."""
    if split_compression(Path(path).name, reading=True)[1] is not None:
        return None
    try:
        with open(path, "rb") as f:
            return compression_hint(f.read(MAGIC_BYTES), path)
    except OSError:
        return None


def _other_format_hint(path, fmt):
    """A hint when a malformed file looks like the other word2vec format, else None."""
    try:
        with open_read(path) as f:
            head = f.read(1 << 16)
    except (FormatError, *DECOMPRESS_ERRORS):
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


def check_output(path, format=None, inputs=(), creates=None):
    """Check, before any work, that vectors can be written to ``path``.

    Parameters
    ----------
    path : str or os.PathLike
        The output (see :func:`embkit.io.save`).
    format : {"native", "word2vec", "word2vec-bin", "fasttext-bin"}, optional
        Explicit format; it must agree with the name's extension when that
        names a format (so that every file written can be read back by name).
    inputs : sequence of str, optional
        Files the job reads; writing over one of them is refused.
    creates : str or os.PathLike, optional
        A directory the job creates (``align -o DIR``), which may be missing;
        any other missing directory on the way to ``path`` is refused.

    Returns
    -------
    str
        The format that will be written.

    Raises
    ------
    ValueError
        An unknown format.
    MissingFileError
        When the directory that would hold ``path`` does not exist (a
        FileNotFoundError).
    EmbkitError
        A name that tells no format (without ``format``) or contradicts
        ``format``, an output that would replace an input, a file where a
        directory is needed (or the reverse), a directory that is not an
        embkit model, or a location that cannot be written.
    """
    p = Path(path)
    named = format_from_name(p)
    if format is None:
        format = named if named not in (None, NATIVE) or not p.is_dir() else NATIVE
        if format is None:
            raise InvalidParameterError(f"cannot tell the output format from the name {str(path)!r}; "
                                        f"use .embkit (native), .vec/.txt (word2vec text) or .bin (word2vec binary), "
                                        f"or give format= ({', '.join(FORMATS)})")
    entry = get_format(format)
    if named == WORD2VEC_BIN and entry.name == FASTTEXT_BIN:
        named = FASTTEXT_BIN                 # both are .bin files; reading tells them apart by the magic number
    if named is not None and named != entry.name and Path(split_compression(p.name)[0]).suffix:
        raise InvalidParameterError(f"the name {str(path)!r} stands for {named} but the format asked for is "
                                    f"{entry.name}; choose a name that matches, so the file can be read back")
    if not entry.directory:
        check_file_output(path, inputs, what=f"{entry.name} vectors", creates=creates)
        return entry.name
    check_output_not_input(p, inputs)
    if p.exists() and not p.is_dir():
        raise NotDirectoryError(errno.ENOTDIR, "not a directory", path,
                                message=f"cannot write a native model to {path}: it exists and is not a directory")
    if p.is_dir() and any(p.iterdir()) and not is_model_dir(p):
        raise InvalidParameterError(f"refusing to replace directory {path}: it is not an embkit model "
                                    f"(no meta.json with format 'embkit')")
    check_writable_location(path, creates)
    return entry.name


def write(data, path, format=None):
    """Check the output (:func:`check_output`), then write with the writer of the format.

    Parameters
    ----------
    data : VectorData or KeyedVectors
        Anything :meth:`VectorData.of` takes.
    path : str or os.PathLike
    format : {"native", "word2vec", "word2vec-bin", "fasttext-bin"}, optional
        Default: from the name (see :func:`check_output`).

    Raises
    ------
    EmbkitError
        See :func:`check_output` and the format's writer (refused keys,
        non-finite values, meta that JSON cannot hold).
    OSError
        When the file cannot be written.
    """
    data = VectorData.of(data)
    if format is None and data.subword is not None and format_from_name(path) == WORD2VEC_BIN:
        format = FASTTEXT_BIN                # a subword model's .bin is fastText's
    format = check_output(path, format)
    REGISTRY[format].write(data, path)
