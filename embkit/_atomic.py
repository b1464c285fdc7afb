"""Atomic output: write to a temporary name beside the target, then rename.

An interrupted run never leaves a half-written file under the final name.
Temporary names are ``.NAME.<host>-<pid>.<random>.tmp``; a process killed
outright (SIGKILL, power loss) cannot remove its own, so the next write of the
same NAME removes those whose process, on this host, no longer exists.
"""
import contextlib
import errno
import hashlib
import os
import re
import shutil
import socket
import tempfile
from pathlib import Path

from .exceptions import EmbkitError, file_error


def _host_tag():
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:6]


def _prefix(path):
    return f".{path.name}.{_host_tag()}-{os.getpid()}."


def _resolved(path):
    """The path to write: a symbolic link is followed, so its target is replaced, not the link."""
    path = Path(path)
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def remove_stale_temporaries(path):
    """Remove temporaries of ``path`` left by dead processes of this host.

    Returns
    -------
    int
        How many were removed.
    """
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    return _remove_stale(parent, re.escape(path.name))


def remove_stale_temporaries_in(directory):
    """Remove the temporaries of any output in ``directory`` left by dead processes of this host.

    Returns
    -------
    int
        How many were removed.
    """
    return _remove_stale(Path(directory), r".+")


def stale_temporaries_in(directory, name_pattern=r".+"):
    """Paths of temporaries in ``directory`` left by dead processes of this host."""
    pattern = re.compile(r"\." + name_pattern + re.escape(f".{_host_tag()}-") + r"(\d+)\.[^.]+\.(?:tmp|old)")
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return []
    return [Path(e.path) for e in entries
            if (m := pattern.fullmatch(e.name)) and not _pid_alive(int(m.group(1)))]


def _remove_stale(parent, name_pattern):
    removed = 0
    for path in stale_temporaries_in(parent, name_pattern):
        with contextlib.suppress(OSError):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                os.unlink(path)
            removed += 1
    return removed


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_file(path, mode="wb"):
    """Open a temporary file next to ``path``; rename it to ``path`` on success.

    Parameters
    ----------
    path : str or os.PathLike
        Final file name.
    mode : str
        ``"wb"`` or ``"w"`` (text, UTF-8, ``\\n`` line ends).

    Yields
    ------
    file object
        Write to it; on an exception the temporary file is removed and the
        target is left untouched.
    """
    path = _resolved(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(prefix=_prefix(path), suffix=".tmp", dir=path.parent or ".")
    try:
        if "b" in mode:
            f = os.fdopen(fd, mode)
        else:
            f = os.fdopen(fd, mode, encoding="utf-8", newline="\n")
        with f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; give the file ordinary permissions
        os.replace(tmp, path)
    except BaseException as exc:
        full = isinstance(exc, OSError) and exc.errno is None and _disk_full(path.parent)   # before freeing space
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        _raise_naming(exc, path, full)
        raise


@contextlib.contextmanager
def atomic_dir(path):
    """Build a directory under a temporary name; move it to ``path`` on success.

    An existing directory at ``path`` is replaced only after the new one is
    complete.

    Parameters
    ----------
    path : str or os.PathLike
        Final directory name.

    Yields
    ------
    pathlib.Path
        The temporary directory to fill.
    """
    path = _resolved(path)
    parent = path.parent if str(path.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    tmp = Path(tempfile.mkdtemp(prefix=_prefix(path), suffix=".tmp", dir=parent))
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())
        _move_into_place(tmp, path, parent)
    except BaseException as exc:
        full = isinstance(exc, OSError) and exc.errno is None and _disk_full(parent)   # before freeing space
        shutil.rmtree(tmp, ignore_errors=True)
        _raise_naming(exc, path, full)
        raise


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a, b):
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    import ctypes
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError, TypeError):
        return False
    renameat2.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOENT):
        return False                       # not supported here (or ``b`` vanished): use the fallback
    raise OSError(err, os.strerror(err), str(b))


def _move_into_place(tmp, path, parent, attempts=20):
    """Rename the finished directory ``tmp`` to ``path``, replacing a directory there.

    Where Linux allows, the new and the old directory are swapped in one step,
    so a reader never finds ``path`` missing; the old one is then deleted.
    Elsewhere the old directory is first moved aside.  Other processes may be
    doing the same with ``path``: each step that loses such a race is retried,
    and the last writer wins.
    """
    if path.is_dir() and not path.is_symlink() and _exchange(tmp, path):
        shutil.rmtree(tmp, ignore_errors=True)   # ``tmp`` now holds the old model
        return
    for _ in range(attempts):
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=_prefix(path), suffix=".old", dir=parent))
            os.rmdir(old)
            try:
                os.replace(path, old)
            except FileNotFoundError:      # another process moved it first
                continue
            shutil.rmtree(old, ignore_errors=True)
        try:
            os.replace(tmp, path)
            return
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise                      # not a race: a real failure
    raise OSError(errno.EBUSY, "other processes keep replacing it", str(path))


def _raise_naming(exc, path, disk_full=False):
    """Re-raise an OSError as an EmbkitError that names the output, not the temporary."""
    if isinstance(exc, OSError) and not isinstance(exc, EmbkitError):
        reason = exc.strerror or str(exc)
        if disk_full:
            reason = "No space left on device"   # numpy's short-write errors carry no errno
        err = file_error(exc, path, message=f"cannot write {path}: {reason}")
        err.errno = errno.ENOSPC if disk_full else exc.errno      # as given: the cache looks at it
        raise err from exc


def _disk_full(directory):
    try:
        st = os.statvfs(directory)
    except (OSError, AttributeError):
        return False
    return st.f_bavail * st.f_frsize < 2**20
