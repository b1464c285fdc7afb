"""Atomic output: write to a temporary name beside the target, then rename.

An interrupted run never leaves a half-written file under the final name.
Temporary names are ``.NAME.<host>-<pid>.<random>.tmp``; a process killed
outright (SIGKILL, power loss) cannot remove its own, so the next write of the
same NAME removes those whose process, on this host, no longer exists.
"""
import contextlib
import hashlib
import os
import re
import shutil
import socket
import tempfile
from pathlib import Path


def _host_tag():
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:6]


def _prefix(path):
    return f".{path.name}.{_host_tag()}-{os.getpid()}."


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
    pattern = re.compile(re.escape(f".{path.name}.{_host_tag()}-") + r"(\d+)\.[^.]+\.(?:tmp|old)")
    removed = 0
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return 0
    for entry in entries:
        m = pattern.fullmatch(entry.name)
        if not m or _pid_alive(int(m.group(1))):
            continue
        with contextlib.suppress(OSError):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
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
    path = Path(path)
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
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
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
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    tmp = Path(tempfile.mkdtemp(prefix=_prefix(path), suffix=".tmp", dir=parent))
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=_prefix(path), suffix=".old", dir=parent))
            os.rmdir(old)
            os.replace(path, old)
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
