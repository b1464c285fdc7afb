"""The embkit cache: entries by kind, built atomically, reused, evicted least recently used; listing and clearing.

Entries live in ``$EMBKIT_CACHE/<kind>/<key>/`` (default ``~/.cache/embkit``;
the kinds are :data:`KINDS`, e.g. ``corpora`` for encoded corpora).  An
entry is a directory holding at least ``manifest.json``; each use of an
entry marks it as used (the mtime of its ``manifest.json``).  :func:`cached`
looks an entry up, builds it under a temporary name renamed into place when
it is missing or unreadable, and afterwards removes the least recently used
others while the whole cache holds more than ``$EMBKIT_CACHE_SIZE`` (default
``10G``; sizes as for ``--max-memory``; ``0`` keeps only the newest entry).
An entry that a running process is reading (it holds a shared ``flock`` on
one of the entry's files, see :func:`mark_in_use`) is never removed.  A
cache that cannot take an entry (read-only, or its disk full) is passed by:
the entry is built in a temporary directory instead, with one warning.
"""
import errno
import hashlib
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

from .._atomic import _disk_full, atomic_dir, remove_stale_temporaries_in, stale_temporaries_in
from .._memory import format_size, parse_size
from ..exceptions import EmbkitError, FileAccessError, InvalidParameterError

log = logging.getLogger(__name__)

DEFAULT_LIMIT = "10G"
MANIFEST = "manifest.json"

KINDS = {"corpora": ("encoded corpus", "encoded corpora"),
         "cooccur": ("co-occurrence table", "co-occurrence tables"),

"phrases": ("phrase count", "phrase counts")}
"""Kinds of entry (each a subdirectory of the cache), and how messages name one and several of them."""

_FULL = {errno.ENOSPC, errno.EDQUOT}
_UNWRITABLE = {errno.EACCES, errno.EPERM, errno.EROFS}


def cache_root():
    """The cache directory: ``$EMBKIT_CACHE`` or ``~/.cache/embkit``."""
    return Path(os.environ.get("EMBKIT_CACHE") or Path.home() / ".cache" / "embkit")


def cache_limit():
    """Bytes the cache may hold (``$EMBKIT_CACHE_SIZE``, default 10G).

    Raises
    ------
    EmbkitError
        When ``$EMBKIT_CACHE_SIZE`` is not a size.
    """
    text = os.environ.get("EMBKIT_CACHE_SIZE") or DEFAULT_LIMIT
    try:
        return parse_size(text)
    except EmbkitError:
        raise InvalidParameterError(f"EMBKIT_CACHE_SIZE={text!r} is not a size (use e.g. 512M, 10G)") from None


def cache_key(fields):
    """A short stable key for an entry, from everything the entry depends on.

    Parameters
    ----------
    fields : JSON-serialisable object
        Typically a dict of the input file signatures, the settings and the
        entry format's version.  Dict keys are sorted before hashing, so
        their order does not matter.

    Returns
    -------
    str
        The first 24 hex digits (96 bits) of the SHA-256 of ``fields`` as
        JSON.

    Raises
    ------
    TypeError
        When ``fields`` holds something JSON cannot encode.
    """
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:24]


def _root(root):
    return Path(root if root is not None else cache_root())


def _kinds(kind):
    if kind is not None and kind not in KINDS:
        raise InvalidParameterError(f"unknown cache kind {kind!r}; expected one of {', '.join(KINDS)}")
    return list(KINDS) if kind is None else [kind]


def _size(path):
    total = 0
    for dirpath, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total


def cache_entries(root=None, kind=None):
    """The entries in the cache, least recently used first.

    Parameters
    ----------
    root : str or os.PathLike, optional
        The cache directory (default :func:`cache_root`).
    kind : str, optional
        Only entries of this kind (a key of :data:`KINDS`); default all.

    Returns
    -------
    list of dict
        ``kind``, ``path`` (pathlib.Path), ``bytes``, ``last_used`` (POSIX
        seconds), and from the manifest ``tokens``, ``vocab_size`` and
        ``sources`` (file paths), None or empty where it has none.
    """
    out = []
    for k in _kinds(kind):
        try:
            dirs = [d for d in (_root(root) / k).iterdir() if d.is_dir() and not d.name.startswith(".")]
        except OSError:
            continue
        for d in dirs:
            manifest = d / MANIFEST
            try:
                used = manifest.stat().st_mtime
                with open(manifest, encoding="utf-8") as f:
                    m = json.load(f)
            except (OSError, ValueError):
                used, m = 0.0, {}
            out.append({"kind": k, "path": d, "bytes": _size(d), "last_used": used, "tokens": m.get("tokens"),
                        "vocab_size": m.get("vocab_size"),
                        "sources": [s.get("path") for s in m.get("sources", [])]})
    out.sort(key=lambda e: (e["last_used"], e["path"].name))
    return out


def leftovers(root=None):
    """Temporaries left in the cache by builds that were killed.

    Parameters
    ----------
    root : str or os.PathLike, optional
        The cache directory (default :func:`cache_root`).

    Returns
    -------
    (int, int)
        How many there are and the bytes they hold.
    """
    paths = [p for k in KINDS for p in stale_temporaries_in(_root(root) / k)]
    return len(paths), sum(_size(p) if p.is_dir() else p.stat().st_size for p in paths)


def _mark_used(entry):
    """Record a use of the cache entry directory ``entry`` (best effort)."""
    try:
        os.utime(Path(entry) / MANIFEST)
    except OSError:
        pass


def mark_in_use(fd):
    """Take a shared ``flock`` on an open file of a cache entry (best effort).

    While the file stays open, eviction and :func:`clear_cache` leave the
    entry alone; reads through the open file go on even if the entry is
    removed by other means.  Where ``flock`` is missing, or an eviction
    holds the lock at that moment, nothing happens.

    Parameters
    ----------
    fd : int
        A file descriptor open on one of the entry's files; the lock lasts
        until it is closed.
    """
    try:
        import fcntl
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except (ImportError, OSError):
        pass   # no flock here, or an eviction holds it right now: reads still work through the open file


def evict(root=None, limit=None, keep=None):
    """Remove least recently used entries until the cache holds at most ``limit`` bytes.

    Parameters
    ----------
    root : str or os.PathLike, optional
        The cache directory (default :func:`cache_root`).
    limit : int, optional
        Bytes the cache may hold (default :func:`cache_limit`).
    keep : str or os.PathLike, optional
        An entry never removed (the one just written).

    Returns
    -------
    list of pathlib.Path
        The removed entries.
    """
    limit = cache_limit() if limit is None else int(limit)
    keep = Path(keep).resolve() if keep is not None else None
    entries = cache_entries(root)
    total = sum(e["bytes"] for e in entries)
    removed = []
    for e in entries:
        if total <= limit:
            break
        if keep is not None and e["path"].resolve() == keep:
            continue
        if not _remove_unless_in_use(e["path"]):
            continue
        total -= e["bytes"]
        removed.append(e["path"])
        log.info("cache: removed %s (%s, least recently used) to stay under %s", e["path"],
                 format_size(e["bytes"]), format_size(limit))
    return removed


def clear_cache(root=None):
    """Remove every entry from the cache, except those a running process is reading.

    Temporaries left by builds that were killed are removed too.

    Parameters
    ----------
    root : str or os.PathLike, optional
        The cache directory (default :func:`cache_root`).

    Returns
    -------
    (int, int, int, int)
        Entries removed, bytes freed, entries left because they are in use,
        leftovers of killed runs removed.
    """
    removed = freed = busy = 0
    for e in cache_entries(root):
        if _remove_unless_in_use(e["path"]):
            removed += 1
            freed += e["bytes"]
        else:
            busy += 1
    left = sum(remove_stale_temporaries_in(_root(root) / k) for k in KINDS)
    return removed, freed, busy, left


def _remove_unless_in_use(entry):
    """Remove a cache entry unless a process holds one of its files locked (see :func:`mark_in_use`).

    Returns
    -------
    bool
        True when removed.
    """
    entry = Path(entry)
    fds = []
    try:
        for f in sorted(entry.iterdir()) if entry.is_dir() else ():
            try:
                fds.append(os.open(f, os.O_RDONLY))
            except OSError:
                continue
            try:
                import fcntl
                fcntl.flock(fds[-1], fcntl.LOCK_EX | fcntl.LOCK_NB)
            except ImportError:
                pass
            except OSError:
                return False               # in use by a running process
        # vanish at once under a hidden name, then delete at leisure
        gone = entry.with_name(f".{entry.name}.removing-{os.getpid()}")
        try:
            os.replace(entry, gone)
        except OSError:
            gone = entry
        shutil.rmtree(gone, ignore_errors=True)
        return True
    finally:
        for fd in fds:
            os.close(fd)


# ------------------------------------------------------------------ building entries

class _CacheUnusable(Exception):
    """The cache cannot take the entry: ``args`` are the state ("full", "not writable") and the reason."""


class _NotAboutTheCache(Exception):
    """Carries an error about another file (an input) through :func:`atomic_dir`, which would rename it."""


def _cache_problem(exc, directory):
    """("full" or "not writable", reason) when ``exc`` or its cause says the cache cannot take more, else None."""
    while exc is not None:
        if isinstance(exc, OSError):
            name = getattr(exc, "filename", None)
            if name is not None and not _inside(name, directory):
                return None                # about an input file, not the cache
            if exc.errno in _FULL:
                return "full", exc.strerror or os.strerror(exc.errno)
            if exc.errno in _UNWRITABLE:
                return "not writable", exc.strerror or os.strerror(exc.errno)
            if exc.errno is None and _disk_full(directory):       # numpy's short writes carry no errno
                return "full", "No space left on device"
            return None
        exc = exc.__cause__
    return None


def _inside(name, directory):
    try:
        return Path(os.path.abspath(name)).is_relative_to(Path(os.path.abspath(directory)))
    except (TypeError, ValueError):
        return False


def _build_entry(target, build):
    """Build ``target`` with ``build(directory)`` under a temporary name, renamed into place when done.

    Raises _CacheUnusable when the cache is read-only or full (nothing is
    left behind), and any error of ``build`` itself.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_dir(target) as tmp:
            try:
                build(tmp)
            except Exception as exc:
                problem = _cache_problem(exc, tmp)          # checked before the temporary is removed
                if problem is not None:
                    raise _CacheUnusable(*problem) from exc
                if isinstance(exc, OSError) and exc.filename is not None and not _inside(exc.filename, tmp):
                    raise _NotAboutTheCache(exc) from None
                raise
    except _NotAboutTheCache as carried:
        raise carried.args[0] from None
    except OSError as exc:                 # creating the directories: a read-only or full cache
        full = exc.errno in _FULL
        raise _CacheUnusable("full" if full else "not writable", exc.strerror or str(exc)) from exc
    except EmbkitError as exc:             # moving the entry into place
        problem = _cache_problem(exc, target.parent)
        if problem is None:
            raise
        raise _CacheUnusable(*problem) from exc


def _build_temporary(kind, build, load, what):
    """``load(directory, False)`` of an entry built in a temporary directory that is then removed."""
    tmp = Path(tempfile.mkdtemp(prefix=f"embkit-{kind}-"))
    try:
        try:
            build(tmp)
        except Exception as exc:
            problem = _cache_problem(exc, tmp)
            if problem is not None and problem[0] == "full":
                raise FileAccessError(errno.ENOSPC, problem[1], tmp.parent,
                                      message=f"cannot write the {what} to the temporary directory {tmp.parent}: "
                                              f"{problem[1]}; set TMPDIR to a directory with room") from exc
            raise
        return load(tmp, False)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def cached(kind, key, build, load, cache=True, root=None, what="entry"):
    """Return a cache entry, building it first when it is missing or unreadable.

    Parameters
    ----------
    kind : str
        The kind of entry, a key of :data:`KINDS` (its subdirectory).
    key : str
        The entry's name, e.g. from :func:`cache_key` over everything the
        entry depends on (input file signatures, settings, format version).
    build : callable
        ``build(directory)`` writes the entry's files, ``manifest.json``
        included, into an empty directory (a temporary one).
    load : callable
        ``load(directory, in_cache)`` reads an entry and returns what
        :func:`cached` returns.  With ``in_cache`` False the directory is
        removed once ``load`` returns, so everything must be read into
        memory; with True it may stay memory-mapped (and should be marked
        in use, see :func:`mark_in_use`).  It raises EmbkitError, OSError
        or ValueError for a damaged entry, which is then built again.
    cache : bool
        False builds in a temporary directory and never touches the cache.
    root : str or os.PathLike, optional
        The cache directory (default :func:`cache_root`).
    what : str
        What the entry is, for messages (e.g. ``"corpus"``).

    Returns
    -------
    object
        What ``load`` returns.

    Raises
    ------
    EmbkitError
        A bad ``$EMBKIT_CACHE_SIZE`` (before any work), or the errors of
        ``build`` and ``load``.  A read-only or full cache is not an error:
        a warning names it and the entry is built without caching; what was
        partly written is removed.
    """
    _kinds(kind)
    if not cache:
        return _build_temporary(kind, build, load, what)
    if not key:
        raise ValueError("a cached entry needs a key")
    root = _root(root)
    limit = cache_limit()   # a bad $EMBKIT_CACHE_SIZE fails before any work
    target = root / kind / key
    if (target / MANIFEST).exists():
        try:
            found = load(target, True)
        except (EmbkitError, OSError, ValueError) as exc:
            log.warning("ignoring unreadable cached %s %s (%s)", what, target, exc)
        else:
            _mark_used(target)
            log.info("using cached %s %s", KINDS[kind][0], target)
            evict(root, limit, keep=target)
            return found
    try:
        _build_entry(target, build)
    except _CacheUnusable as exc:
        state, reason = exc.args
        log.warning("cache directory %s is %s (%s); continuing without caching the %s; pass --no-cache "
                    "(library: cache=False) to skip the cache", root, state, reason, what)
        return _build_temporary(kind, build, load, what)
    found = load(target, True)
    evict(root, limit, keep=target)
    return found


__all__ = ["cached", "cache_key", "cache_root", "cache_limit", "cache_entries", "leftovers", "mark_in_use",
           "evict", "clear_cache", "KINDS", "DEFAULT_LIMIT"]
