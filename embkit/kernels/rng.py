"""The kernels' random numbers: word2vec.c's linear congruential generator and per-chunk seeds.

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
        The run's seed (any integer; taken modulo 2**64).
    epoch : int
        0-based epoch number.
    n_chunks : int
        Number of chunks of the epoch.

    Returns
    -------
    ndarray of int64, shape (n_chunks,)
        The 64-bit states, reinterpreted as signed integers: state ``c`` is
        SplitMix64 of ``base ^ SplitMix64(c + 1)`` with
        ``base = SplitMix64(seed ^ SplitMix64(epoch + 0x5EED))`` (all mod
        2**64), so it depends on ``(seed, epoch, c)`` alone.

    References
    ----------
    Steele, Lea & Flood (2014), "Fast splittable pseudorandom number
    generators", OOPSLA: SplitMix64 (with the mixing constants of Vigna's
    ``splitmix64.c``).
    """
    base = _splitmix64((int(seed) & _MASK64) ^ _splitmix64(int(epoch) + 0x5EED))
    states = [_splitmix64(base ^ _splitmix64(c + 1)) for c in range(n_chunks)]
    return np.array(states, dtype=np.uint64).view(np.int64)


@njit(cache=True, inline="always")
def lcg_next(r):
    """Advance a generator state by one step.

    word2vec.c's update ``next_random = next_random * 25214903917 + 11``
    (``unsigned long long``), here on int64 with wrapping arithmetic, which
    gives the same 64 bits.

    Parameters
    ----------
    r : int64
        The current state.

    Returns
    -------
    int64
        The next state, ``r * 25214903917 + 11 mod 2**64``.
    """
    return r * 25214903917 + 11


@njit(cache=True, inline="always")
def lcg_uniform(r):
    """A uniform float in [0, 1) from a state (the state is not advanced).

    Parameters
    ----------
    r : int64
        A generator state, already advanced by :func:`lcg_next`.

    Returns
    -------
    float64
        Bits 16..39 of ``r`` (24 bits, the low bits of an LCG being the
        least random) divided by 2**24: a multiple of 2**-24 in [0, 1).
    """
    return ((r >> 16) & 0xFFFFFF) * (1.0 / 16777216.0)


@njit(cache=True, inline="always")
def lcg_below(r, n):
    """A uniform integer in [0, n) from a state (the state is not advanced).

    As word2vec.c's ``(next_random >> 16) % n``: bits 16..63 of ``r`` (48
    bits, read as unsigned) modulo ``n``; the modulo bias is below
    ``n / 2**48``.

    Parameters
    ----------
    r : int64
        A generator state, already advanced by :func:`lcg_next`.
    n : int
        The bound (>= 1).

    Returns
    -------
    int64
        An integer in ``[0, n)``.
    """
    return ((r >> 16) & 0xFFFFFFFFFFFF) % n
