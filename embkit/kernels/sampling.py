"""Sampling tables: negative-sampling distribution, subsampling, sigmoid.

References
----------
Mikolov, Sutskever, Chen, Corrado & Dean (2013), "Distributed Representations
of Words and Phrases and their Compositionality", NIPS: negative sampling from
the unigram distribution raised to 3/4 (section 2.2) and subsampling of
frequent words (section 2.3, as implemented in word2vec.c).
Vose (1991), "A linear algorithm for generating random numbers with a given
distribution", IEEE TSE 17(9): the alias method.
"""
import math

import numpy as np
from numba import njit

from ..exceptions import InvalidParameterError


def negative_distribution(counts, ns_exponent=0.75):
    """Probabilities ``counts**ns_exponent`` normalised to sum 1.

    Parameters
    ----------
    counts : ndarray of int64, shape (n_words,)
        Corpus counts (>= 0; at least one positive).
    ns_exponent : float
        0.75 in word2vec; 0 samples uniformly, 1 by frequency; negative
        values favour rare words.  Any finite value works.

    Returns
    -------
    ndarray of float64, shape (n_words,)
        Finite, summing to 1.  A word of count 0 gets probability 0 (for
        ``ns_exponent=0`` it counts like any other word).

    Raises
    ------
    InvalidParameterError
        ``ns_exponent`` is not a finite number.

    Notes
    -----
    The powers are computed directly when that is exact: when the largest is
    at least 1 and their sum is finite, as for the usual exponents in
    [0, 1] (the tables are then those of earlier versions, bit for bit).
    Otherwise, e.g. ``counts**1000`` overflowing or ``counts**-1000``
    underflowing, they are computed in log space, ``exp(x * log(c) - m)``
    with ``m`` the largest ``x * log(c)``, so no value overflows and the
    largest is 1.
    """
    if not math.isfinite(ns_exponent):
        raise InvalidParameterError(f"ns_exponent must be a finite number, got {ns_exponent!r}",
                                    param="ns_exponent")
    c = counts.astype(np.float64)
    with np.errstate(over="ignore", divide="ignore", under="ignore"):   # overflow and underflow are handled
        p = np.power(c, ns_exponent)
        total = p.sum()
        if math.isfinite(total) and p.size and p.max() >= 1.0:
            return p / total
        seen = c > 0
        logp = np.full(len(c), -np.inf if ns_exponent != 0 else 0.0)
        logp[seen] = ns_exponent * np.log(c[seen])
        p = np.exp(logp - logp.max())
        return p / p.sum()


@njit(cache=True)
def build_alias(probs):
    """Alias table for O(1) sampling from ``probs`` (Vose's method).

    Parameters
    ----------
    probs : ndarray of float64, shape (n,)
        Probabilities summing to 1.

    Returns
    -------
    prob : ndarray of float32, shape (n,)
        Chance of keeping the drawn column ``i``.
    alias : ndarray of int32, shape (n,)
        The other outcome of column ``i``.

    Notes
    -----
    Draw ``i`` uniformly in ``[0, n)`` and ``u`` in ``[0, 1)``; the sample is
    ``i`` if ``u < prob[i]`` else ``alias[i]``.
    """
    n = probs.shape[0]
    scaled = probs * n
    prob = np.ones(n, np.float32)
    alias = np.arange(n).astype(np.int32)
    small = np.empty(n, np.int64)
    large = np.empty(n, np.int64)
    ns = 0
    nl = 0
    for i in range(n):
        if scaled[i] < 1.0:
            small[ns] = i
            ns += 1
        else:
            large[nl] = i
            nl += 1
    while ns > 0 and nl > 0:
        ns -= 1
        s = small[ns]
        nl -= 1
        g = large[nl]
        prob[s] = scaled[s]
        alias[s] = g
        scaled[g] = (scaled[g] + scaled[s]) - 1.0
        if scaled[g] < 1.0:
            small[ns] = g
            ns += 1
        else:
            large[nl] = g
            nl += 1
    # leftovers are 1 up to rounding
    return prob, alias


def keep_probabilities(counts, sample):
    """Probability of keeping each occurrence of a word (subsampling).

    word2vec.c's rule: with ``t = sample * total``, keep a word of count
    ``c`` with probability ``(sqrt(c / t) + 1) * t / c``, capped at 1.

    Parameters
    ----------
    counts : ndarray of int64, shape (n_words,)
    sample : float
        Threshold (1e-3 by default, as word2vec); 0 disables subsampling.

    Returns
    -------
    ndarray of float32, shape (n_words,)
    """
    counts = counts.astype(np.float64)
    if sample <= 0:
        return np.ones(len(counts), np.float32)
    t = sample * counts.sum()
    keep = (np.sqrt(counts / t) + 1.0) * t / counts
    return np.minimum(keep, 1.0).astype(np.float32)


def sigmoid_tables(size=4096, max_exp=6.0):
    """Tables of the logistic sigmoid and its log on ``(-max_exp, max_exp)``.

    Entry ``i`` holds the value at the midpoint of bin ``i``:
    ``x_i = ((i + 0.5) / size * 2 - 1) * max_exp``; a score ``f`` falls in bin
    ``int((f + max_exp) * size / (2 * max_exp))``.  Midpoints make the table
    symmetric: ``sig[size - 1 - i] == 1 - sig[i]``.

    Parameters
    ----------
    size : int
        Number of bins.
    max_exp : float
        Scores beyond ``+-max_exp`` are outside the table.

    Returns
    -------
    sig, logsig : ndarray of float32, shape (size,)
    """
    x = ((np.arange(size) + 0.5) / size * 2.0 - 1.0) * max_exp
    sig = 1.0 / (1.0 + np.exp(-x))
    return sig.astype(np.float32), np.log(sig).astype(np.float32)
