"""The exception hierarchy: EmbkitError and the errors derived from it.

Every error a user can cause derives from :class:`EmbkitError`; the command
line prints its message on one line and exits with status 1.  Each class is
also the matching built-in exception (:class:`FormatError` a
:class:`ValueError`, :class:`MissingFileError` a :class:`FileNotFoundError`,
...), so ``except ValueError`` or ``except OSError`` keep working.
"""
import errno as _errno
import zipfile as _zipfile
import zlib as _zlib

__all__ = ["EmbkitError", "FormatError", "CorpusError", "MissingCorpusError", "FileAccessError",
           "MissingFileError", "FilePermissionError", "IsDirectoryError", "NotDirectoryError",
           "TrainingDivergedError", "MemoryBudgetError", "KeyNotFoundError", "InvalidParameterError",
           "ParameterTypeError", "UnknownParameterError", "NotFittedError", "InvalidDataError",
           "MissingDependencyError", "NPZ_ERRORS", "npz_reason", "show_path", "one_line", "file_error"]

#: What reading a damaged ``.npz`` file (a zip archive of ``.npy`` members) raises besides OSError and
#: ValueError: a truncated or overwritten archive, a member whose compressed data or CRC is wrong.
NPZ_ERRORS = (OSError, ValueError, EOFError, _zipfile.BadZipFile, _zlib.error)


def npz_reason(exc, path=None):
    """Why reading a ``.npz`` failed, for a message: NumPy's advice to unpickle is never passed on.

    NumPy reads a file that is neither a zip archive nor an ``.npy`` array
    as a pickle, and refuses it as "pickled data" even when it is plain text;
    with ``path`` such a file is described by its first bytes instead.

    Parameters
    ----------
    exc : Exception
        One of :data:`NPZ_ERRORS`.
    path : str or os.PathLike, optional
        The file, to tell a real pickle from other data.

    Returns
    -------
    str
    """
    if "allow_pickle" in str(exc) or "pickle" in str(exc).lower():
        head = None
        if path is not None:
            try:
                with open(path, "rb") as f:
                    head = f.read(8)
            except OSError:
                pass
        if head is not None and not head.startswith((b"\x80", b"PK", b"\x93NUMPY")):   # pickle, zip, .npy
            return f"not a NumPy .npz archive: it starts with {head!r}" if head else "the file is empty"
        return "it holds pickled Python objects, which embkit never loads"
    return str(exc)


def open_npz(path):
    """``numpy.load(path, allow_pickle=False)``, always an ``.npz`` archive (use it in a ``with``).

    An ``.npy`` array (whatever its name) raises a ValueError, one of
    :data:`NPZ_ERRORS`, so readers report it as the other damaged or wrong
    files instead of failing on the archive's interface.
    """
    import numpy as np

    z = np.load(path, allow_pickle=False)
    if not isinstance(z, np.lib.npyio.NpzFile):
        raise ValueError("a NumPy .npy array, not an .npz archive")
    return z


def show_path(path):
    """A path as error messages show it: as it is, or quoted and escaped when it holds a character that is
    not printable (a newline, a tab, a terminal escape, an undecodable byte), so a message stays one line.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    str
    """
    text = str(path)
    return text if text.isprintable() else repr(text)


def one_line(text):
    """``text`` with its line breaks and other control characters escaped (``\\n``, ``\\x1b``), tabs kept.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == "\t" else repr(ch)[1:-1] for ch in text)


class EmbkitError(Exception):
    """Base class of all errors caused by input, settings or data."""


class FormatError(EmbkitError, ValueError):
    """A file does not have the expected format.

    Parameters
    ----------
    path : str
        The file.
    lineno : int or None
        1-based line number, or None when the fault is not on one line.
    message : str
        What was expected and what was found.
    """

    def __init__(self, path, lineno, message):
        self.path = str(path)
        self.lineno = lineno
        self.message = message
        shown = show_path(self.path)
        where = shown if lineno is None else f"{shown}, line {lineno}"
        super().__init__(f"{where}: {message}")


class CorpusError(EmbkitError, ValueError):
    """The corpus cannot be read or yields nothing to train on."""


class FileAccessError(EmbkitError, OSError):
    """A file or directory cannot be opened, read or written (an :class:`OSError` with ``errno`` and ``filename``).

    The subclasses are also the matching built-in: :class:`MissingFileError`
    a :class:`FileNotFoundError`, :class:`FilePermissionError` a
    :class:`PermissionError`, :class:`IsDirectoryError` an
    :class:`IsADirectoryError`, :class:`NotDirectoryError` a
    :class:`NotADirectoryError`.

    Parameters
    ----------
    errno : int or None
        The error number (:mod:`errno`).
    reason : str
        What is wrong (``strerror``), e.g. "no such file or directory".
    path : str or os.PathLike
        The file (``filename``).
    message : str, optional
        The whole message; default ``"<path>: <reason>"``.
    """

    def __init__(self, errno, reason, path, message=None):
        super().__init__(errno, reason, str(path))
        self.message = message or f"{show_path(path)}: {reason}"

    def __str__(self):
        return self.message


class MissingFileError(FileAccessError, FileNotFoundError):
    """A file or directory to read does not exist."""


class FilePermissionError(FileAccessError, PermissionError):
    """A file or directory may not be read."""


class IsDirectoryError(FileAccessError, IsADirectoryError):
    """A directory was given where a file is needed."""


class NotDirectoryError(FileAccessError, NotADirectoryError):
    """A file was given (or is on the path) where a directory is needed."""


class MissingCorpusError(CorpusError, MissingFileError):
    """A corpus input names nothing that exists (a :class:`CorpusError` and a :class:`FileNotFoundError`)."""


_FILE_ERRORS = ((FileNotFoundError, MissingFileError), (PermissionError, FilePermissionError),
                (IsADirectoryError, IsDirectoryError), (NotADirectoryError, NotDirectoryError))


def file_error(exc, path=None, message=None):
    """The :class:`FileAccessError` subclass instance matching the :class:`OSError` ``exc``.

    Parameters
    ----------
    exc : OSError
        What opening or reading raised; an :class:`EmbkitError` is returned as it is.
    path : str or os.PathLike, optional
        The file, when ``exc`` does not name it.
    message : str, optional
        The whole message; default ``"<path>: <reason>"``.

    Returns
    -------
    EmbkitError
    """
    if isinstance(exc, EmbkitError):
        return exc
    cls = next((ours for builtin, ours in _FILE_ERRORS if isinstance(exc, builtin)), FileAccessError)
    name = exc.filename if exc.filename is not None else path
    reason = exc.strerror or str(exc) or type(exc).__name__
    reason = reason[:1].lower() + reason[1:] if reason[1:2].islower() else reason
    if name is None:
        return cls(exc.errno, reason, "", message=message or reason)
    return cls(exc.errno if exc.errno is not None else _errno.EIO, reason, name, message=message)


class TrainingDivergedError(EmbkitError, FloatingPointError):
    """Training produced non-finite (NaN or inf) losses or weights."""


class MemoryBudgetError(EmbkitError, MemoryError):
    """The estimated memory of a job exceeds the allowed budget."""


class KeyNotFoundError(EmbkitError, KeyError):
    """A key asked for is not there: a word not in the vocabulary, a slice, data set or lexicon name not known.

    A :class:`KeyError` (so ``except KeyError`` works) and an
    :class:`EmbkitError` (so the command line reports it on one line).

    Parameters
    ----------
    key : str
        The missing key (kept as ``key``).
    n_words : int, optional
        Size of the vocabulary, for the default message.
    message : str, optional
        The whole message; default ``"'<key>' is not in the vocabulary (<n_words> words)"``.
    """

    def __init__(self, key, n_words=None, message=None):
        self.key = key
        self.message = message or f"{key!r} is not in the vocabulary ({n_words} words)"
        super().__init__(self.message)

    def __str__(self):
        return self.message


class InvalidParameterError(EmbkitError, ValueError):
    """A parameter has the wrong type or lies outside its documented range.

    Parameters
    ----------
    message : str
        What was given and what is allowed.
    param : str, optional
        The parameter's name (the command line turns it into ``--name``).
    """

    def __init__(self, message, param=None):
        self.param = param
        super().__init__(message)


class ParameterTypeError(InvalidParameterError, TypeError):
    """A parameter has the wrong type (also a :class:`TypeError`), e.g. ``limit=1.5``."""


class UnknownParameterError(EmbkitError, TypeError):
    """An estimator was given a keyword argument it does not have.

    The message names the embkit parameter when the keyword is another
    library's name for it (gensim's ``vector_size`` is ``dim``).
    """


class NotFittedError(EmbkitError, AttributeError):
    """A method or attribute needs something that is trained first (``est.wv`` before ``fit``, slices before
    their compass)."""


class InvalidDataError(EmbkitError, ValueError):
    """Data given as an argument cannot be used as it is: too few vectors, non-finite or negative values,
    shapes or dimensions that disagree, a bundled file whose checksum does not match.

    Unlike :class:`InvalidParameterError` it is about the data, not a setting: the command line reports it
    as an error in the input (exit status 1), never as a usage error.
    """


class MissingDependencyError(EmbkitError, ImportError):
    """An optional package a feature needs (e.g. matplotlib for plots) is not installed."""
