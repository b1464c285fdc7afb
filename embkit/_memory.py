"""Memory: parsing ``--max-memory``, checking a job's estimate, handing unused pages back."""
import os
import re

from .exceptions import InvalidParameterError, MemoryBudgetError

_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9,
          "t": 10**12, "tb": 10**12, "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40,
          "ki": 2**10, "mi": 2**20, "gi": 2**30, "ti": 2**40}


def parse_size(text):
    """Bytes in a size such as ``512M``, ``2G``, ``1GiB`` or ``1000000``.

    Decimal units (K, M, G, T, with or without B) are powers of 1000; binary
    units (KiB, MiB, GiB, TiB, or Ki, Mi, Gi, Ti) powers of 1024.

    Raises
    ------
    EmbkitError
        Text that is not a size.
    """
    if isinstance(text, (int, float)):
        return int(text)
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([a-zA-Z]*)\s*", str(text))
    if not m or m.group(2).lower() not in _UNITS:
        raise InvalidParameterError(f"not a memory size: {text!r} (use e.g. 512M, 2G, 1GiB)")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def format_size(n):
    """A byte count as a short human string (MiB/GiB)."""
    if n >= 2**30:
        return f"{n / 2**30:.2f} GiB"
    if n >= 2**20:
        return f"{n / 2**20:.1f} MiB"
    return f"{n / 2**10:.1f} KiB"


def available_memory():
    """MemAvailable from /proc/meminfo in bytes, or None where unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def check_budget(parts, max_memory=None, what="training", already=0, hint=None):
    """Fail before allocating when the estimate exceeds the budget.

    Parameters
    ----------
    parts : dict
        Name of each part to its size in bytes.
    max_memory : int or str, optional
        The user's limit (``--max-memory``), compared with the whole total.
    what : str
        The job, for the message.
    already : int
        Bytes of ``parts`` that the process holds already (its runtime):
        only the rest is compared with the memory available now.
    hint : str, optional
        How to need less, ending the message; default: training's settings.

    Returns
    -------
    int
        The total estimate in bytes.

    Raises
    ------
    MemoryBudgetError
        When the total exceeds ``max_memory``, or what is still to be
        allocated exceeds the memory available now.
    """
    total = int(sum(parts.values()))
    hint = hint or ("lower --dim or raise --min-count / set --max-vocab-size (dim=, min_count=, "
                    "max_vocab_size= in Python)")
    detail = ", ".join(f"{k} {format_size(v)}" for k, v in parts.items())
    if max_memory is not None:
        limit = parse_size(max_memory)
        if total > limit:
            raise MemoryBudgetError(
                f"{what} needs about {format_size(total)} ({detail}), more than --max-memory "
                f"{format_size(limit)} (max_memory= in Python); {hint}")
    avail = available_memory()
    if avail is not None and total - already > avail:
        raise MemoryBudgetError(
            f"{what} needs about {format_size(total)} ({detail}) but only {format_size(avail)} of memory "
            f"is available; {hint}")
    return total


_MADV_PAGEOUT = 21  # Linux >= 5.4


def resident_bytes():
    """This process's resident set size in bytes (Linux), or None."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def release_library_pages(name="libllvmlite"):
    """Ask Linux to reclaim the resident pages of a loaded library's read-only mappings.

    Numba loads the kernels with LLVM (``libllvmlite.so``, about 170 MB).
    Initialising it leaves about 65 MiB of its code resident that training
    never runs.  Once the kernels are loaded, this calls
    ``madvise(MADV_PAGEOUT)`` on the library's mappings that are not
    writable.  The advice never discards data: clean pages are dropped and
    read back from the file if LLVM runs again (e.g. to compile another
    kernel); modified pages stay.  Elsewhere (not Linux, kernels before 5.4,
    a library file the user may not write) it does nothing.

    Parameters
    ----------
    name : str
        Part of the library's file name.

    Returns
    -------
    int
        Bytes by which the resident set shrank (0 when nothing was done).
    """
    import ctypes
    import logging

    try:
        with open("/proc/self/maps") as f:
            maps = f.read().splitlines()
        libc = ctypes.CDLL(None, use_errno=True)
        madvise = libc.madvise
    except (OSError, AttributeError):
        return 0
    madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    madvise.restype = ctypes.c_int
    before = resident_bytes()
    advised = 0
    for line in maps:
        fields = line.split(maxsplit=5)
        if len(fields) < 6 or name not in fields[5] or "w" in fields[1]:
            continue
        lo, hi = (int(x, 16) for x in fields[0].split("-"))
        if madvise(lo, hi - lo, _MADV_PAGEOUT) == 0:
            advised += hi - lo
    after = resident_bytes()
    freed = max(0, before - after) if advised and before is not None and after is not None else 0
    logging.getLogger(__name__).debug("released %s of %s's resident pages", format_size(freed), name)
    return freed
