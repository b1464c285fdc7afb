"""Co-occurrence counts: exact, memory-bounded counting over an encoded corpus, and the counts.npz file.

:func:`cooccur` counts, for every pair of vocabulary words ``(i, j)``, the
weighted number of times ``j`` occurs within ``window`` tokens of ``i`` in
the same sentence (a line; windows never cross a line end and are clipped at
both ends of it).  The weight of a context word at distance ``d`` is ``1/d``
(``harmonic``, GloVe's), 1 (``uniform``) or ``(window - d + 1) / window``
(``dynamic``: the expected weight under word2vec's shrinking window).
``context="both"`` counts both sides (a symmetric matrix), ``"left"`` the
words before ``i`` only, ``"right"`` those after it.  Subsampling
(``sample``, word2vec's rule) drops tokens before windows are formed.

Exactness: weights are summed as integers in units of ``1/L`` (``L`` = the
least common multiple of 1..window for harmonic weights, ``window`` for
dynamic ones, 1 for uniform ones), so counts are exact and independent of
summation order; in the rare case where such sums could overflow 64 bits
(harmonic weights with windows beyond about 20 on large corpora) the unit
is ``2**-k`` with ``k`` as large as is safe, and each weight is rounded to
it (``settings["exact"]`` is then False).  Rows are computed whole, one at a
time per thread (see :mod:`embkit.kernels.cooccur`), so the matrix is the
same for any number of threads and any memory cap.

Memory: counting holds the corpus as an int32 stream (4 bytes a token), the
positions of every word (4 bytes a token), one dense accumulator per thread
(8 bytes a word) and a buffer of rows being counted; counted rows are kept
in memory while ``max_memory`` allows and spill to a private directory under
``tmp_dir`` (default ``$EMBKIT_CACHE/tmp``) beyond it, which is removed on
success, on errors and, in the command line, on Ctrl-C, SIGTERM and SIGHUP;
a directory left by a process killed outright is removed by the next count.
The cap covers counting; a matrix returned in memory is the result and is
not counted against it, and a matrix written to a file is streamed from the
runs and never held whole.
"""
import json
import logging
import math
import time
from pathlib import Path

import numpy as np

from .. import _params
from .._memory import check_budget, format_size, parse_size, resident_bytes
from ..exceptions import EmbkitError, FormatError
from ._runs import Runs, SpillDir, write_matrix_npz
from .cache import cache_key, cache_root, cached

log = logging.getLogger(__name__)

FORMAT = "embkit-cooccur"
FORMAT_VERSION = 1
CHUNK_TOKENS = 8192
"""Sentence chunks of the subsampling draws (each chunk draws from its own generator)."""
BUFFER_ENTRIES = 1 << 23
"""Entries of the buffer rows are counted into (12 bytes each), at most."""
KERNEL_LOAD_BYTES = 70 * 2**20
"""Resident memory that loading the kernels adds at its peak (see :mod:`embkit.models._training`)."""
SETTINGS = ("window", "weighting", "context", "sample", "seed")
"""The settings that decide the counts (``seed`` only when ``sample`` is not 0)."""


def unit_weights(window, weighting, span, max_occurrences, sides):
    """Integer weights and their unit for exact sums.

    Parameters
    ----------
    window : int
        The window.
    weighting : {"harmonic", "uniform", "dynamic"}
    span : int
        The longest sentence minus one: no context is farther (the window is clipped to it).
    max_occurrences : int
        Occurrences of the most frequent word (bounds every row's sums).
    sides : int
        1 for one-sided context, 2 for both sides.

    Returns
    -------
    weights : int64 ndarray, shape (min(window, span) + 1,)
        ``weights[d]`` is the weight at distance ``d`` in units of ``1/scale``; ``weights[0]`` is 0.
    scale : int
        The unit's inverse.
    exact : bool
        False when weights had to be rounded (see the module docstring).
    """
    w = max(0, min(int(window), int(span)))
    d = np.arange(1, w + 1, dtype=object)
    if weighting == "uniform":
        scale, units = 1, [1] * w
    elif weighting == "dynamic":
        scale, units = int(window), [int(window) - int(x) + 1 for x in d]
    else:
        scale = math.lcm(*range(1, w + 1)) if w else 1
        units = [scale // int(x) for x in d]
    limit = 2**62
    exact = max(1, max_occurrences) * sides * sum(units) < limit
    if not exact:
        real = [u / scale for u in units]
        k = int(math.floor(math.log2(limit / (max(1, max_occurrences) * sides * sum(real))))) - 1
        scale = 2**k
        units = [max(1, round(r * scale)) for r in real]
    return np.array([0, *units], dtype=np.int64), scale, exact


class Cooccurrence:
    """Co-occurrence counts of a corpus: a sparse matrix with its vocabulary and settings.

    Parameters
    ----------
    matrix : scipy.sparse.csr_matrix, shape (n_words, n_words)
        ``matrix[i, j]`` is the weighted count of word ``j`` in the windows of word ``i``.
    vocab : Vocabulary
        The words in row order with their corpus counts.
    settings : dict, optional
        How the counts were made (window, weighting, context, sample, seed, corpus statistics).

    Raises
    ------
    EmbkitError
        A matrix whose shape does not match the vocabulary.
    """

    def __init__(self, matrix, vocab, settings=None):
        if matrix.shape != (len(vocab), len(vocab)):
            raise EmbkitError(f"co-occurrence matrix of shape {matrix.shape} for a vocabulary of {len(vocab)} words")
        self.matrix = matrix
        self.vocab = vocab
        self.settings = dict(settings or {})

    @property
    def words(self):
        """The words in row order (list of str)."""
        return self.vocab.words

    @property
    def counts(self):
        """The words' corpus counts (int64 ndarray)."""
        return self.vocab.counts

    def __len__(self):
        return len(self.vocab)

    def __repr__(self):
        s = self.settings
        return (f"<Cooccurrence of {len(self)} words, {self.matrix.nnz} pairs, window {s.get('window')}, "
                f"{s.get('weighting')}, context {s.get('context')}>")

    def save(self, path):
        """Write the counts as one ``.npz`` file, atomically (see :mod:`embkit.corpus._runs`).

        Parameters
        ----------
        path : str or os.PathLike

        Returns
        -------
        pathlib.Path
        """
        write_matrix_npz(path, self.matrix.tocsr(), self.words, self.counts, self.settings)
        return Path(path)

    @classmethod
    def load(cls, path):
        """Read a counts ``.npz`` file written by :func:`cooccur` or :meth:`save`.

        Parameters
        ----------
        path : str or os.PathLike

        Returns
        -------
        Cooccurrence

        Raises
        ------
        FormatError
            Not such a file, a vocabulary whose size does not match the
            matrix's shape, indices outside it, or counts that are negative
            or not finite.
        """
        return _load_npz(Path(path))


def _load_npz(path):
    from scipy import sparse

    from .vocab import Vocabulary

    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in ("indices", "indptr", "shape", "data", "vocab", "counts", "settings", "format")
                      if k in z.files}
    except FileNotFoundError:
        raise EmbkitError(f"{path}: no such file") from None
    except (OSError, ValueError) as exc:
        raise FormatError(path, None, f"not a counts .npz file ({exc})") from None
    missing = [k for k in ("indices", "indptr", "shape", "data", "vocab", "counts") if k not in arrays]
    if missing:
        raise FormatError(path, None, f"not an embkit counts file: no {', '.join(missing)} array "
                          "(write it with `embkit cooccur`)")
    fmt = arrays.get("format")
    if fmt is not None and fmt.item() not in (b"csr", "csr"):
        raise FormatError(path, None, f"expected a CSR matrix, found format {fmt.item()!r}")
    words = str(arrays["vocab"].item()).split("\n") if arrays["vocab"].ndim == 0 else [str(w) for w in arrays["vocab"]]
    counts, shape = arrays["counts"], tuple(int(x) for x in arrays["shape"])
    if len(counts) != len(words) or shape != (len(words), len(words)):
        raise FormatError(path, None, f"the vocabulary has {len(words)} words and {len(counts)} counts but the "
                          f"matrix has shape {shape}; expected ({len(words)}, {len(words)})")
    indices, indptr, data = arrays["indices"], arrays["indptr"], arrays["data"]
    _check_arrays(path, indices, indptr, data, len(words))
    try:
        settings = json.loads(str(arrays["settings"].item())) if "settings" in arrays else {}
        vocab = Vocabulary(words, counts)
    except (ValueError, EmbkitError) as exc:
        raise FormatError(path, None, f"bad vocabulary or settings ({exc})") from None
    m = sparse.csr_matrix(shape, dtype=data.dtype)
    m.data, m.indices, m.indptr = data, indices, indptr
    return Cooccurrence(m, vocab, settings)


def _check_arrays(path, indices, indptr, data, n):
    if (indices.ndim != 1 or indptr.ndim != 1 or data.ndim != 1 or len(indptr) != n + 1
            or indices.dtype.kind != "i" or indptr.dtype.kind != "i" or data.dtype.kind != "f"):
        raise FormatError(path, None, "indices, indptr and data are not a CSR matrix of the vocabulary's size")
    if len(data) != len(indices) or indptr[0] != 0 or indptr[-1] != len(data) or np.any(np.diff(indptr) < 0):
        raise FormatError(path, None, "indptr does not delimit the indices and data (damaged file)")
    if len(indices) and (int(indices.min()) < 0 or int(indices.max()) >= n):
        raise FormatError(path, None, f"column indices outside 0..{n - 1} (damaged file)")
    finite = np.isfinite(data)
    if not finite.all():
        raise FormatError(path, None, f"{int((~finite).sum())} counts are NaN or infinite")
    if len(data) and float(data.min()) < 0:
        raise FormatError(path, None, "negative counts")


# ---------------------------------------------------------------- counting

def _stream(enc, keep, seed):
    """The corpus as one int32 stream with ``-1`` marks (see :func:`embkit.kernels.cooccur.build_stream`)."""
    from ..kernels.cooccur import SENTINEL, build_stream
    from ..kernels.rng import chunk_seeds

    bounds = enc.chunks(CHUNK_TOKENS)
    n_chunks = len(bounds) - 1
    seeds = chunk_seeds(seed, 0, n_chunks)
    offsets = np.asarray(enc.offsets)
    stream = np.empty(len(enc.tokens) + enc.n_sentences + 1, np.int32)
    stream[0] = SENTINEL
    pos = 1
    group = 256
    for g0 in range(0, n_chunks, group):
        g1 = min(g0 + group, n_chunks)
        t0, t1 = int(offsets[bounds[g0]]), int(offsets[bounds[g1]])
        pos = build_stream(enc.read_tokens(t0, t1), t0, offsets, bounds[g0:g1 + 1], seeds[g0:g1], keep, stream, pos)
    return stream[:pos]


def _plan(stream, n_words):
    """Occurrences of each word (``starts``, ``positions``) and the longest sentence minus one."""
    from ..kernels.cooccur import occurrences

    marks = np.flatnonzero(stream < 0)
    span = int(np.diff(marks).max()) - 2 if len(marks) > 1 else 0
    n_occ = len(stream) - len(marks)
    starts = np.zeros(n_words + 1, np.int64)
    positions = np.empty(n_occ, np.int32 if len(stream) < 2**31 else np.int64)
    occurrences(stream, n_words, starts, positions)
    return starts, positions, max(span, 0)


def _batches(row_bound, capacity):
    """Cut rows 0..n-1 into consecutive batches whose bounds sum to at most ``capacity`` (each row fits)."""
    ends = np.cumsum(row_bound)
    cuts, start, base = [0], 0, 0
    n = len(row_bound)
    while start < n:
        stop = int(np.searchsorted(ends, base + capacity, side="right"))
        stop = max(stop, start + 1)
        cuts.append(stop)
        base = int(ends[stop - 1])
        start = stop
    return cuts


class _Budget:
    """What counting holds, what the cap leaves for counted rows, and the buffer size."""

    def __init__(self, fixed, max_memory, n_words, row_bytes):
        self.fixed = fixed
        self.cap = None if max_memory is None else parse_size(max_memory)
        room = None if self.cap is None else self.cap - sum(fixed.values())
        entries = BUFFER_ENTRIES if room is None else min(BUFFER_ENTRIES, max(0, room // 3) // 12)
        self.capacity = max(int(entries), n_words, 1)
        self.buffer = self.capacity * 12 + n_words * 24
        self.total_fixed = sum(fixed.values()) + self.buffer
        self.room = None if self.cap is None else self.cap - self.total_fixed
        self.row_bytes = row_bytes

    def check(self):
        parts = {**self.fixed, "row buffer": self.buffer}
        check_budget(parts, self.cap, what="counting co-occurrences", already=self.fixed["runtime"])
        log.info("counting co-occurrences needs about %s (%s) besides the counted rows%s",
                 format_size(self.total_fixed), ", ".join(f"{k} {format_size(v)}" for k, v in parts.items()),
                 "" if self.cap is None else
                 f"; rows beyond {format_size(max(self.room, 0))} in memory spill to disk (--max-memory "
                 f"{format_size(self.cap)})")

    def spill(self, held, adding):
        return self.room is not None and held + adding > self.room


def count_runs(enc, window, weighting, context, sample=0.0, seed=1, dtype="float64", threads=None,
               max_memory=None, tmp_dir=None, progress=True):
    """Count the co-occurrences of an encoded corpus into runs of rows (in memory or spilled).

    Parameters
    ----------
    enc : EncodedCorpus
    window : int
    weighting : {"harmonic", "uniform", "dynamic"}
    context : {"both", "left", "right"}
    sample : float
        Subsampling threshold (0: none).
    seed : int
        Seed of the subsampling draws.
    dtype : {"float64", "float32"}
        Type of the counts.
    threads : int, optional
        Threads (default all).
    max_memory : int or str, optional
        The cap (see the module docstring).
    tmp_dir : str or os.PathLike, optional
        Parent of the spill directory (default ``$EMBKIT_CACHE/tmp``).
    progress : bool
        Show a progress bar.

    Returns
    -------
    runs : Runs
        The rows; the caller removes ``runs.spill`` when done.
    settings : dict
        The settings and statistics recorded with the counts.

    Raises
    ------
    MemoryBudgetError
        Counting itself needs more than ``max_memory`` or what is available.
    """
    from .._numba import numba_threads, resolve_threads
    from ..kernels.sampling import keep_probabilities

    started = time.perf_counter()
    n_words = len(enc.vocab)
    keep = (keep_probabilities(enc.vocab.counts, sample) if sample > 0 else np.ones(n_words, np.float32))
    threads = resolve_threads(threads)
    sides = 2 if context == "both" else 1
    dtype = np.dtype(dtype)
    tokens_bytes = 4 * (len(enc.tokens) + enc.n_sentences + 1)
    fixed = {"runtime": (resident_bytes() or 0) + KERNEL_LOAD_BYTES, "stream": tokens_bytes,
             "word positions": tokens_bytes + 8 * n_words, "accumulators": threads * (8 * n_words + n_words // 8 + 8)}
    budget = _Budget(fixed, max_memory, n_words, 4 + dtype.itemsize)
    budget.check()
    spill = SpillDir(Path(tmp_dir) if tmp_dir is not None else cache_root() / "tmp")
    runs = Runs(n_words, dtype, spill)
    try:
        with numba_threads(threads):
            stream = _stream(enc, keep, seed)
            starts, positions, span = _plan(stream, n_words)
            max_occ = int(np.diff(starts).max()) if n_words else 0
            weights, scale, exact = unit_weights(window, weighting, span, max_occ, sides)
            _count_all(stream, starts, positions, weights, scale, context, budget, threads, runs, progress)
    except BaseException:
        spill.remove()
        raise
    settings = {"format": FORMAT, "format_version": FORMAT_VERSION, "window": int(window), "weighting": weighting,
                "context": context, "sample": float(sample), "seed": int(seed) if sample > 0 else None,
                "dtype": dtype.name, "scale": scale, "exact": exact, "longest_context": len(weights) - 1,
                "nnz": runs.nnz, "spilled_runs": runs.spilled, "runs": len(runs._runs),
                "seconds": round(time.perf_counter() - started, 3), "corpus": corpus_stats(enc)}
    log.info("counted %d pairs of %d words in %.1f s (%d runs, %d spilled to disk)", runs.nnz, n_words,
             settings["seconds"], len(runs._runs), runs.spilled)
    return runs, settings


def _count_all(stream, starts, positions, weights, scale, context, budget, threads, runs, progress):
    """Count every row, batch by batch, into ``runs``."""
    from .._progress import progress_bar
    from ..kernels.cooccur import BIT_INDEX, compact_rows, count_rows

    n_words = len(starts) - 1
    occ = np.diff(starts)
    sides = 2 if context == "both" else 1
    row_bound = np.minimum(n_words, occ * (sides * (len(weights) - 1)))
    cuts = _batches(row_bound, budget.capacity)
    acc = np.zeros((threads, n_words), np.int64)
    bits = np.zeros((threads, n_words // 64 + 1), np.int64)
    cols_buf = np.empty(budget.capacity, np.int32)
    units_buf = np.empty(budget.capacity, np.int64)
    left, right = context in ("both", "left"), context in ("both", "right")
    bar = progress_bar(progress, total=int(occ.sum()), unit=" words", unit_scale=True,
                       desc="counting co-occurrences")
    try:
        for r0, r1 in zip(cuts[:-1], cuts[1:]):
            rows = np.arange(r0, r1, dtype=np.int64)
            offsets = np.zeros(r1 - r0, np.int64)
            np.cumsum(row_bound[r0:r1 - 1], out=offsets[1:])
            nnz = np.zeros(r1 - r0, np.int64)
            count_rows(stream, starts, positions, rows, weights, left, right, offsets, acc, bits, BIT_INDEX,
                       cols_buf, units_buf, nnz)
            indptr = np.zeros(r1 - r0 + 1, np.int64)
            np.cumsum(nnz, out=indptr[1:])
            cols = np.empty(int(indptr[-1]), np.int32)
            data = np.empty(int(indptr[-1]), runs.dtype)
            compact_rows(offsets, nnz, cols_buf, units_buf, float(scale), indptr, cols, data)
            runs.add(r0, r1, nnz, cols, data, budget.spill(runs.bytes_in_memory, cols.nbytes + data.nbytes))
            if bar is not None:
                bar.update(int(occ[r0:r1].sum()))
    finally:
        if bar is not None:
            bar.close()


def corpus_stats(enc):
    """What the counts record about their corpus (from its manifest).

    Parameters
    ----------
    enc : EncodedCorpus

    Returns
    -------
    dict
        Token, sentence and line counts, the vocabulary's size and SHA-256,
        the tokenizer and vocabulary settings and the source files.
    """
    m = enc.manifest
    keys = ("raw_tokens", "tokens", "sentences", "lines", "vocab_size", "vocab_sha256", "tokenizer",
            "vocab_settings", "sources")
    return {k: m.get(k) for k in keys}


# ---------------------------------------------------------------- public entry points

def cooccur(corpus, output=None, window=10, weighting="harmonic", context="both", sample=0.0, dtype="float64",
            min_count=5, max_vocab_size=None, max_sentence_length=10000, tokenizer="whitespace", lowercase=False,
            encoding_errors="strict", threads=None, seed=1, max_memory=None, tmp_dir=None, cache=True,
            progress=True):
    """Count the co-occurrences of a corpus.

    Parameters
    ----------
    corpus : str, os.PathLike, sequence of them, iterable of token lists, or EncodedCorpus
        As for :meth:`embkit.EncodedCorpus.encode`; an encoded corpus keeps its own settings.
    output : str or os.PathLike, optional
        Write the counts to this ``.npz`` file, streaming them (the whole
        matrix is never held in memory), and return its path.
    window : int
        Maximum distance of a context word (10, GloVe's).
    weighting : {"harmonic", "uniform", "dynamic"}
        Weight at distance ``d``: ``1/d``, 1, or ``(window - d + 1) / window``.
    context : {"both", "left", "right"}
        Which side(s) of a word its context words are counted on.
    sample : float
        Subsampling threshold applied before counting (0: off).
    dtype : {"float64", "float32"}
        Type of the counts.
    min_count, max_vocab_size, max_sentence_length, tokenizer, lowercase, encoding_errors
        Corpus encoding, see :meth:`embkit.EncodedCorpus.encode`.
    threads : int, optional
        Threads (default all); the counts do not depend on it.
    seed : int
        Seed of the subsampling draws.
    max_memory : int or str, optional
        Memory for counting (e.g. ``"1G"``); counted rows beyond it spill
        to ``tmp_dir`` and give the same matrix.
    tmp_dir : str or os.PathLike, optional
        Where rows spill (default ``$EMBKIT_CACHE/tmp``).
    cache : bool
        Reuse and store the encoded corpus.
    progress : bool
        Show progress bars.

    Returns
    -------
    Cooccurrence or pathlib.Path
        The counts, or the path written when ``output`` is given.

    Raises
    ------
    InvalidParameterError
        A setting outside its range.
    CorpusError
        Unreadable or empty corpora.
    MemoryBudgetError
        Counting needs more memory than ``max_memory`` or than is available.

    Examples
    --------
    >>> import embkit
    >>> counts = embkit.cooccur("corpus.txt", window=10, min_count=5)     # doctest: +SKIP
    >>> counts.matrix[counts.vocab["king"], counts.vocab["queen"]]        # doctest: +SKIP
    """
    from .encoded import EncodedCorpus

    p = _params.validate(_params.COOCCUR, {k: v for k, v in locals().items() if k not in ("corpus", "output")})
    if isinstance(corpus, EncodedCorpus):
        enc = corpus
    else:
        enc = EncodedCorpus.encode(corpus, **{k: p[k] for k in _params.CORPUS_NAMES}, cache=p["cache"],
                                   progress=p["progress"])
    runs, settings = count_runs(enc, p["window"], p["weighting"], p["context"], p["sample"], p["seed"], p["dtype"],
                                p["threads"], p["max_memory"], p["tmp_dir"], p["progress"])
    try:
        warn_if_empty(runs.nnz, settings)
        if output is not None:
            runs.write_npz(output, enc.vocab.words, enc.vocab.counts, settings)
            return Path(output)
        return Cooccurrence(runs.to_csr(), enc.vocab, settings)
    finally:
        runs.spill.remove()


def warn_if_empty(nnz, settings):
    """Log a warning when no pair was counted (every sentence a single word after subsampling).

    Parameters
    ----------
    nnz : int
        Pairs counted.
    settings : dict
        The counting settings (``sample`` says whether subsampling ran).
    """
    if nnz == 0:
        log.warning("no word has a context word within the window: every sentence holds a single word%s; "
                    "the co-occurrence matrix is empty", " after subsampling" if settings.get("sample") else "")


def cooccurrence_of(enc, p):
    """The counts a count-based model trains on: from the cache, or counted (and cached).

    Parameters
    ----------
    enc : EncodedCorpus
    p : dict
        The model's checked parameters (counting settings, ``threads``,
        ``max_memory``, ``tmp_dir``, ``cache``, ``progress``).

    Returns
    -------
    Cooccurrence
        float64 counts.  Cached under ``$EMBKIT_CACHE/cooccur/`` when the
        corpus itself is cached and ``p["cache"]`` is true, keyed by the
        encoded corpus and every counting setting.
    """
    settings = {k: p[k] for k in SETTINGS}
    if not settings["sample"]:
        settings["seed"] = None

    def count():
        return count_runs(enc, p["window"], p["weighting"], p["context"], p["sample"], p["seed"], "float64",
                          p["threads"], p["max_memory"], p["tmp_dir"], p["progress"])

    if not (p["cache"] and enc.path is not None):
        runs, s = count()
        try:
            return Cooccurrence(runs.to_csr(), enc.vocab, s)
        finally:
            runs.spill.remove()

    def build(directory):
        runs, s = count()
        try:
            runs.write_npz(Path(directory) / "counts.npz", enc.vocab.words, enc.vocab.counts, s)
        finally:
            runs.spill.remove()
        manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "tokens": enc.manifest.get("tokens"),
                    "vocab_size": len(enc.vocab), "nnz": s["nnz"], "sources": enc.manifest.get("sources", []),
                    "settings": settings}
        with open(Path(directory) / "manifest.json", "w", encoding="utf-8") as f:
            json.dump(manifest, f, indent=2)

    def load(directory, in_cache):
        return Cooccurrence.load(Path(directory) / "counts.npz")

    key = cache_key({"v": FORMAT_VERSION, "corpus": enc.path.name, "vocab_sha256": enc.manifest.get("vocab_sha256"),
                     "tokens": enc.manifest.get("tokens"), "counting": settings})
    return cached("cooccur", key, build, load, cache=True, what="co-occurrence counts")


__all__ = ["Cooccurrence", "cooccur", "count_runs", "cooccurrence_of", "unit_weights", "warn_if_empty",
           "corpus_stats"]
