"""fastText kernels: skip-gram and CBOW with negative sampling over words' character n-grams.

Pure functions on arrays, with the conventions of :mod:`embkit.kernels.sgns`
(chunks in parallel without locks, one generator per chunk, subsampling per
sentence, shrinking windows, the learning rate by corpus position, the
sigmoid tables, noise words drawn from an alias table and skipped when equal
to the target).  Word ``w``'s input vector is the mean of the input-matrix
rows ``rows[row_ptr[w]:row_ptr[w + 1]]``: its own row, then one row per
character n-gram (see :func:`embkit.corpus.subwords.input_rows`).

* Skip-gram (fastText's direction): the centre word's composite vector
  ``h`` predicts each context word against ``negative`` noise words.  Every
  input row of the centre word receives the whole error vector (fastText
  does not divide it by the number of rows for unsupervised models).
* By default fastText's own update: each context word in turn, fresh noise
  words for each pair, ``h`` as the rows stand after the previous pair.
  fastText recomputes ``h`` from the rows after each pair; here ``h`` is
  moved by the pair's error instead (the mean of rows that each gained
  ``e`` moves by ``e``, scaled for rows a word lists twice: see
  :func:`embkit.corpus.subwords.row_shifts`) and the rows receive the window's summed error once,
  at its end.  In exact arithmetic both give the same vectors (one thread;
  with several, other threads' updates reach ``h`` at the next centre
  word instead of the next pair); the rows are read and written once per
  centre word instead of once per pair.
* With ``share_negatives`` a centre word's window is one batch: ``h`` is
  computed once, the noise words are drawn once and shared by its ``k``
  context words, all scores come from the vectors as they were before the
  window, then each output row and each input row is updated once.  This is
  the batched update of :func:`embkit.kernels.sgns.sgns_epoch` with ``h`` as
  every pair's input: a noise word stands for its ``k`` pairs (less those
  whose context word it equals), so its gradient and loss are weighted by
  that number.  Fewer dot products, noisier gradients.
* CBOW: ``h`` is the mean of every input row of every context word (a bag
  of the context words' rows, as fastText); the error goes, whole, to each of
  those rows.  With ``position_weights`` (Grave et al. 2018) the rows of the
  context word at offset ``o`` from the centre are multiplied element-wise by
  the weight vector of ``o`` (``pos_w``, initially ones), which is trained
  too: ``h = sum_o pos_w[o] * S_o / n_rows`` with ``S_o`` the sum of that
  word's rows; row ``r`` of offset ``o`` receives ``pos_w[o] * err`` and
  ``pos_w[o]`` receives ``err * S_o / (n_rows * dim)``: the weights, shared
  by every example, learn ``dim`` times more slowly than the rows (at the
  full rate unit-initialised weights drift and destabilise training, as
  found for gensim in piskvorky/gensim#2905).  Offsets map to rows of
  ``pos_w`` as ``o + window`` for ``o < 0`` and ``o + window - 1`` for ``o > 0``.

Random draw order: as :mod:`embkit.kernels.sgns` (subsampling, then per kept
centre the reduced window, then the noise words: ``negative`` per context
word in window order for fastText's skip-gram update, ``negative`` once per
centre for the shared update and for CBOW); no draw for a centre whose
window is empty.

Loss: per example ``-log σ(v_t·h) - Σ_neg log σ(-v_neg·h)``; an example is a
(centre, context) pair for skip-gram and a centre with a context for CBOW.

References
----------
Bojanowski, Grave, Joulin & Mikolov (2017), "Enriching Word Vectors with
Subword Information", TACL 5 (equation 1 and section 3.2).
Grave, Bojanowski, Gupta, Joulin & Mikolov (2018), "Learning Word Vectors for
157 Languages", LREC (section 2.1, position-dependent weighting).
Ji, Shah, Satish, Dubey & Sundaram (2016), "Parallelizing Word2Vec in Shared
and Distributed Memory" (shared noise words, batched window update).
"""
import numpy as np
from numba import njit, prange

from ._jit import FASTMATH
from .sgns import _draw_negative, _noise_contrast, _score, _subsample, _window


@njit(cache=True, inline="always", fastmath=FASTMATH)
def _composite(row_ptr, rows, w, w_in, h):
    """h = mean of the input rows of word w; returns the number of rows."""
    dim = h.shape[0]
    for d in range(dim):
        h[d] = 0.0
    lo, hi = row_ptr[w], row_ptr[w + 1]
    for i in range(lo, hi):
        r = rows[i]
        for d in range(dim):
            h[d] += w_in[r, d]
    inv = np.float32(1.0 / (hi - lo))
    for d in range(dim):
        h[d] *= inv
    return hi - lo


@njit(cache=True, inline="always", fastmath=FASTMATH)
def _add_to_rows(row_ptr, rows, w, w_in, err):
    """Add err to every input row of word w."""
    dim = err.shape[0]
    for i in range(row_ptr[w], row_ptr[w + 1]):
        r = rows[i]
        for d in range(dim):
            w_in[r, d] += err[d]


@njit(cache=True, inline="always", fastmath=FASTMATH)
def _batched_sg(r, buf, j, lo, hi, w_in, w_out, row_ptr, rows, alias_prob, alias_idx, sig, logsig, max_exp, lr,
                negative, train_in, train_out, outs, weight, grad, h, err):
    """Skip-gram update of one centre word's window as one batch, noise words shared; (state, loss, examples)."""
    dim = w_in.shape[1]
    centre = buf[j]
    k = 0
    for p in range(lo, hi):
        if p != j:
            outs[k] = buf[p]
            weight[k] = 1.0
            k += 1
    if k == 0:
        return r, 0.0, 0
    n_out = k + negative
    for q in range(k, n_out):
        r, t = _draw_negative(r, alias_prob, alias_idx)
        outs[q] = t
        same = 0
        for i in range(k):
            if outs[i] == t:
                same += 1
        weight[q] = k - same
    _composite(row_ptr, rows, centre, w_in, h)
    loss = 0.0
    for q in range(n_out):
        if weight[q] == 0.0:
            grad[q] = 0.0
            continue
        t = outs[q]
        f = np.float32(0.0)
        for d in range(dim):
            f += h[d] * w_out[t, d]
        g, l = _score(f, 1 if q < k else 0, lr, sig, logsig, max_exp)
        grad[q] = g * weight[q]
        loss += l * weight[q]
    for d in range(dim):
        err[d] = 0.0
    for q in range(n_out):
        g = grad[q]
        t = outs[q]
        for d in range(dim):
            err[d] += g * w_out[t, d]
    if train_out:
        for q in range(n_out):
            g = grad[q]
            t = outs[q]
            for d in range(dim):
                w_out[t, d] += g * h[d]
    if train_in:
        _add_to_rows(row_ptr, rows, centre, w_in, err)
    return r, loss, k


@njit(cache=True, inline="always", fastmath=FASTMATH)
def _classic_sg(r, buf, j, lo, hi, w_in, w_out, row_ptr, rows, alias_prob, alias_idx, sig, logsig, max_exp, lr,
                negative, train_in, train_out, h, err, acc, shift):
    """fastText's skip-gram update: each context word in turn, fresh noise words; (state, loss, examples).

    ``h`` is kept as fastText's recomputation would find it: after a pair
    every input row of the centre has gained the pair's error, so their mean
    moves by ``shift`` times it (``shift`` = sum of squared row multiplicities
    over the row count: 1 when no row is listed twice).  The rows receive
    the window's summed error ``acc`` once, at its end.
    """
    dim = w_in.shape[1]
    centre = buf[j]
    loss = 0.0
    n_ex = 0
    for p in range(lo, hi):
        if p == j:
            continue
        if n_ex == 0:
            _composite(row_ptr, rows, centre, w_in, h)
            for d in range(dim):
                acc[d] = 0.0
        for d in range(dim):
            err[d] = 0.0
        r, l = _noise_contrast(r, h, buf[p], w_out, alias_prob, alias_idx, sig, logsig, max_exp, lr, negative,
                               train_out, err)
        loss += l
        if train_in:
            for d in range(dim):
                acc[d] += err[d]
                h[d] += shift * err[d]
        n_ex += 1
    if train_in and n_ex:
        _add_to_rows(row_ptr, rows, centre, w_in, acc)
    return r, loss, n_ex


@njit(cache=True, parallel=True, fastmath=FASTMATH)
def fasttext_sg_epoch(tokens, token_base, n_tokens, offsets, chunk_bounds, chunk_seeds, w_in, w_out, row_ptr, rows,
                      row_shift, alias_prob, alias_idx, keep_prob, sig, logsig, max_exp, lr_start, lr_end, window,
                      negative, max_len, shrink_windows, share_negatives, train_in, train_out,
                      loss_out, examples_out, trained_out):
    """Train fastText skip-gram over some chunks of the corpus.

    Parameters
    ----------
    tokens : int32 ndarray
        The encoded corpus from corpus position ``token_base`` on, covering
        every sentence of the given chunks.
    token_base : int
        Corpus position of ``tokens[0]``.
    n_tokens : int
        Tokens in the whole corpus (the learning rate's scale).
    offsets : int64 ndarray, shape (n_sentences + 1,)
        Sentence boundaries (corpus positions).
    chunk_bounds : int64 ndarray, shape (n_chunks + 1,)
        Chunk ``c`` is sentences ``chunk_bounds[c]:chunk_bounds[c + 1]``.
    chunk_seeds : int64 ndarray, shape (n_chunks,)
        Generator state of each chunk.
    w_in : float32 ndarray, shape (n_words + bucket, dim)
        Input rows: words, then n-gram buckets; updated in place.
    w_out : float32 ndarray, shape (n_words, dim)
        Output (context) vectors, updated in place.
    row_ptr : int64 ndarray, shape (n_words + 1,)
    rows : int64 ndarray
        The input rows of each word (its own first), see
        :func:`embkit.corpus.subwords.input_rows`.
    row_shift : float32 ndarray, shape (n_words,)
        How far a word's composite vector moves when each of its listed
        rows gains a vector ``e``, in units of ``e``: the sum of the squared
        multiplicities of its rows over their count (1 without repeats; see
        :func:`embkit.corpus.subwords.row_shifts`).
    alias_prob : float32 ndarray, shape (n_words,)
    alias_idx : int32 ndarray, shape (n_words,)
        Alias table of the noise distribution.
    keep_prob : float32 ndarray, shape (n_words,)
        Subsampling keep probabilities.
    sig, logsig : float32 ndarray, shape (table_size,)
        Sigmoid tables over ``(-max_exp, max_exp)``.
    max_exp : float
    lr_start, lr_end : float
        Learning rate at corpus position 0 and ``n_tokens``.
    window, negative, max_len : int
        Window radius, noise words per example, longest sentence.
    shrink_windows, share_negatives, train_in, train_out : bool
        See the module notes for ``share_negatives``.
    loss_out : float64 ndarray, shape (n_chunks,)
    examples_out, trained_out : int64 ndarray, shape (n_chunks,)
        Filled with each chunk's loss sum, examples and tokens kept after
        subsampling.
    """
    n_chunks = chunk_bounds.shape[0] - 1
    dim = w_in.shape[1]
    lr_step = (lr_end - lr_start) / n_tokens
    n_outs = 2 * window + negative
    for c in prange(n_chunks):
        r = chunk_seeds[c]
        buf = np.empty(max_len, np.int32)
        pos = np.empty(max_len, np.int64)
        outs = np.empty(n_outs, np.int32)
        weight = np.empty(n_outs, np.float32)
        grad = np.empty(n_outs, np.float32)
        h = np.empty(dim, np.float32)
        err = np.empty(dim, np.float32)
        acc = np.empty(dim, np.float32)
        loss = 0.0
        n_ex = 0
        n_kept = 0
        for s in range(chunk_bounds[c], chunk_bounds[c + 1]):
            r, n = _subsample(tokens, token_base, offsets[s], offsets[s + 1], keep_prob, r, buf, pos)
            n_kept += n
            for j in range(n):
                lr = lr_start + lr_step * pos[j]
                r, lo, hi = _window(r, j, n, window, shrink_windows)
                if share_negatives:
                    r, l, k = _batched_sg(r, buf, j, lo, hi, w_in, w_out, row_ptr, rows, alias_prob, alias_idx,
                                          sig, logsig, max_exp, lr, negative, train_in, train_out, outs, weight,
                                          grad, h, err)
                else:
                    r, l, k = _classic_sg(r, buf, j, lo, hi, w_in, w_out, row_ptr, rows, alias_prob, alias_idx,
                                          sig, logsig, max_exp, lr, negative, train_in, train_out, h, err, acc,
                                          row_shift[buf[j]])
                loss += l
                n_ex += k
        loss_out[c] = loss
        examples_out[c] = n_ex
        trained_out[c] = n_kept


@njit(cache=True, inline="always", fastmath=FASTMATH)
def _cbow_hidden(buf, j, lo, hi, window, w_in, row_ptr, rows, pos_w, position_weights, sums, h):
    """h of CBOW (see the module notes); fills ``sums`` with each context word's row sum when weighting.

    Returns the number of input rows in the bag.
    """
    dim = h.shape[0]
    for d in range(dim):
        h[d] = 0.0
    n_rows = 0
    for p in range(lo, hi):
        if p == j:
            continue
        c = buf[p]
        a, b = row_ptr[c], row_ptr[c + 1]
        n_rows += b - a
        if position_weights:
            slot = p - j + window if p < j else p - j + window - 1
            for d in range(dim):
                sums[slot, d] = 0.0
            for i in range(a, b):
                rr = rows[i]
                for d in range(dim):
                    sums[slot, d] += w_in[rr, d]
            for d in range(dim):
                h[d] += pos_w[slot, d] * sums[slot, d]
        else:
            for i in range(a, b):
                rr = rows[i]
                for d in range(dim):
                    h[d] += w_in[rr, d]
    inv = np.float32(1.0 / n_rows)
    for d in range(dim):
        h[d] *= inv
    return n_rows


@njit(cache=True, inline="always", fastmath=FASTMATH)
def _cbow_backward(buf, j, lo, hi, window, w_in, row_ptr, rows, pos_w, position_weights, sums, n_rows, err, werr):
    """Add the error to the context words' input rows (and train the position weights)."""
    dim = err.shape[0]
    inv = np.float32(1.0 / (n_rows * dim))
    for p in range(lo, hi):
        if p == j:
            continue
        c = buf[p]
        if position_weights:
            slot = p - j + window if p < j else p - j + window - 1
            for d in range(dim):
                werr[d] = pos_w[slot, d] * err[d]
                pos_w[slot, d] += err[d] * sums[slot, d] * inv
            _add_to_rows(row_ptr, rows, c, w_in, werr)
        else:
            _add_to_rows(row_ptr, rows, c, w_in, err)


@njit(cache=True, parallel=True, fastmath=FASTMATH)
def fasttext_cbow_epoch(tokens, token_base, n_tokens, offsets, chunk_bounds, chunk_seeds, w_in, w_out, row_ptr,
                        rows, alias_prob, alias_idx, keep_prob, sig, logsig, max_exp, lr_start, lr_end, window,
                        negative, max_len, shrink_windows, train_in, train_out, pos_w, position_weights,
                        loss_out, examples_out, trained_out):
    """Train fastText CBOW over some chunks of the corpus.

    Parameters
    ----------
    tokens, token_base, n_tokens, offsets, chunk_bounds, chunk_seeds, w_in, w_out, row_ptr, rows
        See :func:`fasttext_sg_epoch`.
    alias_prob, alias_idx, keep_prob, sig, logsig, max_exp, lr_start, lr_end, window, negative, max_len
        See :func:`fasttext_sg_epoch`.
    shrink_windows, train_in, train_out : bool
    pos_w : float32 ndarray, shape (2 * window, dim)
        Position weights, updated in place when ``position_weights`` and
        ``train_in`` are set (ignored otherwise).
    position_weights : bool
    loss_out : float64 ndarray, shape (n_chunks,)
    examples_out, trained_out : int64 ndarray, shape (n_chunks,)
        Filled with each chunk's loss sum, examples and tokens kept.
    """
    n_chunks = chunk_bounds.shape[0] - 1
    dim = w_in.shape[1]
    lr_step = (lr_end - lr_start) / n_tokens
    for c in prange(n_chunks):
        r = chunk_seeds[c]
        buf = np.empty(max_len, np.int32)
        pos = np.empty(max_len, np.int64)
        sums = np.empty((2 * window if position_weights else 0, dim), np.float32)
        h = np.empty(dim, np.float32)
        err = np.empty(dim, np.float32)
        werr = np.empty(dim, np.float32)
        loss = 0.0
        n_ex = 0
        n_kept = 0
        for s in range(chunk_bounds[c], chunk_bounds[c + 1]):
            r, n = _subsample(tokens, token_base, offsets[s], offsets[s + 1], keep_prob, r, buf, pos)
            n_kept += n
            for j in range(n):
                centre = buf[j]
                lr = lr_start + lr_step * pos[j]
                r, lo, hi = _window(r, j, n, window, shrink_windows)
                if hi - lo - 1 <= 0:
                    continue
                n_rows = _cbow_hidden(buf, j, lo, hi, window, w_in, row_ptr, rows, pos_w, position_weights,
                                      sums, h)
                for d in range(dim):
                    err[d] = 0.0
                r, l = _noise_contrast(r, h, centre, w_out, alias_prob, alias_idx, sig, logsig, max_exp, lr,
                                       negative, train_out, err)
                loss += l
                if train_in:
                    _cbow_backward(buf, j, lo, hi, window, w_in, row_ptr, rows, pos_w, position_weights, sums,
                                   n_rows, err, werr)
                n_ex += 1
        loss_out[c] = loss
        examples_out[c] = n_ex
        trained_out[c] = n_kept
