"""Output-path checks shared by every writer: run before any work, they refuse what a write would damage.

Vector files, model directories and vocabularies are all checked here: an
output must not replace one of the job's inputs, sit inside an embkit model
directory, be a device, pipe or socket, or lie where no file can be created;
its directory must exist (a typo in a directory name would otherwise create
a tree), unless the job documents that it creates that directory.
:func:`output_file` and :func:`write_figure` check, then write atomically:
every library writer of a file the caller names goes through them or through
:func:`embkit.formats.write` (only the cache's private directories do not).
"""
import contextlib
import errno
import json
import logging
import os
import re
import tempfile
from pathlib import Path

from ._atomic import atomic_file
from .exceptions import (
    InvalidParameterError,
    IsDirectoryError,
    MissingFileError,
    NotDirectoryError,
    file_error,
    show_path,
)

log = logging.getLogger(__name__)
_GLYPHS_REPORTED = set()
_GLYPH = re.compile(r"Glyph (\d+) .*missing from")      # matplotlib's warning for a character its font lacks

__all__ = ["check_file_output", "check_output_not_input", "check_not_inside_model",
           "check_writable_location", "is_model_dir", "output_file", "FIGURE_FORMATS", "figure_format",
           "check_figure_output", "write_figure"]

FIGURE_FORMATS = ("png", "pdf", "svg")
"""The figure formats written, named by the file's suffix (matplotlib writes them without extra packages)."""


def is_model_dir(path):
    """True when ``path`` is a directory holding an embkit model (``meta.json`` with format ``"embkit"``).

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    bool
        False for anything unreadable or malformed; never raises.
    """
    try:
        with open(Path(path) / "meta.json", encoding="utf-8") as f:
            return json.load(f).get("format") == "embkit"
    except (OSError, ValueError, AttributeError):
        return False


def check_file_output(path, inputs=(), what="a file", creates=None, stdout_hint=None):
    """Check, before any work, that a single file can be written to ``path``.

    Refused: an output that is one of ``inputs`` or inside one, a directory,
    a file inside an embkit model, a device/pipe/socket, and a location
    where no file can be created.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write.
    inputs : sequence of str, optional
        Files (or directories) the job reads.
    what : str
        What is written, for the messages (``"a vocabulary"``).
    creates : str or os.PathLike, optional
        A directory the job creates (``align -o DIR``): it may be missing.
    stdout_hint : str, optional
        Added in parentheses to the refusal of ``/dev`` and ``/proc``
        names: how the job writes to standard output, when it can.

    Raises
    ------
    MissingFileError
        When the directory that would hold ``path`` does not exist.
    EmbkitError
        Naming ``path`` and why it is refused.
    """
    check_output_not_input(path, inputs)
    if Path(path).is_dir():
        raise IsDirectoryError(errno.EISDIR, "is a directory", path,
                               message=f"cannot write {what} to {path}: it is a directory")
    check_not_inside_model(path)
    check_writable_location(path, creates, stdout_hint)


def check_output_not_input(path, inputs):
    """Refuse to write ``path`` when that would replace one of ``inputs``.

    Paths are compared after resolving links; ``"-"`` (standard input) is
    never a file.

    Parameters
    ----------
    path : str or os.PathLike
        The output.
    inputs : sequence of str or os.PathLike
        Files or directories the job reads; an output inside an input
        directory is refused too.

    Raises
    ------
    EmbkitError
        When the output is an input or inside one.
    """
    target = os.path.realpath(path)
    for src in inputs:
        if src == "-" or not os.path.exists(src):
            continue
        real = os.path.realpath(src)
        if real == target or (os.path.isdir(real) and target.startswith(real.rstrip(os.sep) + os.sep)):
            raise InvalidParameterError(f"the output {str(path)!r} is also an input, or inside one; "
                                        "choose another output name")


def check_not_inside_model(path):
    """Refuse to write the file ``path`` inside an embkit model directory.

    Parameters
    ----------
    path : str or os.PathLike

    Raises
    ------
    EmbkitError
        When the directory holding ``path`` is an embkit model, which the file would damage.
    """
    inside = Path(os.path.realpath(path)).parent
    if is_model_dir(inside):
        raise InvalidParameterError(f"refusing to write {path}: it is inside the embkit model {inside}, "
                                    "which it would damage; choose another place")


def check_writable_location(path, creates=None, stdout_hint=None):
    """Refuse ``path`` unless its directory exists and a file can be created in it.

    Missing directories are not created (a typo in a directory name would
    otherwise create a tree), except ``creates``. The directory gets a probe
    file (created and removed at once): permission bits alone do not tell,
    e.g. on read-only mounts or in ``/proc``.

    Parameters
    ----------
    path : str or os.PathLike
    creates : str or os.PathLike, optional
        A directory the job documents that it creates: it may be missing
        (its own parent may not).
    stdout_hint : str, optional
        Added in parentheses to the refusal of ``/dev`` and ``/proc``
        names, e.g. how the job writes to standard output.

    Raises
    ------
    MissingFileError
        When a directory on the way to ``path`` does not exist (a
        FileNotFoundError naming the highest missing one).
    EmbkitError
        When ``path`` is a device, pipe or socket, lies under ``/dev`` or
        ``/proc``, or its directory is not writable.
    """
    if os.path.exists(path) and not os.path.isfile(path) and not os.path.isdir(path):
        raise InvalidParameterError(f"cannot write {path}: it is not a regular file (a device, pipe or socket), which "
                                    "an atomic write would replace; write to a file")
    if os.path.abspath(path).startswith(("/dev/", "/proc/")):
        # /dev/stdout and friends lead to whatever a descriptor is open on: an atomic write would replace
        # that file (a redirect target, a log) instead of writing to the stream
        raise InvalidParameterError(f"cannot write {path}: outputs go to files, not to /dev or /proc"
                                    + (f" ({stdout_hint})" if stdout_hint else ""))
    parent = Path(os.path.realpath(path)).parent
    allowed = None if creates is None else Path(os.path.realpath(creates))
    missing = None
    while not parent.exists():
        if parent != allowed:
            missing = parent
        parent = parent.parent
    if missing is not None:
        raise MissingFileError(errno.ENOENT, "no such directory", missing,
                               message=f"cannot write {show_path(path)}: directory {show_path(missing)} does "
                                       "not exist (embkit does not create it; check the name or create it first)")
    if not parent.is_dir():
        raise NotDirectoryError(errno.ENOTDIR, "not a directory", parent,
                                message=f"cannot write {path}: {parent} is not a directory")
    try:
        fd, probe = tempfile.mkstemp(prefix=".embkit-probe.", dir=parent)
    except OSError as exc:
        raise file_error(exc, parent, message=f"cannot write {path}: directory {parent} is not writable "
                                              f"({exc.strerror or exc})") from None
    os.close(fd)
    os.unlink(probe)


@contextlib.contextmanager
def output_file(path, mode="wb", inputs=(), what="a file"):
    """Check ``path`` (:func:`check_file_output`), then open it for an atomic write (``embkit._atomic``).

    Parameters
    ----------
    path : str or os.PathLike
        The file to write.
    mode : {"wb", "w"}
        Binary, or text (UTF-8, ``\\n`` line ends).
    inputs : sequence of str or os.PathLike, optional
        Files (or directories) the job reads, which the output may not replace.
    what : str
        What is written, for the messages (``"a vocabulary"``).

    Yields
    ------
    file object
        A temporary file beside ``path``, renamed to ``path`` once the block
        ends without an exception.

    Raises
    ------
    EmbkitError
        See :func:`check_file_output`.
    """
    check_file_output(path, inputs, what=what)
    with atomic_file(path, mode) as f:
        yield f


def figure_format(path):
    """The figure format that the suffix of ``path`` names: ``"png"``, ``"pdf"`` or ``"svg"``.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    str

    Raises
    ------
    InvalidParameterError
        Another suffix, or none (``param="plot"``).
    """
    suffix = Path(path).suffix.lower()[1:]
    if suffix not in FIGURE_FORMATS:
        names = ", ".join(f".{f}" for f in FIGURE_FORMATS[:-1]) + f" or .{FIGURE_FORMATS[-1]}"
        raise InvalidParameterError(f"cannot write a figure to {path}: name it {names} (the suffix gives the "
                                    "format)", param="plot")
    return suffix


def check_figure_output(path, inputs=()):
    """Check, before any work, that a figure can be written to ``path`` in the format its suffix names.

    The file is checked first (an input, a directory or a pipe is refused
    as such), then the suffix.

    Parameters
    ----------
    path : str or os.PathLike
    inputs : sequence of str or os.PathLike, optional
        Files (or directories) the job reads.

    Returns
    -------
    str
        The format (see :func:`figure_format`).

    Raises
    ------
    EmbkitError
        See :func:`figure_format` and :func:`check_file_output`.
    """
    check_file_output(path, inputs, what="a figure")
    return figure_format(path)


def write_figure(fig, path, inputs=(), **savefig):
    """Write the matplotlib figure ``fig`` to ``path`` atomically, in the format its suffix names.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str or os.PathLike
        A ``.png``, ``.pdf`` or ``.svg`` file.
    inputs : sequence of str or os.PathLike, optional
        Files (or directories) the job reads.
    **savefig
        Passed to ``fig.savefig`` (``dpi``, ``bbox_inches``...).

    Raises
    ------
    EmbkitError
        See :func:`check_figure_output`.
    """
    import warnings

    fmt = check_figure_output(path, inputs)
    with warnings.catch_warnings(record=True) as caught:     # matplotlib's font warnings: one log line instead
        warnings.simplefilter("always")
        with atomic_file(path, "wb") as f:
            fig.savefig(f, format=fmt, **savefig)
    missing = sorted({chr(int(m.group(1))) for w in caught for m in [_GLYPH.search(str(w.message))] if m}
                     - _GLYPHS_REPORTED)
    _GLYPHS_REPORTED.update(missing)                 # once per process, not once per figure
    if missing:
        log.warning("%s: %d character(s) have no glyph in matplotlib's font and show as boxes (%s); a font that "
                    "has them can be chosen with matplotlib's rcParams['font.family']", show_path(path),
                    len(missing), ", ".join(missing[:10]))
    for w in caught:
        if not _GLYPH.search(str(w.message)):
            log.warning("%s: %s", show_path(path), w.message)
