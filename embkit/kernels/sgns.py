"""word2vec kernels: skip-gram and CBOW with negative sampling.

Pure functions on arrays.  One call trains one epoch (or a contiguous part of
one) over the given chunks of the encoded corpus; chunks run in parallel
(``prange``) and update the shared matrices without locks (Hogwild, Recht et
al. 2011).  Every chunk draws from its own generator (see
:mod:`embkit.kernels.rng`), so one thread with a seed is bit-for-bit
reproducible; several threads are statistically, not bitwise, equivalent.

Conventions (as word2vec.c and gensim):

* Skip-gram trains each (context, centre) pair with the context word's input
  vector predicting the centre word's output vector against ``negative``
  noise words; a noise word equal to the centre is skipped.
* CBOW predicts the centre from the mean of the context words' input vectors;
  the error is added, unscaled, to every context word (``cbow_mean=1``).
* Shrinking window: for each centre a reduced window ``b`` is drawn uniformly
  from ``0..window-1`` and the effective window is ``window - b``.
* Subsampling drops an occurrence of word ``w`` when a uniform draw exceeds
  ``keep_prob[w]``; it happens once per sentence, before windows are formed,
  and windows never cross a sentence (chunks hold whole sentences).
* Learning rate: the token at corpus position ``i`` (of ``n_tokens``) is
  trained with ``lr_start + (lr_end - lr_start) * i / n_tokens``; the driver
  passes an epoch's end points so that the rate falls linearly from ``alpha``
  to ``min_alpha`` over all epochs.  Unlike word2vec.c the rate does not
  depend on how far other threads have got, which keeps it reproducible.
* Loss: for each example, ``-log σ(v_out·h) - Σ_neg log σ(-v_neg·h)`` with
  ``h`` the input vector (skip-gram) or context mean (CBOW), summed in
  float64 per chunk.  An example is a (context, centre) pair for skip-gram
  and a centre with at least one context word for CBOW.

With ``share_negatives`` (skip-gram) the ``negative`` noise words are drawn
once per centre and shared by all its context words, and the whole window is
updated as one small batch: all scores are computed from the vectors as they
were before the window, then each output and context row is updated once
(Ji et al. 2016, "Parallelizing Word2Vec in Shared and Distributed Memory").
This is what the estimators use by default; ``share_negatives=False`` gives
word2vec.c's classic update (each pair in turn, fresh noise words per pair).

Random draw order (the contract the tests' reference follows): per sentence,
one draw per token whose keep probability is below 1 (subsampling); then per
kept centre word, one draw for the reduced window (if shrinking), then for
the batched update ``negative`` noise words if the window holds a context
word, each noise word taking two draws (alias column, then coin); for the
classic skip-gram update, per context word
in window order, ``negative`` noise words; for CBOW, ``negative`` noise words
per centre.

References
----------
Mikolov et al. (2013), "Efficient Estimation of Word Representations in
Vector Space" and "Distributed Representations of Words and Phrases and their
Compositionality".
"""
import numpy as np
from numba import njit, prange

from ._jit import FASTMATH
from .rng import lcg_below, lcg_next, lcg_uniform


@njit(cache=True, inline="always", fastmath=FASTMATH)
def _score(f, label, lr, sig, logsig, max_exp):
    """Gradient step ``g`` and loss of one logistic output with score ``f``."""
    size = sig.shape[0]
    if f >= max_exp:
        g = (label - 1.0) * lr
        loss = np.log1p(np.exp(-f)) if label == 1 else f + np.log1p(np.exp(-f))
    elif f <= -max_exp:
        g = label * lr
        loss = -f + np.log1p(np.exp(f)) if label == 1 else np.log1p(np.exp(f))
    else:
        i = int((f + max_exp) * (size / (2.0 * max_exp)))
        if i >= size:
            i = size - 1
        if label == 1:
            g = (1.0 - sig[i]) * lr
            loss = -logsig[i]
        else:
            g = -sig[i] * lr
            loss = -logsig[size - 1 - i]
    return np.float32(g), loss


@njit(cache=True, inline="always")
def _draw_negative(r, alias_prob, alias_idx):
    n = alias_prob.shape[0]
    r = lcg_next(r)
    i = lcg_below(r, n)
    r = lcg_next(r)
    if lcg_uniform(r) >= alias_prob[i]:
        i = alias_idx[i]
    return r, i


@njit(cache=True, inline="always", fastmath=FASTMATH)
def _noise_contrast(r, h, target, w_out, alias_prob, alias_idx, sig, logsig, max_exp, lr, negative, train_out, err):
    """One example: ``h`` against ``target`` (label 1), then ``negative`` noise words (label 0).

    word2vec.c's inner loop: a noise word equal to the target is skipped;
    each output row's gradient times the row is added to ``err`` (not reset
    here), and the row is updated at once when ``train_out``.  ``h`` may be
    a row of the input matrix (it is not changed).  Returns (generator
    state, loss).
    """
    dim = h.shape[0]
    loss = 0.0
    for q in range(negative + 1):
        if q == 0:
            t = target
            label = 1
        else:
            r, t = _draw_negative(r, alias_prob, alias_idx)
            if t == target:
                continue
            label = 0
        f = np.float32(0.0)
        for d in range(dim):
            f += h[d] * w_out[t, d]
        g, l = _score(f, label, lr, sig, logsig, max_exp)
        loss += l
        for d in range(dim):
            err[d] += g * w_out[t, d]
        if train_out:
            for d in range(dim):
                w_out[t, d] += g * h[d]
    return r, loss


@njit(cache=True, inline="always")
def _subsample(tokens, token_base, lo, hi, keep_prob, r, buf, pos):
    """Copy the kept tokens at corpus positions lo..hi-1 into buf (ids) and pos (positions).

    ``tokens[0]`` is the token at corpus position ``token_base``.
    """
    n = 0
    for i in range(lo, hi):
        w = tokens[i - token_base]
        p = keep_prob[w]
        if p < 1.0:
            r = lcg_next(r)
            if p < lcg_uniform(r):
                continue
        buf[n] = w
        pos[n] = i
        n += 1
    return r, n


@njit(cache=True, inline="always")
def _window(r, j, n, window, shrink_windows):
    """Bounds [lo, hi) of the (possibly reduced) window around position j of n."""
    b = 0
    if shrink_windows:
        r = lcg_next(r)
        b = lcg_below(r, window)
    return r, max(j - window + b, 0), min(j + window - b + 1, n)


@njit(cache=True, inline="always", fastmath=FASTMATH)
def _batched_window(r, buf, j, lo, hi, w_in, w_out, alias_prob, alias_idx, sig, logsig, max_exp, lr, negative,
                    train_in, train_out, ctxs, outs, grad, err):
    """Skip-gram update of one centre word's whole window with shared noise words.

    All scores use the vectors as they were before this window; then every
    output row and every context row is updated once (Ji et al. 2016).
    Returns (generator state, loss, number of (context, centre) examples).
    """
    dim = w_in.shape[1]
    centre = buf[j]
    k = 0
    for p in range(lo, hi):
        if p != j:
            ctxs[k] = buf[p]
            k += 1
    if k == 0:
        return r, 0.0, 0
    outs[0] = centre
    for q in range(1, negative + 1):
        r, t = _draw_negative(r, alias_prob, alias_idx)
        outs[q] = t
    loss = 0.0
    for i in range(k):
        c = ctxs[i]
        for q in range(negative + 1):
            t = outs[q]
            if q > 0 and t == centre:
                grad[i, q] = 0.0
                continue
            f = np.float32(0.0)
            for d in range(dim):
                f += w_in[c, d] * w_out[t, d]
            g, l = _score(f, 1 if q == 0 else 0, lr, sig, logsig, max_exp)
            grad[i, q] = g
            loss += l
    for i in range(k):
        for d in range(dim):
            err[i, d] = 0.0
        for q in range(negative + 1):
            g = grad[i, q]
            t = outs[q]
            for d in range(dim):
                err[i, d] += g * w_out[t, d]
    if train_out:
        for q in range(negative + 1):
            t = outs[q]
            for i in range(k):
                g = grad[i, q]
                c = ctxs[i]
                for d in range(dim):
                    w_out[t, d] += g * w_in[c, d]
    if train_in:
        for i in range(k):
            c = ctxs[i]
            for d in range(dim):
                w_in[c, d] += err[i, d]
    return r, loss, k


# long: Numba kernel, its per-chunk loop stays in one prange body; the docstring lists 26 arguments
@njit(cache=True, parallel=True, fastmath=FASTMATH)
def sgns_epoch(tokens, token_base, n_tokens, offsets, chunk_bounds, chunk_seeds, w_in, w_out, alias_prob, alias_idx,
               keep_prob, sig, logsig, max_exp, lr_start, lr_end, window, negative, max_len,
               shrink_windows, share_negatives, train_in, train_out,
               loss_out, examples_out, trained_out):
    """Train skip-gram with negative sampling over some chunks of the corpus.

    Each (context, centre) pair in a window is one logistic-regression
    example: the context word's input vector predicts the centre word's
    output vector (label 1) against ``negative`` noise words drawn from the
    alias table (label 0).  The update follows word2vec.c's skip-gram branch
    (``train_model_thread``, ``cbow == 0``), or with ``share_negatives`` the
    batched window update of Ji et al. (2016); the module docstring gives the
    conventions and the order of random draws.

    Parameters
    ----------
    tokens : ndarray of int32, shape (n_covered,)
        The encoded corpus from corpus position ``token_base`` on; it must
        cover every sentence of the given chunks (the whole corpus, or just
        the slice those chunks need).  Ids are trusted to lie in
        ``[0, n_words)``.
    token_base : int
        Corpus position of ``tokens[0]``.
    n_tokens : int
        Tokens in the whole corpus (the learning rate's scale; >= 1).
    offsets : ndarray of int64, shape (n_sentences + 1,)
        Sentence boundaries (corpus positions): sentence ``s`` is positions
        ``offsets[s]:offsets[s + 1]``.
    chunk_bounds : ndarray of int64, shape (n_chunks + 1,)
        Chunk ``c`` is sentences ``chunk_bounds[c]:chunk_bounds[c + 1]``
        (see :meth:`embkit.corpus.encoded.EncodedCorpus.chunks`).
    chunk_seeds : ndarray of int64, shape (n_chunks,)
        Generator state of each chunk (see
        :func:`embkit.kernels.rng.chunk_seeds`).
    w_in, w_out : ndarray of float32, shape (n_words, dim)
        Input (word) and output (context) vectors, C-contiguous, updated in
        place by all chunks at once without locks.
    alias_prob : ndarray of float32, shape (n_words,)
        Keep probability of each column of the noise distribution's alias
        table (see :func:`embkit.kernels.sampling.build_alias`).
    alias_idx : ndarray of int32, shape (n_words,)
        The other outcome of each column of the alias table.
    keep_prob : ndarray of float32, shape (n_words,)
        Subsampling keep probability of each word (see
        :func:`embkit.kernels.sampling.keep_probabilities`; 1 keeps all).
    sig, logsig : ndarray of float32, shape (table_size,)
        The sigmoid and its log at the midpoints of ``table_size`` bins over
        ``(-max_exp, max_exp)`` (see
        :func:`embkit.kernels.sampling.sigmoid_tables`).
    max_exp : float
        Scores ``|f| >= max_exp`` are outside the tables: the gradient is
        then saturated (``label - 1`` or ``label``, times the rate) as in
        word2vec.c, and the loss computed exactly with ``log1p``.
    lr_start, lr_end : float
        Learning rate at corpus position 0 and ``n_tokens`` (linear in
        between).
    window : int
        Largest window radius (>= 1), in kept tokens on each side.
    negative : int
        Noise words per example (>= 0).
    max_len : int
        Tokens in the longest sentence (sizes the per-chunk buffers; must be
        at least every ``offsets[s + 1] - offsets[s]``).
    shrink_windows : bool
        Draw a reduced window for each centre word (word2vec's default).
    share_negatives : bool
        Skip-gram: update each centre's window as one batch with shared noise
        words (Ji et al. 2016) instead of word2vec.c's per-pair update.
    train_in, train_out : bool
        Update ``w_in`` / ``w_out``; False leaves that matrix unchanged
        (frozen).
    loss_out : ndarray of float64, shape (n_chunks,)
        Filled with each chunk's loss sum (nats).
    examples_out : ndarray of int64, shape (n_chunks,)
        Filled with each chunk's number of examples.
    trained_out : ndarray of int64, shape (n_chunks,)
        Filled with each chunk's tokens kept after subsampling.

    Returns
    -------
    None
        Results go to ``w_in``, ``w_out``, ``loss_out``, ``examples_out`` and
        ``trained_out``.

    References
    ----------
    Mikolov, Sutskever, Chen, Corrado & Dean (2013), "Distributed
    Representations of Words and Phrases and their Compositionality", NIPS:
    the skip-gram negative-sampling objective, eq. 4.
    Ji, Satish, Li & Dubey (2016), "Parallelizing Word2Vec
    in Shared and Distributed Memory", arXiv:1604.04661: shared noise words
    and the batched window update.
    """
    n_chunks = chunk_bounds.shape[0] - 1
    dim = w_in.shape[1]
    lr_step = (lr_end - lr_start) / n_tokens
    for c in prange(n_chunks):
        r = chunk_seeds[c]
        buf = np.empty(max_len, np.int32)
        pos = np.empty(max_len, np.int64)
        ctxs = np.empty(2 * window, np.int32)
        outs = np.empty(negative + 1, np.int32)
        grad = np.empty((2 * window, negative + 1), np.float32)
        err = np.empty((2 * window, dim), np.float32)
        neu1e = np.empty(dim, np.float32)
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
                if share_negatives:
                    r, l, k = _batched_window(r, buf, j, lo, hi, w_in, w_out, alias_prob, alias_idx, sig, logsig,
                                              max_exp, lr, negative, train_in, train_out, ctxs, outs, grad, err)
                    loss += l
                    n_ex += k
                    continue
                for k in range(lo, hi):
                    if k == j:
                        continue
                    ctx = buf[k]
                    for d in range(dim):
                        neu1e[d] = 0.0
                    r, l = _noise_contrast(r, w_in[ctx], centre, w_out, alias_prob, alias_idx, sig, logsig, max_exp,
                                           lr, negative, train_out, neu1e)
                    loss += l
                    if train_in:
                        for d in range(dim):
                            w_in[ctx, d] += neu1e[d]
                    n_ex += 1
        loss_out[c] = loss
        examples_out[c] = n_ex
        trained_out[c] = n_kept


# long: Numba kernel, its per-chunk loop stays in one prange body; the docstring lists 26 arguments
@njit(cache=True, parallel=True, fastmath=FASTMATH)
def cbow_epoch(tokens, token_base, n_tokens, offsets, chunk_bounds, chunk_seeds, w_in, w_out, alias_prob, alias_idx,
               keep_prob, sig, logsig, max_exp, lr_start, lr_end, window, negative, max_len,
               shrink_windows, share_negatives, train_in, train_out,
               loss_out, examples_out, trained_out):
    """Train CBOW (mean of context) with negative sampling over some chunks.

    For each kept centre word with at least one context word in its window,
    the mean ``h`` of the context words' input vectors predicts the centre
    word's output vector (label 1) against ``negative`` noise words (label
    0); the accumulated error is added, unscaled, to every context word's
    input vector.  This is word2vec.c's CBOW branch (``train_model_thread``,
    ``cbow == 1``, ``cbow_mean == 1``); the module docstring gives the
    conventions and the order of random draws, and :func:`sgns_epoch` the
    parameters in full.

    Parameters
    ----------
    tokens : ndarray of int32, shape (n_covered,)
        Encoded corpus from corpus position ``token_base`` on.
    token_base, n_tokens : int
        Corpus position of ``tokens[0]``; tokens in the whole corpus.
    offsets : ndarray of int64, shape (n_sentences + 1,)
        Sentence boundaries (corpus positions).
    chunk_bounds : ndarray of int64, shape (n_chunks + 1,)
        Sentences of each chunk.
    chunk_seeds : ndarray of int64, shape (n_chunks,)
        Generator state of each chunk.
    w_in, w_out : ndarray of float32, shape (n_words, dim)
        Input and output vectors, updated in place.
    alias_prob : ndarray of float32, shape (n_words,)
    alias_idx : ndarray of int32, shape (n_words,)
        Alias table of the noise distribution.
    keep_prob : ndarray of float32, shape (n_words,)
        Subsampling keep probabilities.
    sig, logsig : ndarray of float32, shape (table_size,)
        Sigmoid tables over ``(-max_exp, max_exp)``.
    max_exp, lr_start, lr_end : float
        Table range; learning rate at corpus positions 0 and ``n_tokens``.
    window, negative, max_len : int
        Window radius, noise words per centre, longest sentence.
    shrink_windows : bool
        Draw a reduced window for each centre word.
    share_negatives : bool
        No effect: CBOW draws one set of noise words per centre anyway (kept
        so that both kernels take the same arguments).
    train_in, train_out : bool
        Update ``w_in`` / ``w_out``; False freezes that matrix.
    loss_out : ndarray of float64, shape (n_chunks,)
    examples_out, trained_out : ndarray of int64, shape (n_chunks,)
        Filled with each chunk's loss sum (nats), examples (centre words with
        at least one context word) and tokens kept after subsampling.

    Returns
    -------
    None
        Results go to ``w_in``, ``w_out``, ``loss_out``, ``examples_out`` and
        ``trained_out``.

    References
    ----------
    Mikolov, Chen, Corrado & Dean (2013), "Efficient Estimation of Word
    Representations in Vector Space", arXiv:1301.3781: the CBOW model
    (section 3.1), trained here with the negative-sampling objective of
    Mikolov et al. (2013), "Distributed Representations of Words and Phrases
    and their Compositionality", eq. 4.
    """
    n_chunks = chunk_bounds.shape[0] - 1
    dim = w_in.shape[1]
    lr_step = (lr_end - lr_start) / n_tokens
    for c in prange(n_chunks):
        r = chunk_seeds[c]
        buf = np.empty(max_len, np.int32)
        pos = np.empty(max_len, np.int64)
        h = np.empty(dim, np.float32)
        neu1e = np.empty(dim, np.float32)
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
                count = hi - lo - 1
                if count <= 0:
                    continue
                for d in range(dim):
                    h[d] = 0.0
                    neu1e[d] = 0.0
                for k in range(lo, hi):
                    if k != j:
                        ctx = buf[k]
                        for d in range(dim):
                            h[d] += w_in[ctx, d]
                inv = np.float32(1.0 / count)
                for d in range(dim):
                    h[d] *= inv
                r, l = _noise_contrast(r, h, centre, w_out, alias_prob, alias_idx, sig, logsig, max_exp, lr,
                                       negative, train_out, neu1e)
                loss += l
                if train_in:
                    for k in range(lo, hi):
                        if k != j:
                            ctx = buf[k]
                            for d in range(dim):
                                w_in[ctx, d] += neu1e[d]
                n_ex += 1
        loss_out[c] = loss
        examples_out[c] = n_ex
        trained_out[c] = n_kept
