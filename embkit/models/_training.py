"""What every trainer shares: corpus, memory budget, matrices, the epoch loop, records and meta.json.

A trainer is an :class:`~embkit.models._base.Estimator` with an input and an
output matrix that provides

* ``model_name`` (``"sgns"``, ``"cbow"``, ...),
* ``_memory_parts(n_words, p, chunks)``: what its tables and kernel buffers
  need, by name, in bytes, and
* ``_make_step(enc, p, chunks)``: builds its tables and returns the step
  ``step(batch, w_in, w_out, lr_start, lr_end, seeds, loss, examples,
  trained)`` that trains a group of chunks, ``batch`` being
  :meth:`SentenceChunks.read`'s result, filling the per-chunk ``loss``
  (float64), ``examples`` and ``trained`` (int64) arrays.

and may provide, when its input matrix is not one row per word (fastText's
n-gram rows):

* ``_input_rows(n_words, p)``: the input matrix's rows;
* ``_init_matrices(vocab, p)``: the initial ``(w_in, w_out)``;
* ``_make_vectors(enc, w_in, w_out, p, meta)``: the trained vectors.

:func:`train` does the rest: validation, corpus, threads, budget, matrices,
the learning-rate schedule, per-chunk seeds, progress, records, the
divergence check and ``meta``.
"""
import datetime
import logging
import math
import time

import numpy as np

from .._memory import check_budget, release_library_pages, resident_bytes
from .._numba import compile_watch, numba_threads, resolve_threads
from .._params import CORPUS_NAMES, defaults, meta_params
from .._progress import bars_and_logs, progress_bar
from .._version import __version__
from ..corpus.encoded import EncodedCorpus
from ..exceptions import InvalidParameterError, TrainingDivergedError

log = logging.getLogger(__name__)

CHUNK_TOKENS = 8192
"""Target tokens per chunk (see :meth:`EncodedCorpus.chunks`)."""
KERNEL_LOAD_BYTES = 70 * 2**20
"""Resident memory that loading the kernels adds at its peak (measured: ~25 MiB that stays and ~40 MiB of
LLVM code, handed back after loading)."""

_CORPUS_STATS = ("raw_tokens", "tokens", "sentences", "lines", "blank_lines", "lines_split", "types", "vocab_size",
                 "replaced_invalid_utf8", "tokenizer", "vocab_settings", "sources", "vocab_sha256")


def train(est, corpus):
    """Train the trainer ``est`` on ``corpus``.

    Parameters
    ----------
    est : Estimator
        A trainer (see the module docstring).
    corpus : str, os.PathLike, sequence of them, iterable of token lists, or EncodedCorpus

    Returns
    -------
    enc : EncodedCorpus
    history : list of dict
        One record per epoch (see :func:`epoch_record`).
    wv : KeyedVectors
        The input vectors with counts, the context matrix and ``meta``.
    """
    from ..vectors import KeyedVectors

    started = time.perf_counter()
    p = est.check_params()
    with bars_and_logs():
        enc = prepare_corpus(corpus, p, est._param_table)
        load_numba()
        p["threads"] = threads = resolve_threads(p["threads"])
        chunks = SentenceChunks(enc, CHUNK_TOKENS)
        n_words, dim = len(enc.vocab), p["dim"]
        n_in = est._input_rows(n_words, p) if hasattr(est, "_input_rows") else n_words
        check_memory(enc, p["max_memory"], {"input vectors": n_in * dim * 4, "output vectors": n_words * dim * 4,
                                            **est._memory_parts(n_words, p, chunks)},
                     hint=est._memory_hint(p) if hasattr(est, "_memory_hint") else None)
        check_init(p["init_in"], n_in, dim, "init_in", context=False)
        check_init(p["init_out"], n_words, dim, "init_out", context=True)
        with numba_threads(threads):
            step, kernel = load_step(est, enc, p, chunks)
            if hasattr(est, "_init_matrices"):
                w_in, w_out = est._init_matrices(enc.vocab, p)
            else:
                w_in, w_out = init_matrices(enc.vocab, dim, p["seed"], p["init_in"], p["init_out"])
            if threads > 1:
                log.info("training with %d threads (Hogwild): results are statistically, not bitwise, "
                         "reproducible; use threads=1 with a seed for bit-identical vectors", threads)
            loop_started = time.perf_counter()
            history = run_epochs(step, chunks, w_in, w_out, p, est.model_name)
            kernel["loop_seconds"] = time.perf_counter() - loop_started
    meta = build_meta(est.model_name, est._param_table, p, enc, history, time.perf_counter() - started, kernel)
    if hasattr(est, "_make_vectors"):
        return enc, history, est._make_vectors(enc, w_in, w_out, p, meta)
    return enc, history, KeyedVectors(enc.vocab.words, w_in, counts=enc.vocab.counts, context=w_out, meta=meta)


# ---------------------------------------------------------------- corpus

def prepare_corpus(corpus, p, table):
    """Encode ``corpus`` with the settings in ``p``, or adopt an encoded corpus's settings into ``p``.

    Then hands what encoding freed back to the system, before the matrices are made.

    Returns
    -------
    EncodedCorpus
    """
    if isinstance(corpus, EncodedCorpus):
        enc = corpus
        adopt_corpus_settings(p, enc, defaults(table))
    else:
        enc = EncodedCorpus.encode(corpus, **{k: p[k] for k in CORPUS_NAMES}, cache=p["cache"],
                                   progress=p["progress"])
    release_free_memory()
    return enc


def adopt_corpus_settings(p, enc, defaults):
    """Put an encoded corpus's own settings into ``p`` (they are what training uses).

    Raises
    ------
    InvalidParameterError
        The estimator was given a non-default value that the corpus
        contradicts (e.g. ``min_count=50`` for a corpus encoded with
        ``min_count=1``): it would be silently ignored.
    """
    m = enc.manifest
    tok = m.get("tokenizer") or {}
    vs = m.get("vocab_settings") or {}
    actual = {"tokenizer": tok.get("kind"), "lowercase": tok.get("lowercase"), "min_count": vs.get("min_count"),
              "max_vocab_size": vs.get("max_vocab_size"), "max_sentence_length": vs.get("max_sentence_length"),
              "encoding_errors": m.get("encoding_errors")}
    terms = m.get("terms") or {}           # joined terms: none unless the manifest says so
    actual.update({name: terms.get(name) for name in ("phrases", "terms") if name in p})
    conflicts = []
    for name, value in actual.items():
        if value is None and name not in ("max_vocab_size", "phrases", "terms"):
            continue                       # not recorded (e.g. an older or hand-made corpus)
        given = p[name]
        given = getattr(given, "kind", given)
        if given != value and given != defaults[name]:
            conflicts.append(f"{name}={given!r} (the corpus has {value!r})")
        p[name] = value
    if conflicts:
        raise InvalidParameterError("these settings disagree with the encoded corpus, which was built with its "
                                    "own: " + ", ".join(conflicts) + "; encode the corpus again with them, "
                                    "or leave them out")


def release_free_memory():
    """Collect garbage and ask glibc to hand freed heap pages back (Linux; a no-op elsewhere)."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


class SentenceChunks:
    """An encoded corpus cut into chunks of whole sentences, read a group of chunks at a time.

    Parameters
    ----------
    enc : EncodedCorpus
    chunk_tokens : int
        Target tokens per chunk.

    Attributes
    ----------
    bounds : int64 ndarray, shape (n_chunks + 1,)
        See :meth:`EncodedCorpus.chunks`.
    offsets : int64 ndarray, read-only
        The sentence offsets.
    n_chunks, n_tokens, raw_tokens, n_sentences, max_len : int
        Chunks; retained tokens; tokens in the text; sentences; the longest sentence (1 when empty).
    """

    def __init__(self, enc, chunk_tokens):
        self.enc = enc
        self.bounds = enc.chunks(chunk_tokens)
        self.offsets = np.asarray(enc.offsets).view()
        self.offsets.flags.writeable = False
        self.n_chunks = len(self.bounds) - 1
        self.n_tokens = len(enc.tokens)
        self.raw_tokens = enc.raw_tokens
        self.n_sentences = enc.n_sentences
        self.max_len = int(np.diff(enc.offsets).max()) if self.n_chunks else 1
        self._chunk_tokens = np.diff(enc.offsets[self.bounds])

    def read(self, g0, g1):
        """Chunks ``g0:g1`` as ``(tokens, token_base, bounds)``: their tokens, the corpus position of the
        first, and their sentence bounds (``g1 - g0 + 1`` entries)."""
        t0, t1 = int(self.enc.offsets[self.bounds[g0]]), int(self.enc.offsets[self.bounds[g1]])
        return self.enc.read_tokens(t0, t1), t0, self.bounds[g0:g1 + 1]

    def empty(self):
        """A batch of no chunk (loads a kernel without training)."""
        return self.enc.read_tokens(0, 0), 0, self.bounds[:1]

    def raw_share(self, g0, g1):
        """Raw tokens that chunks ``g0:g1`` stand for (progress units)."""
        return int(round(self.raw_tokens * self._chunk_tokens[g0:g1].sum() / max(self.n_tokens, 1)))


# ---------------------------------------------------------------- memory, kernels, matrices

def load_numba():
    """Import Numba and hand the pages its loading left resident back to the system.

    Numba is imported only now (encoding does not need it); each step that
    loads LLVM's code (the import, each kernel's first call) is followed by
    handing those pages back: training never runs that code, and about
    65 MiB of it would otherwise stay resident.
    """
    import numba  # noqa: F401

    release_library_pages("libllvmlite")


def check_memory(enc, max_memory, parts, hint=None):
    """Fail before allocating when the runtime, ``parts`` and the corpus exceed the budget.

    ``hint`` ends the message (how to need less); default: training's settings.

    Raises
    ------
    MemoryBudgetError
    """
    held = resident_bytes() or 0
    resident_corpus = 0 if isinstance(enc.tokens, np.memmap) else enc.tokens.nbytes
    check_budget({"runtime (Python, NumPy, Numba)": held + KERNEL_LOAD_BYTES, **parts,
                  "encoded corpus": resident_corpus + enc.offsets.nbytes}, max_memory, already=held, hint=hint)


COMPILE_NOTICE = ("compiling the training kernels (first use, about 10 s; Numba caches them on disk for later "
                  "runs, and `embkit warmup` compiles them ahead)")


def load_step(est, enc, p, chunks, notice=COMPILE_NOTICE):
    """Build the trainer's step and load its kernels (from Numba's cache, or compiling them).

    The step's tables are built and its kernel called over no chunk.  When
    Numba has to compile (its on-disk cache does not hold a kernel yet),
    ``notice`` is logged (INFO) once, before compiling starts.

    Parameters
    ----------
    est : Estimator
        A trainer (see the module docstring).
    enc : EncodedCorpus
        The corpus.
    p : dict
        The checked parameters (``threads`` resolved).
    chunks : SentenceChunks
        The corpus in chunks (only its empty batch is trained on).
    notice : str
        The line logged when compiling starts.

    Returns
    -------
    step : callable
        See the module docstring.
    load : dict
        ``seconds`` (float, building the tables and loading or compiling
        the kernels) and ``compiled`` (bool, whether Numba compiled).
    """
    from ..kernels.rng import chunk_seeds

    started = time.perf_counter()
    none_f = np.zeros(0, np.float64)
    none_i = np.zeros(0, np.int64)
    tiny = np.zeros((1, p["dim"]), np.float32)
    with compile_watch(notice) as watch:
        step = est._make_step(enc, p, chunks)
        step(chunks.empty(), tiny, tiny.copy(), p["alpha"], p["alpha"], chunk_seeds(0, 0, 0), none_f, none_i,
             none_i.copy())
    release_library_pages("libllvmlite")
    return step, {"seconds": time.perf_counter() - started, "compiled": watch["compiled"]}


def warm_up(est, enc, notice=COMPILE_NOTICE):
    """Load (or compile) the kernels that ``est`` trains ``enc`` with, without training.

    Parameters
    ----------
    est : Estimator
        A trainer.
    enc : EncodedCorpus
        A (tiny) encoded corpus.
    notice : str
        See :func:`load_step`.

    Returns
    -------
    dict
        :func:`load_step`'s ``load``.
    """
    p = est.check_params()
    adopt_corpus_settings(p, enc, defaults(est._param_table))
    load_numba()
    p["threads"] = resolve_threads(p["threads"])
    with numba_threads(p["threads"]):
        return load_step(est, enc, p, SentenceChunks(enc, CHUNK_TOKENS), notice)[1]


def init_matrices(vocab, dim, seed, init_in=None, init_out=None):
    """The initial input and output matrices.

    Input vectors are uniform in ``[-0.5/dim, 0.5/dim)`` (as word2vec), drawn
    with ``numpy.random.default_rng(seed)``; output vectors are zero.  Rows
    given by ``init_in``/``init_out`` replace them (see :func:`apply_init`).

    Returns
    -------
    w_in, w_out : float32 ndarray, shape (n_words, dim)
    """
    n_words = len(vocab)
    rng = np.random.default_rng(seed)
    w_in = rng.random((n_words, dim), dtype=np.float32)
    w_in -= np.float32(0.5)
    w_in /= np.float32(dim)
    w_out = np.zeros((n_words, dim), dtype=np.float32)
    apply_init(w_in, init_in, vocab, "init_in", context=False)
    apply_init(w_out, init_out, vocab, "init_out", context=True)
    return w_in, w_out


def check_init(init, n_words, dim, name, context):
    """Raise InvalidParameterError when ``init`` cannot initialise an (n_words, dim) matrix."""
    if init is None:
        return
    if hasattr(init, "key_to_index"):
        source = init.context if context else init.vectors
        if source is None:
            raise InvalidParameterError(f"{name}: the given vectors have no context (output) matrix", param=name)
        if source.shape[1] != dim:
            raise InvalidParameterError(f"{name}: vectors have dim {source.shape[1]}, the model has dim {dim}",
                                        param=name)
        return
    shape = np.shape(init)
    if shape != (n_words, dim):
        raise InvalidParameterError(f"{name} must have shape ({n_words}, {dim}) (vocabulary size, dim), "
                                    f"got {shape}", param=name)


def apply_init(matrix, init, vocab, name, context):
    """Copy ``init`` into ``matrix``: an array row by row, a KeyedVectors by word (other words keep theirs)."""
    if init is None:
        return
    n_words, dim = matrix.shape
    check_init(init, n_words, dim, name, context)
    if hasattr(init, "key_to_index"):
        source = init.context if context else init.vectors
        rows = np.array([init.key_to_index.get(w, -1) for w in vocab.words], dtype=np.int64)
        have = rows >= 0
        matrix[have] = np.asarray(source, dtype=np.float32)[rows[have]]
        log.info("%s: %d of %d words initialised from the given vectors", name, int(have.sum()), n_words)
        return
    matrix[...] = np.asarray(init, dtype=np.float32)


# ---------------------------------------------------------------- the epoch loop

def run_epochs(step, chunks, w_in, w_out, p, name, first_epoch=0, on_epoch_end=None):
    """Train ``p["epochs"]`` epochs with ``step``; the learning rate falls linearly from alpha to min_alpha.

    Chunks are given to ``step`` in groups (``4 * threads`` chunks, or a
    hundredth of the corpus if more), read from the corpus one group at a
    time.  Without ``min_alpha`` in ``p`` the rate stays at alpha.  Another
    chunk source than :class:`SentenceChunks` may provide ``start_epoch(e)``
    (called before each epoch), ``unit`` (the progress bar's unit) and
    ``describe(record)`` (the epoch's log line).

    Parameters
    ----------
    first_epoch : int
        Start with this epoch (0-based; a resumed run).
    on_epoch_end : callable, optional
        ``on_epoch_end(e, history)`` after each epoch.

    Returns
    -------
    list of dict
        One record per epoch (:func:`epoch_record` plus ``seconds``).

    Raises
    ------
    TrainingDivergedError
        Non-finite loss or weights after an epoch.
    """
    epochs = p["epochs"]
    if epochs == 0:
        log.warning("epochs=0: nothing is trained; the vectors are the random initial ones",
                    extra={"params": ("epochs",)})
    bar = progress_bar(p["progress"] and epochs > 0, total=chunks.raw_tokens * (epochs - first_epoch),
                       unit=getattr(chunks, "unit", " words"), unit_scale=True, desc=f"training {name}")
    group = max(p["threads"] * 4, chunks.n_chunks // 100 or 1)
    history = []
    try:
        for e in range(first_epoch, epochs):
            history.append(_run_epoch(step, chunks, w_in, w_out, p, e, group, bar, name))
            if on_epoch_end is not None:
                on_epoch_end(e, history)
    finally:
        if bar is not None:
            bar.close()
    if not hasattr(chunks, "describe"):       # sentence chunks (another source reports its own epochs)
        warn_untrained(history, chunks.max_len, p.get("sample", 0))
    return history


def _run_epoch(step, chunks, w_in, w_out, p, e, group, bar, name):
    from ..kernels.rng import chunk_seeds

    started = time.perf_counter()
    if hasattr(chunks, "start_epoch"):
        chunks.start_epoch(e)
    alpha, min_alpha, epochs = p["alpha"], p.get("min_alpha", p["alpha"]), p["epochs"]
    lr0 = alpha - (alpha - min_alpha) * e / epochs
    lr1 = alpha - (alpha - min_alpha) * (e + 1) / epochs
    n_chunks = chunks.n_chunks
    seeds = chunk_seeds(p["seed"], e, n_chunks)
    loss = np.zeros(n_chunks, np.float64)
    examples = np.zeros(n_chunks, np.int64)
    trained = np.zeros(n_chunks, np.int64)
    for g0 in range(0, n_chunks, group):
        g1 = min(g0 + group, n_chunks)
        step(chunks.read(g0, g1), w_in, w_out, lr0, lr1, seeds[g0:g1], loss[g0:g1], examples[g0:g1],
             trained[g0:g1])
        if bar is not None:
            # the postfix first, so that a redraw by update() shows this epoch and loss, not the last group's
            bar.set_postfix(epoch=f"{e + 1}/{epochs}",
                            loss=f"{loss[:g1].sum() / max(examples[:g1].sum(), 1):.4f}", refresh=False)
            bar.update(chunks.raw_share(0, g1) - chunks.raw_share(0, g0))   # an epoch adds up to its raw tokens
    rec = epoch_record(e, loss, examples, trained, chunks.raw_tokens, chunks.n_sentences)
    rec["seconds"] = round(time.perf_counter() - started, 3)
    check_finite(rec, w_in, w_out, e, name, alpha)
    if hasattr(chunks, "describe"):
        log.info("epoch %d/%d: %s", e + 1, epochs, chunks.describe(rec))
        return rec
    log.info("epoch %d/%d: loss %.6g (mean %.4f over %d examples), %d raw tokens, %d trained, "
             "%d sentences, %.1f s", e + 1, epochs, rec["loss_sum"], rec["loss_mean"], rec["examples"],
             chunks.raw_tokens, rec["tokens_trained"], rec["sentences"], rec["seconds"])
    return rec


def warn_untrained(history, max_len, sample):
    """One warning when some epochs trained no example, saying why.

    Parameters
    ----------
    history : list of dict
        The epochs' records.
    max_len : int
        Tokens of the longest sentence.
    sample : float
        The subsampling threshold.
    """
    empty = [r["epoch"] for r in history if r["examples"] == 0]
    if not empty:
        return
    which = "every epoch" if len(empty) == len(history) else f"{len(empty)} of {len(history)} epochs"
    if max_len < 2:
        log.warning("%s trained no example: every sentence has a single token, and a word needs another in "
                    "its sentence to train on (is the corpus split into one word per line?)", which)
    elif sample > 0:
        log.warning("%s trained no example: subsampling left no sentence with two words (corpus too small "
                    "for sample=%g? try sample=0)", which, sample, extra={"params": ("sample",)})
    else:    # pragma: no cover - with two words in a sentence and sample=0 there is always an example
        log.warning("%s trained no example", which)


def epoch_record(e, loss, examples, trained, raw, sentences):
    """The record of epoch ``e`` (0-based) from its per-chunk figures.

    Returns
    -------
    dict
        ``epoch`` (1-based), ``loss_sum`` (float64 sum), ``loss_mean`` (per
        example), ``examples``, ``raw_tokens``, ``tokens_trained``,
        ``sentences``.
    """
    n = int(examples.sum())
    total = float(loss.sum())
    return {"epoch": e + 1, "loss_sum": total, "loss_mean": total / n if n else 0.0, "examples": n,
            "raw_tokens": int(raw), "tokens_trained": int(trained.sum()), "sentences": int(sentences)}


def check_finite(rec, w_in, w_out, epoch, name, alpha):
    """Raise TrainingDivergedError when the epoch's loss or either matrix is not finite."""
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
            f"training {name} diverged: non-finite values after epoch {epoch + 1} ({bad}); "
            f"lower alpha (now {alpha}) or check the initial vectors")


# ---------------------------------------------------------------- meta.json

def build_meta(model_name, table, p, enc, history, seconds, kernel=None):
    """The ``meta`` of the trained vectors: parameters, corpus statistics and per-epoch figures.

    ``training`` holds ``seconds`` (the whole fit, encoding included),
    ``kernel_load_seconds`` and ``kernels_compiled`` (loading or compiling
    the kernels), ``loop_seconds`` (the epochs) and ``words_per_second``
    (raw tokens over all epochs per second of the epochs: the training
    speed, compilation and encoding left out).
    """
    threads, raw, epochs = p["threads"], enc.raw_tokens, p["epochs"]
    kernel = kernel or {}
    loop = kernel.get("loop_seconds", seconds)
    return {
        "kind": "word",
        "model": model_name,
        "params": meta_params(table, p),
        "defaults_applied": p.get("_defaults_applied", {}),
        "corpus": {k: enc.manifest.get(k) for k in _CORPUS_STATS},
        "training": {
            "epochs": history,
            "loss_total": float(sum(r["loss_sum"] for r in history)),
            "threads": threads,
            "seed": p["seed"],
            "bitwise_reproducible": threads == 1,
            "seconds": round(seconds, 3),
            "kernel_load_seconds": round(kernel.get("seconds", 0.0), 3),
            "kernels_compiled": bool(kernel.get("compiled", False)),
            "loop_seconds": round(loop, 3),
            "words_per_second": round(raw * epochs / loop, 1) if loop > 0 and epochs else None,
        },
        "embkit_version": __version__,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
