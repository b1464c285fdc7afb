"""Random numbers for the kernels.

Each corpus chunk draws from its own linear congruential generator (the one of
word2vec.c: ``r = r * 25214903917 + 11 mod 2**64``, using bits 16 and up),
seeded from ``(seed, epoch, chunk)`` with SplitMix64.  A chunk's stream never
depends on the number of threads, so ``threads=1`` with a seed is bit-for-bit
reproducible.
"""
import numpy as np
from numba import njit

LCG_MUL = 25214903917
LCG_ADD = 11
_MASK64 = (1 << 64) - 1


def _splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def chunk_seeds(seed, epoch, n_chunks):
    """Initial generator states of the chunks of one epoch.

    Parameters
    ----------
    seed : int
    epoch : int
    n_chunks : int

    Returns
    -------
    ndarray of int64, shape (n_chunks,)
        The 64-bit states, reinterpreted as signed integers.
    """
    base = _splitmix64((int(seed) & _MASK64) ^ _splitmix64(int(epoch) + 0x5EED))
    states = [_splitmix64(base ^ _splitmix64(c + 1)) for c in range(n_chunks)]
    return np.array(states, dtype=np.uint64).view(np.int64)


@njit(cache=True, inline="always")
def lcg_next(r):
    """Advance an int64 LCG state (wrapping arithmetic)."""
    return r * 25214903917 + 11


@njit(cache=True, inline="always")
def lcg_uniform(r):
    """A float in [0, 1) from bits 16..39 of the state."""
    return ((r >> 16) & 0xFFFFFF) * (1.0 / 16777216.0)


@njit(cache=True, inline="always")
def lcg_below(r, n):
    """An integer in [0, n) from bits 16..63 of the state."""
    return ((r >> 16) & 0xFFFFFFFFFFFF) % n
