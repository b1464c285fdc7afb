"""The fastText estimator: skip-gram or CBOW over words and their character n-grams, giving SubwordVectors.

This module holds what is particular to fastText: its parameter table, the
n-gram index of the vocabulary (computed once, :mod:`embkit.corpus.subwords`),
its input matrix (word rows, then ``bucket`` n-gram rows) and the call of its
kernels (:mod:`embkit.kernels.subword`); the rest of training is
:mod:`embkit.models._training`.

References
----------
Bojanowski, Grave, Joulin & Mikolov (2017), "Enriching Word Vectors with
Subword Information", TACL 5.
Grave, Bojanowski, Gupta, Joulin & Mikolov (2018), "Learning Word Vectors for
157 Languages", LREC (position-dependent weighting of CBOW's context).
"""
import logging

import numpy as np

from .. import _params
from ..corpus.encoded import EncodedCorpus
from ..corpus.subwords import compose, count_ngrams, input_rows, ngram_csr, row_shifts
from ..exceptions import InvalidParameterError
from ._base import VectorEstimator
from ._training import apply_init, train
from .word2vec import MAX_EXP, SIGMOID_TABLE_SIZE

__all__ = ["FastText", "warmup"]

log = logging.getLogger(__name__)


class FastText(VectorEstimator):
    """fastText: skip-gram (``sg=True``) or CBOW with negative sampling over words and their character n-grams.

    A word's input vector is the mean of its own row and the rows of its
    character n-grams (``minn`` to ``maxn`` code points of ``<word>``, hashed
    into ``bucket`` rows as Facebook fastText does, so the ids match its
    ``.bin`` files).  After training, :attr:`wv` is a
    :class:`~embkit.subword_vectors.SubwordVectors`, which also composes
    vectors for unseen words.  Parameters are stored as given; :meth:`fit`
    validates them against :data:`embkit._params.FASTTEXT`.  Defaults are
    those of :class:`~embkit.Word2Vec` plus fastText's ``lr`` (0.05),
    ``minn``, ``maxn`` and ``bucket``; gensim's ``min_n``/``max_n`` raise
    :class:`~embkit.exceptions.UnknownParameterError` naming these.

    Parameters
    ----------
    sg : bool
        Skip-gram (True): the centre word's composite vector predicts each
        context word (fastText's direction); CBOW (False): the mean of the
        context words' rows predicts the centre word.
    dim, window, negative
        See :class:`~embkit.Word2Vec`.
    ns_exponent : float
        Exponent of the noise distribution (0.5, fastText's: it scored 1 to
        2 points higher on the analogy benchmarks than word2vec's 0.75,
        evals/RESULTS.md, section fasttext; in [-10, 10]).
    sample
        See :class:`~embkit.Word2Vec`.
    alpha : float
        Initial learning rate (0.05, fastText's ``lr``; in (0, 10]).
    min_alpha, epochs
        See :class:`~embkit.Word2Vec`.
    minn : int
        Shortest n-gram in code points (3).
    maxn : int
        Longest n-gram in code points (6); 0 gives word vectors only (and no
        n-gram rows: ``bucket`` is then taken as 0).
    bucket : int
        Rows the n-grams are hashed into (2,000,000; at least 1 when
        ``maxn > 0``).  The input matrix has ``n_words + bucket`` rows.
    min_count, max_vocab_size, max_sentence_length, tokenizer, lowercase, encoding_errors, phrases, terms
        Corpus encoding, see :meth:`embkit.EncodedCorpus.encode`.
    shrink_windows : bool
        Draw a reduced window per centre word (True, as word2vec and fastText).
    share_negatives : bool
        Skip-gram only.  False (default): fastText's update, pair by pair.
        True: each centre word's window is one batch (its composite vector
        computed once, noise words drawn once and shared by its context
        words, every row updated once; see :mod:`embkit.kernels.subword`):
        faster, but about 10 points lower on the analogy benchmarks
        (evals/RESULTS.md, section fasttext), so not the default as it is
        for :class:`~embkit.SkipGram`.
    position_weights : bool
        CBOW only: weight each context position with a trained vector
        (Grave et al. 2018); False by default.
    threads, seed, max_memory
        See :class:`~embkit.Word2Vec`; ``threads=1`` with ``seed`` is
        bit-for-bit reproducible.
    init_in : ndarray of shape (n_words + bucket, dim), KeyedVectors or SubwordVectors, optional
        Initial input rows.  An array holds the word rows then the n-gram
        rows; a KeyedVectors gives the rows of the words it has; a
        SubwordVectors gives its words' own rows and, when its ``bucket``
        equals this model's, its n-gram rows.
    init_out : ndarray of shape (n_words, dim) or KeyedVectors, optional
        Initial output vectors (a KeyedVectors' ``context``, by word).
    train_in, train_out : bool
        Update the input rows (words and n-grams) / the output matrix.
    cache, progress
        See :class:`~embkit.Word2Vec`.

    Attributes
    ----------
    wv : SubwordVectors
        Word vectors (each the mean of its row and n-gram rows), the n-gram
        rows, the words' own rows, counts, context and ``meta``.
    corpus_ : EncodedCorpus
    training_ : list of dict
        Per-epoch records, see :class:`~embkit.Word2Vec`.
    position_weights_ : float32 ndarray of shape (2 * window, dim) or None
        The trained position weights (CBOW with ``position_weights``); row
        ``o + window`` for offset ``o < 0``, ``o + window - 1`` for ``o > 0``.

    Examples
    --------
    >>> import embkit
    >>> model = embkit.FastText(dim=100, minn=3, maxn=6).fit("corpus.txt")    # doctest: +SKIP
    >>> model.wv["unseenword"]                                                # doctest: +SKIP
    """

    _param_table = _params.FASTTEXT
    _param_notes = {"min_n": "minn", "max_n": "maxn", "word_ngrams": "word n-grams are not supported"}

    @property
    def model_name(self):
        """``"fasttext"`` (skip-gram) or ``"fasttext-cbow"``."""
        return "fasttext" if self.sg else "fasttext-cbow"

    def _complete_params(self, p):
        if p["maxn"] == 0 and p["bucket"] != 0:
            p["bucket"] = 0
            p["_defaults_applied"] = {"bucket": "0: maxn=0 gives word vectors only, so no n-gram rows"}
        elif p["maxn"] > 0 and p["bucket"] == 0:
            raise InvalidParameterError("bucket must be at least 1 when maxn > 0 (n-grams need rows); "
                                        "maxn=0 gives word vectors only", param="bucket")
        if p["maxn"] > 0 and p["minn"] > p["maxn"]:
            raise InvalidParameterError(f"minn ({p['minn']}) must not exceed maxn ({p['maxn']})", param="minn")
        if p["position_weights"] and p["sg"]:
            raise InvalidParameterError("position_weights applies to CBOW only (sg=False)",
                                        param="position_weights")
        _params.check_schedule(p)

    def fit(self, corpus):
        """Train on a corpus.

        Parameters
        ----------
        corpus : str, os.PathLike, sequence of them, iterable of token lists, or EncodedCorpus
            See :meth:`embkit.Word2Vec.fit`.

        Returns
        -------
        self

        Raises
        ------
        InvalidParameterError
            A parameter outside its range, ``minn > maxn``, ``bucket=0`` with
            n-grams, or ``position_weights`` with skip-gram.
        CorpusError
            Unreadable or empty corpora.
        MemoryBudgetError
            The estimated memory exceeds ``max_memory`` or what is available.
        TrainingDivergedError
            A non-finite loss or weight after an epoch (lower ``alpha``).
        """
        self.position_weights_ = None
        try:
            self.corpus_, self.training_, self.wv = train(self, corpus)
        finally:
            self._index = None
        return self

    # -- hooks of the training driver (embkit.models._training) ---------------------

    def _input_rows(self, n_words, p):
        return n_words + p["bucket"]

    @staticmethod
    def _memory_hint(p):
        """How to need less memory: the n-gram rows (``bucket``) usually dominate."""
        if not p["bucket"]:
            return None
        return ("lower --bucket (the n-gram rows: bucket x dim x 4 bytes) or --dim, or raise --min-count "
                "(bucket=, dim=, min_count= in Python)")

    def _memory_parts(self, n_words, p, chunks):
        """Bytes of the n-gram index, the sampling tables, the kernel buffers and the composed vectors."""
        n_ngrams = count_ngrams(chunks.enc.vocab.words, p["minn"], p["maxn"]) if p["bucket"] else 0
        window2, neg, dim = 2 * p["window"], p["negative"], p["dim"]
        per_thread = 12 * chunks.max_len + 4 * (3 * (window2 + neg) + 3 * dim + window2 * dim)
        return {"n-gram index": 8 * (2 * (n_words + 1) + n_words + 2 * n_ngrams),
                "sampling tables": n_words * 16, "kernel buffers": p["threads"] * per_thread,
                "word vectors": n_words * dim * 4}

    def _make_step(self, enc, p, chunks):
        """Index every word's n-grams once, build the sampling tables; return the step over a group of chunks."""
        from .._memory import release_library_pages
        from ..kernels.sampling import build_alias, keep_probabilities, negative_distribution, sigmoid_tables
        from ..kernels.subword import fasttext_cbow_epoch, fasttext_sg_epoch

        words, counts = enc.vocab.words, enc.vocab.counts
        self._index = ngram_csr(words, p["minn"], p["maxn"], p["bucket"])
        row_ptr, rows = input_rows(*self._index, len(words))
        log.info("%d words, %d character n-grams of %d to %d code points in %d buckets", len(words),
                 len(self._index[1]), p["minn"], p["maxn"], p["bucket"])
        alias_prob, alias_idx = build_alias(negative_distribution(counts, p["ns_exponent"]))
        release_library_pages("libllvmlite")
        keep = keep_probabilities(counts, p["sample"])
        sig, logsig = sigmoid_tables(SIGMOID_TABLE_SIZE, MAX_EXP)
        n_tokens, offsets, max_len = chunks.n_tokens, chunks.offsets, chunks.max_len
        window, negative, shrink = p["window"], p["negative"], bool(p["shrink_windows"])
        train_in, train_out = bool(p["train_in"]), bool(p["train_out"])
        if self.sg:
            share = bool(p["share_negatives"])
            shifts = row_shifts(row_ptr, rows)

            def step(batch, w_in, w_out, lr0, lr1, seeds, loss, examples, trained):
                tokens, token_base, bounds = batch
                fasttext_sg_epoch(tokens, token_base, n_tokens, offsets, bounds, seeds, w_in, w_out, row_ptr, rows,
                                  shifts, alias_prob, alias_idx, keep, sig, logsig, MAX_EXP, float(lr0), float(lr1),
                                  window, negative, max_len, shrink, share, train_in, train_out, loss, examples,
                                  trained)
            return step
        weighted = bool(p["position_weights"])
        pos_w = np.ones((2 * window if weighted else 1, p["dim"]), np.float32)
        if weighted:
            self.position_weights_ = pos_w

        def step(batch, w_in, w_out, lr0, lr1, seeds, loss, examples, trained):
            tokens, token_base, bounds = batch
            fasttext_cbow_epoch(tokens, token_base, n_tokens, offsets, bounds, seeds, w_in, w_out, row_ptr, rows,
                                alias_prob, alias_idx, keep, sig, logsig, MAX_EXP, float(lr0), float(lr1), window,
                                negative, max_len, shrink, train_in, train_out, pos_w, weighted, loss, examples,
                                trained)
        return step

    def _init_matrices(self, vocab, p):
        """Input rows uniform in ``[-1/dim, 1/dim)`` (as fastText), output rows zero; then ``init_in``/``init_out``."""
        n_words, dim, bucket = len(vocab), p["dim"], p["bucket"]
        rng = np.random.default_rng(p["seed"])
        w_in = rng.random((n_words + bucket, dim), dtype=np.float32)
        w_in -= np.float32(0.5)
        w_in *= np.float32(2.0 / dim)
        w_out = np.zeros((n_words, dim), dtype=np.float32)
        init = p["init_in"]
        if hasattr(init, "word_rows"):          # SubwordVectors: own rows by word, n-gram rows when they match
            rows = np.array([init.key_to_index.get(w, -1) for w in vocab.words], dtype=np.int64)
            have = rows >= 0
            w_in[:n_words][have] = init.word_rows[rows[have]]
            if init.bucket == bucket:
                w_in[n_words:] = init.ngram_vectors
            log.info("init_in: %d of %d words%s initialised from the given vectors", int(have.sum()), n_words,
                     " and every n-gram row" if init.bucket == bucket else
                     f" (n-gram rows not: {init.bucket} buckets, the model has {bucket})")
        elif init is not None and hasattr(init, "key_to_index"):
            apply_init(w_in[:n_words], init, vocab, "init_in", context=False)
        elif init is not None:
            w_in[...] = np.asarray(init, dtype=np.float32)
        apply_init(w_out, p["init_out"], vocab, "init_out", context=True)
        return w_in, w_out

    def _make_vectors(self, enc, w_in, w_out, p, meta):
        """SubwordVectors over the trained matrices (views, not copies), with the composed word vectors."""
        from ..subword_vectors import SubwordVectors

        n_words = len(enc.vocab)
        word_rows, ngrams = w_in[:n_words], w_in[n_words:]
        meta["kind"] = "subword"
        if self.position_weights_ is not None:
            meta["position_weights"] = True
        vectors = compose(word_rows, ngrams, *self._index)
        return SubwordVectors(enc.vocab.words, word_rows, ngrams, p["minn"], p["maxn"], counts=enc.vocab.counts,
                              context=w_out, meta=meta, vectors=vectors)


def warmup():
    """Compile the fastText kernels into Numba's on-disk cache (or load them from it).

    Returns
    -------
    dict
        ``compiled`` (bool): whether a kernel had to be compiled; ``seconds``
        (float): the time taken.
    """
    import tempfile
    from pathlib import Path

    from ._training import warm_up

    with tempfile.TemporaryDirectory(prefix="embkit-warmup-") as tmp:
        path = Path(tmp) / "warmup.txt"
        path.write_text("a b c d e f\nb c d a\n" * 4, encoding="utf-8")
        enc = EncodedCorpus.encode(str(path), min_count=1, cache=False, progress=False)
        models = [FastText(sg=sg, dim=4, epochs=1, min_count=1, sample=0, bucket=10, threads=1, progress=False)
                  for sg in (True, False)]
        models.append(FastText(sg=False, position_weights=True, dim=4, epochs=1, min_count=1, sample=0, bucket=10,
                               threads=1, progress=False))
        loads = [warm_up(m, enc, notice="compiling the fastText kernels (about 10 s)") for m in models]
    return {"compiled": any(r["compiled"] for r in loads), "seconds": sum(r["seconds"] for r in loads)}
