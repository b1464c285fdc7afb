"""Co-occurrence counting kernels: the corpus as one marked stream, word occurrences, exact row counts.

Pure functions on arrays.  Counting runs in three steps:

1. :func:`build_stream` copies the sentences into one int32 stream, each
   followed by ``-1`` (the stream also starts with ``-1``), dropping
   subsampled tokens first; a window stops at a ``-1``, so it never crosses
   a sentence (a line, or a piece of a line longer than
   ``max_sentence_length``) and is simply clipped at its ends.
2. :func:`occurrences` lists, word by word, the stream positions where the
   words of a range of rows occur (a counting sort over the stream, whose
   counts :func:`word_counts` gives).
3. :func:`count_rows` computes whole rows of the matrix: for each row word,
   the contexts of all its occurrences are added into a dense accumulator of
   the thread (one per thread, ``n_words`` wide), and the row is read back in
   column order through a bitmap of the touched columns (Gustavson's
   row-by-row sparse product).

Weights are integers: the co-occurrence weight ``w_d`` at distance ``d``
times a scale ``L`` (see :func:`embkit.corpus.cooccur.unit_weights`), so
sums are exact and do not depend on the order in which they are made; each
row is computed in one place, so the matrix does not depend on the number of
threads, on how rows are grouped, or on whether rows were spilled to disk.

Random draw order of subsampling (the contract the tests' reference
follows): chunk ``c`` of sentences starts from ``chunk_seeds[c]``; one draw
(:func:`~embkit.kernels.rng.lcg_next`, then
:func:`~embkit.kernels.rng.lcg_uniform`) per token whose keep probability is
below 1, in corpus order; the token is dropped when its keep probability is
below the draw (as :mod:`embkit.kernels.sgns`).
"""
import numpy as np
from numba import get_thread_id, njit, prange

from .rng import lcg_next, lcg_uniform

SENTINEL = -1
"""Marks a sentence end (and the stream's start) in the stream."""


def _bit_index_table():
    """``table[(1 << k) % 67] == k`` for k in 0..62 (2 has order 66 modulo 67, so these differ).

    Bit 63, a negative int64, is recognised by its sign instead.
    """
    table = np.zeros(67, np.int64)
    for k in range(63):
        table[(1 << k) % 67] = k
    return table


BIT_INDEX = _bit_index_table()


@njit(cache=True)
def build_stream(tokens, token_base, offsets, chunk_bounds, chunk_seeds, keep_prob, out, pos):
    """Append the sentences of some chunks to the stream, each followed by ``-1``.

    Parameters
    ----------
    tokens : int32 ndarray
        Token ids from corpus position ``token_base`` on, covering the chunks.
    token_base : int
        Corpus position of ``tokens[0]``.
    offsets : int64 ndarray, shape (n_sentences + 1,)
        Sentence boundaries (corpus positions).
    chunk_bounds : int64 ndarray, shape (n_chunks + 1,)
        Chunk ``c`` is sentences ``chunk_bounds[c]:chunk_bounds[c + 1]``.
    chunk_seeds : int64 ndarray, shape (n_chunks,)
        Generator state of each chunk (used only where a keep probability is below 1).
    keep_prob : float32 ndarray, shape (n_words,)
        Subsampling keep probabilities (all 1: no subsampling).
    out : int32 ndarray
        The stream; written from ``pos`` on (``out[pos - 1]`` must be ``-1``).
    pos : int
        Where to write.

    Returns
    -------
    int
        The new end of the stream.  A sentence left empty by subsampling
        adds nothing.
    """
    n_chunks = chunk_bounds.shape[0] - 1
    for c in range(n_chunks):
        r = chunk_seeds[c]
        for s in range(chunk_bounds[c], chunk_bounds[c + 1]):
            start = pos
            for i in range(offsets[s], offsets[s + 1]):
                w = tokens[i - token_base]
                p = keep_prob[w]
                if p < 1.0:
                    r = lcg_next(r)
                    if p < lcg_uniform(r):
                        continue
                out[pos] = w
                pos += 1
            if pos > start:
                out[pos] = SENTINEL
                pos += 1
    return pos


@njit(cache=True)
def word_counts(stream, counts):
    """Count each word's occurrences in the stream, and find its longest sentence.

    Parameters
    ----------
    stream : int32 ndarray
        Word ids and ``-1`` marks.
    counts : int64 ndarray, shape (n_words,)
        Filled.

    Returns
    -------
    int
        Words in the longest sentence (0 for an empty stream).
    """
    counts[:] = 0
    longest = 0
    run = 0
    for p in range(stream.shape[0]):
        w = stream[p]
        if w >= 0:
            counts[w] += 1
            run += 1
        else:
            longest = max(longest, run)
            run = 0
    return max(longest, run)


@njit(cache=True)
def occurrences(stream, first, starts, positions):
    """Group the stream positions of the words ``first .. first + len(starts) - 2`` by word.

    Parameters
    ----------
    stream : int32 ndarray
        Word ids and ``-1`` marks.
    first : int
        The first word of the range.
    starts : int64 ndarray, shape (n_range + 1,)
        Word ``first + i`` occurs at ``positions[starts[i]:starts[i + 1]]``
        (the cumulative occurrence counts of the range, from 0).
    positions : int32 or int64 ndarray, shape (starts[-1],)
        Filled with stream positions, ascending within each word.
    """
    n = starts.shape[0] - 1
    fill = starts[:n].copy()
    for p in range(stream.shape[0]):
        w = stream[p] - first
        if 0 <= w < n:
            positions[fill[w]] = p
            fill[w] += 1


@njit(cache=True)
def _add_side(stream, p, step, weights, acc, bits):
    """Add the contexts on one side of position ``p`` (``step`` -1: left, +1: right) up to the window or a mark."""
    q = p
    for d in range(1, weights.shape[0]):
        q += step
        j = stream[q]
        if j < 0:
            break
        acc[j] += weights[d]
        bits[j >> 6] |= np.int64(1) << (j & 63)


@njit(cache=True, parallel=True)
def count_rows(stream, starts, positions, rows, weights, left, right, row_offsets, acc, bits, bit_index,
               cols_out, units_out, nnz_out):
    """Count whole rows of the co-occurrence matrix.

    Parameters
    ----------
    stream : int32 ndarray
        See :func:`build_stream`.
    starts : int64 ndarray
    positions : int32 or int64 ndarray
        See :func:`occurrences`: word ``rows[k]`` occurs at
        ``positions[starts[rows[k]]:starts[rows[k] + 1]]``.
    rows : int64 ndarray, shape (n_rows,)
        The rows to count, numbered from the first word of ``starts``.
    weights : int64 ndarray, shape (window + 1,)
        ``weights[d]`` is the integer weight at distance ``d`` (``weights[0]`` unused).
    left, right : bool
        Count contexts to the left / right of each occurrence.
    row_offsets : int64 ndarray, shape (n_rows,)
        Where each row's entries start in ``cols_out``/``units_out``; row
        ``k`` has room for at least its number of distinct contexts.
    acc : int64 ndarray, shape (n_threads, n_words)
        Accumulators, zero on entry and on return.
    bits : int64 ndarray, shape (n_threads, n_words // 64 + 1)
        Bitmaps of the touched columns, zero on entry and on return.
    bit_index : int64 ndarray, shape (67,)
        :data:`BIT_INDEX`.
    cols_out : int32 ndarray
        Filled with each row's columns, ascending.
    units_out : int64 ndarray
        Filled with each row's summed integer weights.
    nnz_out : int64 ndarray, shape (n_rows,)
        Filled with each row's number of entries.
    """
    n_rows = rows.shape[0]
    n_bit_words = bits.shape[1]
    for k in prange(n_rows):
        t = get_thread_id()
        a = acc[t]
        b = bits[t]
        word = rows[k]
        for o in range(starts[word], starts[word + 1]):
            p = positions[o]
            if left:
                _add_side(stream, p, -1, weights, a, b)
            if right:
                _add_side(stream, p, 1, weights, a, b)
        out = row_offsets[k]
        n = 0
        for q in range(n_bit_words):
            x = b[q]
            if x == 0:
                continue
            b[q] = 0
            while x != 0:
                low = x & -x
                j = q * 64 + (63 if low < 0 else bit_index[low % 67])
                cols_out[out + n] = j
                units_out[out + n] = a[j]
                a[j] = 0
                n += 1
                x ^= low
        nnz_out[k] = n


@njit(cache=True, parallel=True)
def compact_rows(row_offsets, nnz, cols_buf, units_buf, scale, indptr, cols, data):
    """Copy the counted rows into consecutive CSR arrays, turning integer weights into counts.

    Parameters
    ----------
    row_offsets, nnz : int64 ndarray, shape (n_rows,)
        Where each row lies in the buffers and how many entries it has.
    cols_buf : int32 ndarray
    units_buf : int64 ndarray
        :func:`count_rows`'s buffers.
    scale : float
        The integer weights' unit: a count is ``units / scale``.
    indptr : int64 ndarray, shape (n_rows + 1,)
        Row ``k`` goes to ``cols[indptr[k]:indptr[k + 1]]``.
    cols : int32 ndarray
    data : float64 or float32 ndarray
        Filled.
    """
    for k in prange(row_offsets.shape[0]):
        src = row_offsets[k]
        dst = indptr[k]
        for i in range(nnz[k]):
            cols[dst + i] = cols_buf[src + i]
            data[dst + i] = units_buf[src + i] / scale
