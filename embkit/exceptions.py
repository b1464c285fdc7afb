"""The exception hierarchy: EmbkitError and the errors derived from it.

Every error a user can cause derives from :class:`EmbkitError`; the command
line prints its message on one line and exits with status 1.
"""


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
        where = self.path if lineno is None else f"{self.path}, line {lineno}"
        super().__init__(f"{where}: {message}")


class CorpusError(EmbkitError, ValueError):
    """The corpus cannot be read or yields nothing to train on."""


class TrainingDivergedError(EmbkitError, FloatingPointError):
    """Training produced non-finite (NaN or inf) losses or weights."""


class MemoryBudgetError(EmbkitError, MemoryError):
    """The estimated memory of a job exceeds the allowed budget."""


class KeyNotFoundError(EmbkitError, KeyError):
    """A key asked for is not in the vocabulary.

    A :class:`KeyError` (so ``except KeyError`` works) and an
    :class:`EmbkitError` (so the command line reports it on one line).

    Parameters
    ----------
    key : str
        The missing key (kept as ``key``).
    n_words : int
        Size of the vocabulary, for the message.
    """

    def __init__(self, key, n_words):
        self.key = key
        self.message = f"{key!r} is not in the vocabulary ({n_words} words)"
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


class UnknownParameterError(EmbkitError, TypeError):
    """An estimator was given a keyword argument it does not have.

    The message names the embkit parameter when the keyword is another
    library's name for it (gensim's ``vector_size`` is ``dim``).
    """


class NotFittedError(EmbkitError, AttributeError):
    """A method needs something that is trained first (e.g. slices before their compass)."""
