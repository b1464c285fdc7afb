"""GloVe kernels: the seeded shuffle of the co-occurrence pairs and AdaGrad epochs over blocks of them.

Pure functions on arrays.  The pairs ``(row, col, count)`` are shuffled
once (:func:`shuffle_pairs`), then cut into blocks of ``block_size``
consecutive pairs.  Each epoch visits the blocks in an order drawn from
``(seed, epoch)`` and the pairs of each block in an order drawn from the
block's own generator (see :mod:`embkit.kernels.rng`), so the pair order
changes every epoch and one thread with a seed is bit-for-bit reproducible;
blocks run in parallel (``prange``) and update the shared matrices without
locks (Hogwild, as the reference implementation's threads do).

Update (Pennington et al. 2014, eq. 8, with AdaGrad as in the reference
implementation): for a pair ``(i, j)`` with count ``x > 0``,
``diff = w_i·c_j + b_i + b~_j - log x`` and ``f = min(1, (x / x_max)**e)``;
the pair's cost is ``f * diff**2 / 2``.  With ``g = f * diff``, each
coordinate of ``w_i`` takes the step ``lr * clip(g * c_j)`` and each of
``c_j`` the step ``lr * clip(g * w_i)`` (``clip`` limits a gradient to
``[-clip, clip]``), and each bias the step ``bias_lr * g``; a coordinate
moves by ``-step / sqrt(G)``, where ``G`` is the sum of the squares of its
earlier steps (starting at 1), and ``G`` then grows by ``step**2``.  The
reference code's current version clips at 100 and does not scale the bias
steps by its learning rate (``bias_lr = 1``).  Both vectors' steps are
computed from their values before the pair.  A pair whose ``diff`` is not
finite is skipped and counted.

Random draw order (the contract the tests' reference follows):
:func:`shuffle_pairs` draws, from one generator, a bucket per pair in input
order (:func:`~embkit.kernels.rng.lcg_next` then
:func:`~embkit.kernels.rng.lcg_below`), then shuffles each bucket with its
own generator (Fisher-Yates from the last position down, ``lcg_below(i + 1)``
for position ``i``); :func:`glove_epoch` shuffles each block's positions the
same way with the block's generator.

References
----------
Pennington, Socher & Manning (2014), "GloVe: Global Vectors for Word
Representation", EMNLP.
Duchi, Hazan & Singer (2011), "Adaptive Subgradient Methods for Online
Learning and Stochastic Optimization", JMLR 12 (AdaGrad).
"""
import numpy as np
from numba import njit, prange

from ._jit import FASTMATH
from .rng import lcg_below, lcg_next


@njit(cache=True, inline="always")
def _permute(order, n, r):
    """Fill ``order[:n]`` with a random permutation of 0..n-1 (Fisher-Yates); returns the generator state."""
    for i in range(n):
        order[i] = i
    for i in range(n - 1, 0, -1):
        r = lcg_next(r)
        k = lcg_below(r, i + 1)
        t = order[i]
        order[i] = order[k]
        order[k] = t
    return r


@njit(cache=True)
def _scatter(indptr, indices, data, seed, n_buckets, rows_out, cols_out, vals_out, bucket_starts):
    """Deal the pairs of a CSR matrix into random buckets (stable within a bucket)."""
    n = indices.shape[0]
    bucket = np.empty(n, np.int32)
    r = seed
    for k in range(n):
        r = lcg_next(r)
        bucket[k] = lcg_below(r, n_buckets)
    bucket_starts[:] = 0
    for k in range(n):
        bucket_starts[bucket[k] + 1] += 1
    for b in range(n_buckets):
        bucket_starts[b + 1] += bucket_starts[b]
    fill = bucket_starts[:n_buckets].copy()
    for i in range(indptr.shape[0] - 1):
        for k in range(indptr[i], indptr[i + 1]):
            at = fill[bucket[k]]
            fill[bucket[k]] += 1
            rows_out[at] = i
            cols_out[at] = indices[k]
            vals_out[at] = data[k]


@njit(cache=True, parallel=True)
def _shuffle_buckets(bucket_starts, seeds, rows, cols, vals):
    """Shuffle the pairs within each bucket, each bucket from its own generator."""
    n_buckets = bucket_starts.shape[0] - 1
    for b in prange(n_buckets):
        lo, hi = bucket_starts[b], bucket_starts[b + 1]
        r = seeds[b]
        for i in range(hi - lo - 1, 0, -1):
            r = lcg_next(r)
            k = lo + lcg_below(r, i + 1)
            a = lo + i
            rows[a], rows[k] = rows[k], rows[a]
            cols[a], cols[k] = cols[k], cols[a]
            vals[a], vals[k] = vals[k], vals[a]


def shuffle_pairs(indptr, indices, data, seed_state, bucket_seeds, rows_out, cols_out, vals_out):
    """The non-zero pairs of a CSR matrix in a random order drawn from the seeds.

    Each pair goes to a bucket drawn uniformly (``len(bucket_seeds)``
    buckets), then each bucket is shuffled: a uniformly random permutation,
    made in two cache-friendly passes.

    Parameters
    ----------
    indptr : int32 or int64 ndarray, shape (n_rows + 1,)
    indices : int32 ndarray, shape (nnz,)
    data : float ndarray, shape (nnz,)
        The CSR matrix (every stored entry becomes a pair).
    seed_state : int
        Generator state of the bucket draws.
    bucket_seeds : int64 ndarray, shape (n_buckets,)
        Generator state of each bucket's shuffle.
    rows_out, cols_out : int32 ndarray, shape (nnz,)
    vals_out : float32 ndarray, shape (nnz,)
        Filled with the shuffled pairs.
    """
    n_buckets = len(bucket_seeds)
    starts = np.zeros(n_buckets + 1, np.int64)
    _scatter(indptr, indices, data, np.int64(seed_state), n_buckets, rows_out, cols_out, vals_out, starts)
    _shuffle_buckets(starts, bucket_seeds, rows_out, cols_out, vals_out)


@njit(cache=True, parallel=True, fastmath=FASTMATH)
def glove_epoch(rows, cols, vals, block_size, block_ids, block_seeds, w, c, bw, bc, gw, gc, gbw, gbc, lr, bias_lr,
                clip, x_max, exponent, cost_out, pairs_out, nan_out):
    """Train GloVe over some blocks of the shuffled pairs.

    Parameters
    ----------
    rows, cols : int32 ndarray, shape (n_pairs,)
    vals : float32 ndarray, shape (n_pairs,)
        The shuffled pairs (counts > 0).
    block_size : int
        Block ``b`` is pairs ``b * block_size`` up to ``(b + 1) * block_size`` (or the end).
    block_ids : int64 ndarray, shape (n_blocks_here,)
        The blocks to train, in this order.
    block_seeds : int64 ndarray, shape (n_blocks_here,)
        Generator state of each of them (the order of its pairs).
    w, c : float32 ndarray, shape (n_words, dim)
        Word and context vectors, updated in place.
    bw, bc : float32 ndarray, shape (n_words,)
        Word and context biases.
    gw, gc : float32 ndarray, shape (n_words, dim)
    gbw, gbc : float32 ndarray, shape (n_words,)
        AdaGrad's sums of squared steps (initially 1).
    lr : float
        The vectors' learning rate (``alpha``).
    bias_lr : float
        The biases' learning rate.
    clip : float
        Gradients of vector coordinates are clipped to ``[-clip, clip]``.
    x_max, exponent : float
        The weighting function ``min(1, (x / x_max)**exponent)``.
    cost_out : float64 ndarray, shape (n_blocks_here,)
    pairs_out, nan_out : int64 ndarray, shape (n_blocks_here,)
        Filled with each block's cost sum, pairs trained and pairs skipped
        because their ``diff`` was not finite.
    """
    n_pairs = rows.shape[0]
    dim = w.shape[1]
    log_x_max = np.log(x_max)
    lr = np.float32(lr)
    bias_lr = np.float32(bias_lr)
    clip = np.float32(clip)
    for k in prange(block_ids.shape[0]):
        lo = block_ids[k] * block_size
        n = min(lo + block_size, n_pairs) - lo
        order = np.empty(n, np.int32)
        _permute(order, n, block_seeds[k])
        cost = 0.0
        trained = 0
        bad = 0
        for q in range(n):
            a = lo + order[q]
            i = rows[a]
            j = cols[a]
            log_x = np.log(np.float64(vals[a]))
            f = np.float32(0.0)
            for d in range(dim):
                f += w[i, d] * c[j, d]
            diff = np.float64(f) + bw[i] + bc[j] - log_x
            weight = 1.0 if log_x >= log_x_max else np.exp(exponent * (log_x - log_x_max))
            fdiff = weight * diff
            if not np.isfinite(fdiff):
                bad += 1
                continue
            cost += 0.5 * fdiff * diff
            g = np.float32(fdiff)
            for d in range(dim):
                sw = min(max(g * c[j, d], -clip), clip) * lr
                sc = min(max(g * w[i, d], -clip), clip) * lr
                w[i, d] -= sw / np.sqrt(gw[i, d])
                c[j, d] -= sc / np.sqrt(gc[j, d])
                gw[i, d] += sw * sw
                gc[j, d] += sc * sc
            sb = g * bias_lr
            bw[i] -= sb / np.sqrt(gbw[i])
            bc[j] -= sb / np.sqrt(gbc[j])
            gbw[i] += sb * sb
            gbc[j] += sb * sb
            trained += 1
        cost_out[k] = cost
        pairs_out[k] = trained
        nan_out[k] = bad
