"""The cache of encoded corpora: listing, size limit and clearing.

Encoded corpora live in ``$EMBKIT_CACHE/corpora/<key>/`` (default
``~/.cache/embkit``).  Each use of an entry marks it as used (the mtime of its
``manifest.json``).  After a new entry is written, the least recently used
others are removed while the cache holds more than ``$EMBKIT_CACHE_SIZE``
(default ``10G``; sizes as for ``--max-memory``; ``0`` keeps only the newest
entry).  An entry that a running process is reading (it holds a shared
``flock`` on ``tokens.npy``) is never removed.
"""
import json
import logging
import os
import shutil
from pathlib import Path

from .._atomic import remove_stale_temporaries_in, stale_temporaries_in
from .._memory import format_size, parse_size
from ..exceptions import EmbkitError

log = logging.getLogger(__name__)

DEFAULT_LIMIT = "10G"


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
        raise EmbkitError(f"EMBKIT_CACHE_SIZE={text!r} is not a size (use e.g. 512M, 10G)") from None


def _size(path):
    total = 0
    for dirpath, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total


def cache_entries(root=None):
    """The encoded corpora in the cache, least recently used first.

    Parameters
    ----------
    root : str or os.PathLike, optional
        The cache directory (default :func:`cache_root`).

    Returns
    -------
    list of dict
        ``path`` (pathlib.Path), ``bytes``, ``last_used`` (POSIX seconds),
        ``tokens``, ``vocab_size`` and ``sources`` (file paths).
    """
    base = Path(root if root is not None else cache_root()) / "corpora"
    out = []
    try:
        dirs = [d for d in base.iterdir() if d.is_dir() and not d.name.startswith(".")]
    except OSError:
        return out
    for d in dirs:
        manifest = d / "manifest.json"
        try:
            used = manifest.stat().st_mtime
            with open(manifest, encoding="utf-8") as f:
                m = json.load(f)
        except (OSError, ValueError):
            used, m = 0.0, {}
        out.append({"path": d, "bytes": _size(d), "last_used": used, "tokens": m.get("tokens"),
                    "vocab_size": m.get("vocab_size"),
                    "sources": [s.get("path") for s in m.get("sources", [])]})
    out.sort(key=lambda e: (e["last_used"], e["path"].name))
    return out


def leftovers(root=None):
    """Temporaries left in the cache by encodings that were killed: (count, bytes)."""
    paths = stale_temporaries_in(Path(root if root is not None else cache_root()) / "corpora")
    return len(paths), sum(_size(p) if p.is_dir() else p.stat().st_size for p in paths)


def mark_used(entry):
    """Record a use of the cache entry directory ``entry`` (best effort)."""
    try:
        os.utime(Path(entry) / "manifest.json")
    except OSError:
        pass


def evict(root=None, limit=None, keep=None):
    """Remove least recently used entries until the cache holds at most ``limit`` bytes.

    Parameters
    ----------
    root : str or os.PathLike, optional
    limit : int, optional
        Default :func:`cache_limit`.
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
    """Remove every encoded corpus from the cache, except those a running process is reading.

    Temporaries left by encodings that were killed are removed too.

    Returns
    -------
    (int, int, int, int)
        Entries removed, bytes freed, entries left because they are in use,
        leftovers of killed runs removed.
    """
    base = Path(root if root is not None else cache_root()) / "corpora"
    removed = freed = busy = 0
    for e in cache_entries(root):
        if _remove_unless_in_use(e["path"]):
            removed += 1
            freed += e["bytes"]
        else:
            busy += 1
    leftovers = remove_stale_temporaries_in(base)
    return removed, freed, busy, leftovers


def _remove_unless_in_use(entry):
    """Remove a cache entry unless a process holds it open (it keeps a shared lock on tokens.npy).

    Returns
    -------
    bool
        True when removed.
    """
    entry = Path(entry)
    try:
        fd = os.open(entry / "tokens.npy", os.O_RDONLY)
    except OSError:
        fd = None
    try:
        if fd is not None:
            try:
                import fcntl
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except ImportError:
                pass
            except OSError:
                return False               # in use by a running training
        # vanish at once under a hidden name, then delete at leisure
        gone = entry.with_name(f".{entry.name}.removing-{os.getpid()}")
        try:
            os.replace(entry, gone)
        except OSError:
            gone = entry
        shutil.rmtree(gone, ignore_errors=True)
        return True
    finally:
        if fd is not None:
            os.close(fd)


__all__ = ["cache_root", "cache_limit", "cache_entries", "leftovers", "mark_used", "evict", "clear_cache"]
