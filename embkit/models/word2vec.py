"""word2vec estimators: :class:`SkipGram` and :class:`CBOW` with negative sampling.

References
----------
Mikolov, Chen, Corrado & Dean (2013), "Efficient Estimation of Word
Representations in Vector Space", ICLR workshop.
Mikolov, Sutskever, Chen, Corrado & Dean (2013), "Distributed Representations
of Words and Phrases and their Compositionality", NIPS.
"""
import datetime
import logging
import math
import time

import numpy as np

from .._memory import check_budget, resident_bytes
from .._version import __version__
from ..corpus.encoded import EncodedCorpus
from ..exceptions import EmbkitError, TrainingDivergedError

log = logging.getLogger(__name__)

CHUNK_TOKENS = 8192
_KERNEL_LOAD_BYTES = 70 * 2**20   # resident memory that loading the kernels adds at its peak (LLVM)
MAX_EXP = 6.0
SIGMOID_TABLE_SIZE = 4096

_ENCODE_PARAMS = ("tokenizer", "lowercase", "min_count", "max_vocab_size", "max_sentence_length",
                  "encoding_errors")


def _resolve_threads(threads):
    import numba
    limit = numba.config.NUMBA_NUM_THREADS
    if threads is None:
        return limit
    if threads > limit:
        log.warning("threads=%d exceeds the %d available; using %d", threads, limit, limit)
        return limit
    return threads


def _readonly(a):
    v = np.asarray(a).view()
    v.flags.writeable = False
    return v


def chunk_bounds(offsets, chunk_tokens=CHUNK_TOKENS):
    """Split sentences into chunks of about ``chunk_tokens`` tokens.

    Chunks hold whole sentences and depend only on the corpus, never on the
    number of threads.

    Parameters
    ----------
    offsets : int64 ndarray, shape (n_sentences + 1,)
    chunk_tokens : int

    Returns
    -------
    int64 ndarray, shape (n_chunks + 1,)
        Sentence index at which each chunk starts, then ``n_sentences``.
    """
    n_sent = len(offsets) - 1
    total = int(offsets[-1])
    targets = np.arange(chunk_tokens, total, chunk_tokens, dtype=np.int64)
    cuts = np.searchsorted(offsets, targets, side="left")
    bounds = np.unique(np.concatenate(([0], cuts, [n_sent]))).astype(np.int64)
    return bounds


class Word2Vec:
    """word2vec with negative sampling: skip-gram (``sg=True``) or CBOW.

    Parameters are stored as given; :meth:`fit` validates them.  Defaults are
    those of word2vec.c and gensim.

    Parameters
    ----------
    sg : bool
        Skip-gram (True) or CBOW with the mean of the context (False).
    dim : int
        Vector dimensionality (100).
    window : int
        Maximum distance between centre and context word (5).
    negative : int
        Noise words per example (5).
    ns_exponent : float
        Exponent of the unigram noise distribution (0.75).
    sample : float
        Subsampling threshold (1e-3; 0 disables it).
    alpha : float, optional
        Initial learning rate; 0.025 for skip-gram, 0.05 for CBOW.
    min_alpha : float
        Final learning rate (1e-4); the rate falls linearly over all epochs.
    epochs : int
        Passes over the corpus (5); 0 returns the initial vectors.
    min_count, max_vocab_size, max_sentence_length, tokenizer, lowercase, encoding_errors
        Corpus encoding, see :meth:`embkit.EncodedCorpus.encode`.
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
        Seed of the initial vectors and of every random draw.
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
        Show progress bars (tqdm) on stderr.

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

    def __init__(self, sg=True, dim=100, window=5, negative=5, ns_exponent=0.75, sample=1e-3, alpha=None,
                 min_alpha=1e-4, epochs=5, min_count=5, max_vocab_size=None, max_sentence_length=10000,
                 tokenizer="whitespace", lowercase=False, encoding_errors="strict", shrink_windows=True,
                 share_negatives=True, threads=None, seed=1, max_memory=None, init_in=None, init_out=None,
                 train_in=True, train_out=True, cache=True, progress=True):
        self.sg = sg
        self.dim = dim
        self.window = window
        self.negative = negative
        self.ns_exponent = ns_exponent
        self.sample = sample
        self.alpha = alpha
        self.min_alpha = min_alpha
        self.epochs = epochs
        self.min_count = min_count
        self.max_vocab_size = max_vocab_size
        self.max_sentence_length = max_sentence_length
        self.tokenizer = tokenizer
        self.lowercase = lowercase
        self.encoding_errors = encoding_errors
        self.shrink_windows = shrink_windows
        self.share_negatives = share_negatives
        self.threads = threads
        self.seed = seed
        self.max_memory = max_memory
        self.init_in = init_in
        self.init_out = init_out
        self.train_in = train_in
        self.train_out = train_out
        self.cache = cache
        self.progress = progress

    _PARAM_NAMES = ("sg", "dim", "window", "negative", "ns_exponent", "sample", "alpha", "min_alpha", "epochs",
                    "min_count", "max_vocab_size", "max_sentence_length", "tokenizer", "lowercase",
                    "encoding_errors", "shrink_windows", "share_negatives", "threads", "seed", "max_memory",
                    "train_in", "train_out")

    @property
    def model_name(self):
        """``"sgns"`` or ``"cbow"``."""
        return "sgns" if self.sg else "cbow"

    def get_params(self):
        """The parameters as a dict (initial matrices left out)."""
        return {k: getattr(self, k) for k in self._PARAM_NAMES}

    def __repr__(self):
        return f"{type(self).__name__}(dim={self.dim}, window={self.window}, epochs={self.epochs})"

    @classmethod
    def _init_defaults(cls):
        import inspect
        return {k: v.default for k, v in inspect.signature(Word2Vec.__init__).parameters.items()
                if v.default is not inspect.Parameter.empty}

    def _default_alpha(self):
        return 0.025 if self.sg else 0.05

    def _validated(self):
        p = self.get_params()
        if p["alpha"] is None:
            p["alpha"] = self._default_alpha()
        ints = {"dim": 1, "window": 1, "negative": 1, "epochs": 0, "min_count": 1, "max_sentence_length": 1,
                "seed": 0}
        for name, low in ints.items():
            v = p[name]
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low:
                raise EmbkitError(f"{name} must be an integer >= {low}, got {v!r}")
            p[name] = int(v)
        for name in ("alpha", "min_alpha", "sample", "ns_exponent"):
            v = p[name]
            if not isinstance(v, (int, float, np.floating)) or not math.isfinite(v) or v < 0:
                raise EmbkitError(f"{name} must be a finite number >= 0, got {v!r}")
            p[name] = float(v)
        if p["alpha"] <= 0:
            raise EmbkitError(f"alpha must be > 0, got {p['alpha']}")
        if p["min_alpha"] > p["alpha"]:
            raise EmbkitError(f"min_alpha ({p['min_alpha']}) must not exceed alpha ({p['alpha']}): "
                              "the learning rate falls from alpha to min_alpha")
        if p["threads"] is not None and (not isinstance(p["threads"], (int, np.integer)) or p["threads"] < 1):
            raise EmbkitError(f"threads must be an integer >= 1, got {p['threads']!r}")
        if p["max_memory"] is not None:
            from .._memory import parse_size
            if parse_size(p["max_memory"]) <= 0:
                raise EmbkitError(f"max_memory must be a positive size, got {p['max_memory']!r}")
        return p

    # ------------------------------------------------------------------ fit
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
        EmbkitError
            Invalid parameters; CorpusError for unreadable or empty corpora.
        MemoryBudgetError
            The estimated memory exceeds ``max_memory`` or what is available.
        TrainingDivergedError
            A non-finite loss or weight after an epoch (lower ``alpha``).
        """
        from .._memory import release_library_pages
        from ..vectors import KeyedVectors

        p = self._validated()
        started = time.perf_counter()
        if isinstance(corpus, EncodedCorpus):
            enc = corpus
            _adopt_corpus_settings(p, enc, self._init_defaults())
        else:
            enc = EncodedCorpus.encode(corpus, **{k: p[k] for k in _ENCODE_PARAMS}, cache=self.cache,
                                       progress=self.progress)
        _release_free_memory()  # what encoding freed goes back to the system before the matrices are made
        # Numba is imported only now (encoding does not need it), and each step that loads LLVM's code
        # (the import, each kernel's first call) is followed by handing those pages back to the system:
        # training never runs that code, and about 65 MiB of it would otherwise stay resident.
        import numba

        from ..kernels.rng import chunk_seeds
        from ..kernels.sampling import build_alias, keep_probabilities, negative_distribution, sigmoid_tables
        from ..kernels.sgns import cbow_epoch, sgns_epoch
        release_library_pages("libllvmlite")

        p["threads"] = threads = _resolve_threads(p["threads"])
        vocab = enc.vocab
        n_words, dim = len(vocab), p["dim"]
        n_tokens = len(enc.tokens)
        offsets = _readonly(enc.offsets)
        matrix = n_words * dim * 4
        resident_corpus = 0 if isinstance(enc.tokens, np.memmap) else enc.tokens.nbytes
        # the runtime: what the process holds now, plus what loading the kernels adds at its peak (measured:
        # ~25 MiB that stays and ~40 MiB of LLVM code, handed back after loading)
        held = resident_bytes() or 0
        check_budget({"runtime (Python, NumPy, Numba)": held + _KERNEL_LOAD_BYTES, "input vectors": matrix,
                      "output vectors": matrix, "sampling tables": n_words * 16,
                      "encoded corpus": resident_corpus + offsets.nbytes}, p["max_memory"], already=held)
        _check_init(self.init_in, n_words, dim, "init_in", context=False)
        _check_init(self.init_out, n_words, dim, "init_out", context=True)

        alias_prob, alias_idx = build_alias(negative_distribution(vocab.counts, p["ns_exponent"]))
        release_library_pages("libllvmlite")
        keep = keep_probabilities(vocab.counts, p["sample"])
        sig, logsig = sigmoid_tables(SIGMOID_TABLE_SIZE, MAX_EXP)
        bounds = chunk_bounds(enc.offsets, CHUNK_TOKENS)
        n_chunks = len(bounds) - 1
        max_len = int(np.diff(enc.offsets).max()) if n_chunks else 1
        kernel = sgns_epoch if p["sg"] else cbow_epoch
        numba.set_num_threads(threads)

        def run(tokens, token_base, b, seeds, w_in, w_out, lr0, lr1, loss, examples, trained):
            kernel(tokens, token_base, n_tokens, offsets, b, seeds, w_in, w_out, alias_prob, alias_idx, keep, sig,
                   logsig, MAX_EXP, float(lr0), float(lr1), p["window"], p["negative"], max_len,
                   bool(p["shrink_windows"]), bool(p["share_negatives"]), bool(p["train_in"]),
                   bool(p["train_out"]), loss, examples, trained)

        # load the kernel (from Numba's cache, or compile it) with a call over no chunk, before the matrices exist
        none_f = np.zeros(0, np.float64)
        none_i = np.zeros(0, np.int64)
        tiny = np.zeros((1, dim), np.float32)
        run(enc.read_tokens(0, 0), 0, bounds[:1], chunk_seeds(p["seed"], 0, 0), tiny, tiny.copy(), p["alpha"],
            p["alpha"], none_f, none_i, none_i.copy())
        release_library_pages("libllvmlite")

        rng = np.random.default_rng(p["seed"])
        w_in = rng.random((n_words, dim), dtype=np.float32)  # uniform in [-0.5/dim, 0.5/dim), as word2vec
        w_in -= np.float32(0.5)
        w_in /= np.float32(dim)
        w_out = np.zeros((n_words, dim), dtype=np.float32)
        _apply_init(w_in, self.init_in, vocab, "init_in", context=False)
        _apply_init(w_out, self.init_out, vocab, "init_out", context=True)
        if threads > 1:
            log.info("training with %d threads (Hogwild): results are statistically, not bitwise, "
                     "reproducible; use threads=1 with a seed for bit-identical vectors", threads)

        raw = enc.raw_tokens
        epochs = p["epochs"]
        if epochs == 0:
            log.warning("epochs=0: nothing is trained; the vectors are the random initial ones")
        alpha, min_alpha = p["alpha"], p["min_alpha"]
        bar = None
        if self.progress and epochs:
            from tqdm.auto import tqdm
            bar = tqdm(total=raw * epochs, unit=" words", unit_scale=True, desc=f"training {self.model_name}",
                       mininterval=0.5, disable=None)  # None: no bar when stderr is not a terminal
        chunk_tokens = np.diff(enc.offsets[bounds])
        group = max(threads * 4, n_chunks // 100 or 1)
        history = []
        # dynamic scheduling: a thread slowed by another process never holds the others at a barrier
        old_chunksize = numba.set_parallel_chunksize(1)
        try:
            for e in range(epochs):
                epoch_started = time.perf_counter()
                lr0 = alpha - (alpha - min_alpha) * e / epochs
                lr1 = alpha - (alpha - min_alpha) * (e + 1) / epochs
                seeds = chunk_seeds(p["seed"], e, n_chunks)
                loss = np.zeros(n_chunks, np.float64)
                examples = np.zeros(n_chunks, np.int64)
                trained = np.zeros(n_chunks, np.int64)
                for g0 in range(0, n_chunks, group):
                    g1 = min(g0 + group, n_chunks)
                    t0, t1 = int(enc.offsets[bounds[g0]]), int(enc.offsets[bounds[g1]])
                    run(enc.read_tokens(t0, t1), t0, bounds[g0:g1 + 1], seeds[g0:g1], w_in, w_out, lr0, lr1,
                        loss[g0:g1], examples[g0:g1], trained[g0:g1])
                    if bar is not None:
                        bar.update(int(round(raw * chunk_tokens[g0:g1].sum() / max(n_tokens, 1))))
                        done = examples[:g1].sum()
                        bar.set_postfix(epoch=e + 1, loss=f"{loss[:g1].sum() / max(done, 1):.4f}", refresh=False)
                rec = _epoch_record(e, loss, examples, trained, raw, enc.n_sentences)
                rec["seconds"] = round(time.perf_counter() - epoch_started, 3)
                history.append(rec)
                self._check_finite(rec, w_in, w_out, e)
                if rec["examples"] == 0:
                    log.warning("epoch %d trained no example: every window was empty after subsampling "
                                "(corpus too small for sample=%g? try --sample 0)", e + 1, p["sample"])
                log.info("epoch %d/%d: loss %.6g (mean %.4f over %d examples), %d raw tokens, %d trained, "
                         "%d sentences, %.1f s", e + 1, epochs, rec["loss_sum"], rec["loss_mean"], rec["examples"],
                         raw, rec["tokens_trained"], rec["sentences"], rec["seconds"])
        finally:
            numba.set_parallel_chunksize(old_chunksize)
            if bar is not None:
                bar.close()
        seconds = time.perf_counter() - started
        self.corpus_ = enc
        self.training_ = history
        meta = {
            "kind": "word",
            "model": self.model_name,
            "params": {**p, "max_memory": self.max_memory, "init_in": self.init_in is not None,
                       "init_out": self.init_out is not None},
            "corpus": {k: enc.manifest.get(k) for k in (
                "raw_tokens", "tokens", "sentences", "lines", "blank_lines", "lines_split", "types", "vocab_size",
                "replaced_invalid_utf8", "tokenizer", "vocab_settings", "sources", "vocab_sha256")},
            "training": {
                "epochs": history,
                "loss_total": float(sum(r["loss_sum"] for r in history)),
                "threads": threads,
                "seed": p["seed"],
                "bitwise_reproducible": threads == 1,
                "seconds": round(seconds, 3),
                "words_per_second": round(raw * epochs / seconds, 1) if seconds > 0 else None,
            },
            "embkit_version": __version__,
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        }
        self.wv = KeyedVectors(vocab.words, w_in, counts=vocab.counts, context=w_out, meta=meta)
        return self

    def _check_finite(self, rec, w_in, w_out, epoch):
        bad = None
        if not math.isfinite(rec["loss_sum"]):
            bad = f"loss is {rec['loss_sum']}"
        # a float64 sum of float32 values is finite exactly when every value is (and needs no temporary array)
        elif not math.isfinite(np.sum(w_in, dtype=np.float64)):
            bad = "input vectors contain NaN or inf"
        elif not math.isfinite(np.sum(w_out, dtype=np.float64)):
            bad = "output vectors contain NaN or inf"
        if bad:
            raise TrainingDivergedError(
                f"training {self.model_name} diverged: non-finite values after epoch {epoch + 1} ({bad}); "
                f"lower alpha (now {self.alpha if self.alpha is not None else self._default_alpha()}) "
                "or check the initial vectors")

    def save(self, path, format=None):
        """Save the vectors (see :func:`embkit.save`)."""
        self.wv.save(path, format=format)
        return self


def _adopt_corpus_settings(p, enc, defaults):
    """Put an encoded corpus's own settings into ``p`` (they are what training uses).

    Raises EmbkitError when the estimator was given a non-default value that
    the corpus contradicts (e.g. ``min_count=50`` for a corpus encoded with
    ``min_count=1``): it would be silently ignored.
    """
    m = enc.manifest
    tok = m.get("tokenizer") or {}
    vs = m.get("vocab_settings") or {}
    actual = {"tokenizer": tok.get("kind"), "lowercase": tok.get("lowercase"), "min_count": vs.get("min_count"),
              "max_vocab_size": vs.get("max_vocab_size"), "max_sentence_length": vs.get("max_sentence_length"),
              "encoding_errors": m.get("encoding_errors")}
    conflicts = []
    for name, value in actual.items():
        if value is None and name != "max_vocab_size":
            continue                       # not recorded (e.g. an older or hand-made corpus)
        given = p[name]
        given = getattr(given, "kind", given)
        if given != value and given != defaults[name]:
            conflicts.append(f"{name}={given!r} (the corpus has {value!r})")
        p[name] = value
    if conflicts:
        raise EmbkitError("these settings disagree with the encoded corpus, which was built with its own: "
                          + ", ".join(conflicts) + "; encode the corpus again with them, or leave them out")


def _release_free_memory():
    """Collect garbage and ask glibc to hand freed heap pages back (Linux; a no-op elsewhere)."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _epoch_record(e, loss, examples, trained, raw, sentences):
    n = int(examples.sum())
    total = float(loss.sum())
    return {"epoch": e + 1, "loss_sum": total, "loss_mean": total / n if n else 0.0, "examples": n,
            "raw_tokens": int(raw), "tokens_trained": int(trained.sum()), "sentences": int(sentences)}


def _check_init(init, n_words, dim, name, context):
    """Raise EmbkitError when ``init`` cannot initialise an (n_words, dim) matrix."""
    if init is None:
        return
    if hasattr(init, "key_to_index"):
        source = init.context if context else init.vectors
        if source is None:
            raise EmbkitError(f"{name}: the given vectors have no context (output) matrix")
        if source.shape[1] != dim:
            raise EmbkitError(f"{name}: vectors have dim {source.shape[1]}, the model has dim {dim}")
        return
    shape = np.shape(init)
    if shape != (n_words, dim):
        raise EmbkitError(f"{name} must have shape ({n_words}, {dim}) (vocabulary size, dim), got {shape}")


def _apply_init(matrix, init, vocab, name, context):
    if init is None:
        return
    n_words, dim = matrix.shape
    _check_init(init, n_words, dim, name, context)
    if hasattr(init, "key_to_index"):
        source = init.context if context else init.vectors
        rows = np.array([init.key_to_index.get(w, -1) for w in vocab.words], dtype=np.int64)
        have = rows >= 0
        matrix[have] = np.asarray(source, dtype=np.float32)[rows[have]]
        log.info("%s: %d of %d words initialised from the given vectors", name, int(have.sum()), n_words)
        return
    matrix[...] = np.asarray(init, dtype=np.float32)


class SkipGram(Word2Vec):
    """Skip-gram with negative sampling (SGNS); see :class:`Word2Vec`.

    ``alpha`` defaults to 0.025.

    Examples
    --------
    >>> import embkit
    >>> model = embkit.SkipGram(dim=100, epochs=5, min_count=5).fit("corpus.txt")  # doctest: +SKIP
    >>> model.wv.most_similar("king", topn=5)                                      # doctest: +SKIP
    """

    def __init__(self, dim=100, window=5, negative=5, ns_exponent=0.75, sample=1e-3, alpha=None, min_alpha=1e-4,
                 epochs=5, **kwargs):
        super().__init__(True, dim, window, negative, ns_exponent, sample, alpha, min_alpha, epochs, **kwargs)


class CBOW(Word2Vec):
    """Continuous bag of words (mean of context) with negative sampling; see :class:`Word2Vec`.

    ``alpha`` defaults to 0.05.
    """

    def __init__(self, dim=100, window=5, negative=5, ns_exponent=0.75, sample=1e-3, alpha=None, min_alpha=1e-4,
                 epochs=5, **kwargs):
        super().__init__(False, dim, window, negative, ns_exponent, sample, alpha, min_alpha, epochs, **kwargs)


__all__ = ["Word2Vec", "SkipGram", "CBOW", "chunk_bounds", "warmup"]


def warmup():
    """Compile the word2vec kernels (or load them from Numba's cache) on a tiny corpus."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="embkit-warmup-") as tmp:
        path = Path(tmp) / "warmup.txt"
        path.write_text("a b c d e f\nb c d a\n" * 4, encoding="utf-8")
        enc = EncodedCorpus.encode(str(path), min_count=1, cache=False, progress=False)
        for sg in (True, False):
            Word2Vec(sg=sg, dim=4, epochs=1, min_count=1, sample=0, threads=1, progress=False).fit(enc)
