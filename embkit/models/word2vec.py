"""word2vec estimators: :class:`SkipGram` and :class:`CBOW` with negative sampling.

This module holds what is particular to word2vec: its parameter table, its
sampling tables and the call of its kernels (:mod:`embkit.kernels.sgns`);
the rest of training is :mod:`embkit.models._training`.

References
----------
Mikolov, Chen, Corrado & Dean (2013), "Efficient Estimation of Word
Representations in Vector Space", ICLR workshop.
Mikolov, Sutskever, Chen, Corrado & Dean (2013), "Distributed Representations
of Words and Phrases and their Compositionality", NIPS.
"""
from .. import _params
from ..corpus.encoded import EncodedCorpus
from ._base import VectorEstimator
from ._training import train, warm_up

MAX_EXP = 6.0
SIGMOID_TABLE_SIZE = 4096


class Word2Vec(VectorEstimator):
    """word2vec with negative sampling: skip-gram (``sg=True``) or CBOW.

    Parameters are stored as given; :meth:`fit` validates them against the
    ranges in :data:`embkit._params.WORD2VEC` (numbers outside them raise
    :class:`~embkit.exceptions.InvalidParameterError`).  Defaults are those of
    word2vec.c and gensim.  Another library's name for a parameter (gensim's
    ``vector_size``, ``workers``, ``iter``) raises
    :class:`~embkit.exceptions.UnknownParameterError` naming embkit's.

    Parameters
    ----------
    sg : bool
        Skip-gram (True) or CBOW with the mean of the context (False).
    dim : int
        Vector dimensionality (100; at most 2**31 - 1, and the memory budget).
    window : int
        Maximum distance between centre and context word (5; at most 2**31 - 1).
    negative : int
        Noise words per example (5; at most 2**31 - 1).
    ns_exponent : float
        Exponent of the unigram noise distribution (0.75; in [-10, 10]):
        0 samples uniformly, 1 by frequency, negative values favour rare words.
    sample : float
        Subsampling threshold (1e-3; 0 disables it; at most 1).
    alpha : float, optional
        Initial learning rate (in (0, 10]); by default 0.05 for CBOW and for
        the batched skip-gram update (``share_negatives=True``), 0.025 for the
        classic skip-gram update, see :func:`default_alpha`.
    min_alpha : float
        Final learning rate (1e-4; in [0, alpha]); the rate falls linearly over all epochs.
    epochs : int
        Passes over the corpus (5; 0 returns the initial vectors).
    min_count, max_vocab_size, max_sentence_length, tokenizer, lowercase, encoding_errors, phrases, terms
        Corpus encoding, see :meth:`embkit.EncodedCorpus.encode`; ``phrases``
        (a phrases file, or ``"auto"``) and ``terms`` (a terms file) join
        multi-word terms into single tokens, which are then words like any
        other (``new_york``).
    shrink_windows : bool
        Draw a reduced window per centre word (True, as word2vec).
    share_negatives : bool
        Skip-gram only.  True (default): draw the noise words once per centre
        word, share them across its window and update the window as one batch
        (Ji et al. 2016); about twice as fast as the classic update with the
        same quality on our benchmark (evals/RESULTS.md).  False: word2vec.c's
        classic update, pair by pair with fresh noise words.
    threads : int, optional
        Worker threads (default: all cores).  ``threads=1`` with ``seed`` is
        bit-for-bit reproducible; more threads update without locks (Hogwild)
        and are statistically, not bitwise, equivalent.
    seed : int
        Seed of the initial vectors and of every random draw (0 to 2**64 - 1).
    max_memory : int or str, optional
        Fail before allocating when the estimated memory exceeds this
        (e.g. ``"2G"``).
    init_in, init_out : ndarray of shape (n_words, dim) or KeyedVectors, optional
        Initial input / output (context) vectors; an array must follow the
        vocabulary's order, a KeyedVectors is matched by word (words it lacks
        keep the default initialisation).  For ``init_out`` a KeyedVectors'
        ``context`` matrix is used.
    train_in, train_out : bool
        Update the input / output matrix (``train_out=False`` freezes the
        context matrix, as compass-aligned training needs).
    cache : bool
        Reuse the cached encoded corpus (see :class:`embkit.EncodedCorpus`).
    progress : bool
        Show progress bars (tqdm): on stderr when it is a terminal, in a
        Jupyter notebook as widgets (with ``ipywidgets``, the ``notebook``
        extra) or text.

    Attributes
    ----------
    wv : KeyedVectors
        The trained input vectors, with counts, the context matrix and
        ``meta`` (parameters, corpus statistics, per-epoch losses).
    corpus_ : EncodedCorpus
    training_ : list of dict
        Per epoch: ``epoch``, ``loss_sum`` (sum over examples of the
        negative-sampling loss, float64), ``loss_mean`` (per example),
        ``examples``, ``raw_tokens`` (tokens in the text), ``tokens_trained``
        (after pruning and subsampling), ``sentences``.
    """

    _param_table = _params.WORD2VEC

    @property
    def model_name(self):
        """``"sgns"`` or ``"cbow"``."""
        return "sgns" if self.sg else "cbow"

    def _complete_params(self, p):
        if p["alpha"] is None:
            p["alpha"], why = default_alpha(p.get("sg", self.sg), p["share_negatives"])
            p["_defaults_applied"] = {"alpha": why}
        _params.check_schedule(p)

    def fit(self, corpus):
        """Train on a corpus.

        Parameters
        ----------
        corpus : str, os.PathLike, sequence of them, iterable of token lists, or EncodedCorpus
            Text files, or sentences already split into tokens (a list of
            lists of str, as gensim takes; see
            :meth:`embkit.EncodedCorpus.encode`), or an already encoded
            corpus.

        Returns
        -------
        self

        Raises
        ------
        InvalidParameterError
            A parameter outside its range (an EmbkitError and a ValueError).
        CorpusError
            Unreadable or empty corpora.
        MemoryBudgetError
            The estimated memory exceeds ``max_memory`` or what is available.
        TrainingDivergedError
            A non-finite loss or weight after an epoch (lower ``alpha``).
        """
        self.corpus_, self.training_, self.wv = train(self, corpus)
        return self

    def _memory_parts(self, n_words, p, chunks):
        """Bytes of the sampling tables and of the kernel's buffers (each thread holds one set)."""
        window2, neg1, dim = 2 * p["window"], p["negative"] + 1, p["dim"]
        per_thread = 12 * chunks.max_len + 4 * (window2 * (1 + neg1 + dim) + neg1 + dim)
        return {"sampling tables": n_words * 16, "kernel buffers": p["threads"] * per_thread}

    def _make_step(self, enc, p, chunks):
        """Build the sampling tables and return the step that runs the kernel over a group of chunks."""
        from .._memory import release_library_pages
        from ..kernels.sampling import build_alias, keep_probabilities, negative_distribution, sigmoid_tables
        from ..kernels.sgns import cbow_epoch, sgns_epoch

        counts = enc.vocab.counts
        alias_prob, alias_idx = build_alias(negative_distribution(counts, p["ns_exponent"]))
        release_library_pages("libllvmlite")
        keep = keep_probabilities(counts, p["sample"])
        sig, logsig = sigmoid_tables(SIGMOID_TABLE_SIZE, MAX_EXP)
        kernel = sgns_epoch if self.model_name == "sgns" else cbow_epoch
        n_tokens, offsets, max_len = chunks.n_tokens, chunks.offsets, chunks.max_len
        flags = (bool(p["shrink_windows"]), bool(p["share_negatives"]), bool(p["train_in"]), bool(p["train_out"]))

        def step(batch, w_in, w_out, lr0, lr1, seeds, loss, examples, trained):
            tokens, token_base, bounds = batch
            kernel(tokens, token_base, n_tokens, offsets, bounds, seeds, w_in, w_out, alias_prob, alias_idx, keep,
                   sig, logsig, MAX_EXP, float(lr0), float(lr1), p["window"], p["negative"], max_len, *flags,
                   loss, examples, trained)
        return step


def default_alpha(sg, share_negatives):
    """The initial learning rate used when ``alpha`` is not given, and why.

    Parameters
    ----------
    sg : bool
        Skip-gram (True) or CBOW (False).
    share_negatives : bool
        Skip-gram's batched update (True) or word2vec.c's classic one.

    Returns
    -------
    alpha : float
        0.05 for CBOW and for the batched skip-gram update, 0.025 for the
        classic skip-gram update.
    why : str
        One line, recorded in ``meta.json`` under ``defaults_applied``.
    """
    if not sg:
        return 0.05, "0.05: word2vec.c's default for CBOW"
    if not share_negatives:
        return 0.025, "0.025: word2vec.c's default for the classic (pair-by-pair) skip-gram update"
    return 0.05, ("0.05: the batched skip-gram update applies each window's gradient once; 0.05 scored best "
                  "over 0.025-0.075 on the bench (evals/RESULTS.md, section sgns-sweep)")


class SkipGram(Word2Vec):
    """Skip-gram with negative sampling (SGNS); see :class:`Word2Vec`.

    Takes every parameter of :class:`Word2Vec` but ``sg``.

    Parameters
    ----------
    dim, window, negative, ns_exponent, sample
        See :class:`Word2Vec`.
    alpha : float, optional
        Initial learning rate (default 0.05 with the batched update, 0.025
        with ``share_negatives=False``; see :func:`default_alpha`).
    min_alpha, epochs
        See :class:`Word2Vec`.
    min_count, max_vocab_size, max_sentence_length, tokenizer, lowercase, encoding_errors, phrases, terms
        Corpus encoding, see :meth:`embkit.EncodedCorpus.encode`; ``phrases``
        (a phrases file, or ``"auto"``) and ``terms`` (a terms file) join
        multi-word terms into single tokens, which are then words like any
        other (``new_york``).
    shrink_windows, share_negatives, threads, seed, max_memory, init_in, init_out, train_in, train_out, cache, progress
        See :class:`Word2Vec`.

    Examples
    --------
    >>> import embkit
    >>> model = embkit.SkipGram(dim=100, epochs=5, min_count=5).fit("corpus.txt")  # doctest: +SKIP
    >>> model.wv.most_similar("king", topn=5)                                      # doctest: +SKIP
    """

    _param_table = _params.SKIPGRAM
    _param_notes = {"sg": "the class is the model; use CBOW for CBOW, or Word2Vec with sg"}
    sg = property(lambda self: True, doc="True: skip-gram (not a parameter).")


class CBOW(Word2Vec):
    """Continuous bag of words (mean of context) with negative sampling; see :class:`Word2Vec`.

    Takes every parameter of :class:`Word2Vec` but ``sg``.

    Parameters
    ----------
    dim, window, negative, ns_exponent, sample
        See :class:`Word2Vec`.
    alpha : float, optional
        Initial learning rate (default 0.05).
    min_alpha, epochs
        See :class:`Word2Vec`.
    min_count, max_vocab_size, max_sentence_length, tokenizer, lowercase, encoding_errors, phrases, terms
        Corpus encoding, see :meth:`embkit.EncodedCorpus.encode`; ``phrases``
        (a phrases file, or ``"auto"``) and ``terms`` (a terms file) join
        multi-word terms into single tokens, which are then words like any
        other (``new_york``).
    shrink_windows, share_negatives, threads, seed, max_memory, init_in, init_out, train_in, train_out, cache, progress
        See :class:`Word2Vec`; ``share_negatives`` has no effect on CBOW.
    """

    _param_table = _params.CBOW
    _param_notes = {"sg": "the class is the model; use SkipGram for skip-gram, or Word2Vec with sg"}
    sg = property(lambda self: False, doc="False: CBOW (not a parameter).")


__all__ = ["Word2Vec", "SkipGram", "CBOW", "default_alpha", "warmup"]


def warmup():
    """Compile the word2vec kernels into Numba's on-disk cache (or load them from it).

    Every later training in any process then starts without compiling.

    Returns
    -------
    dict
        ``compiled`` (bool): whether a kernel had to be compiled (False when
        the cache held them all); ``seconds`` (float): the time taken.
    """
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="embkit-warmup-") as tmp:
        path = Path(tmp) / "warmup.txt"
        path.write_text("a b c d e f\nb c d a\n" * 4, encoding="utf-8")
        enc = EncodedCorpus.encode(str(path), min_count=1, cache=False, progress=False)
        loads = [warm_up(Word2Vec(sg=sg, dim=4, epochs=1, min_count=1, sample=0, threads=1, progress=False), enc,
                         notice=f"compiling the {'skip-gram' if sg else 'CBOW'} kernel (about 10 s)")
                 for sg in (True, False)]
    return {"compiled": any(r["compiled"] for r in loads), "seconds": sum(r["seconds"] for r in loads)}
