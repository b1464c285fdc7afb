"""Counting co-occurrences within a memory cap: weights, the plan of row groups and batches, runs.

See :mod:`embkit.corpus.cooccur` for what is counted and
:mod:`embkit.kernels.cooccur` for how a row is counted.  Memory, in the
order it is taken: the runtime (Python, NumPy, Numba, after the kernels are
loaded and LLVM's pages handed back), the corpus as a stream (4 bytes a
token), each word's count (16 bytes a word), one accumulator per thread
(about 8 bytes a word), the positions of the words of a group of rows (4
bytes an occurrence: the whole corpus when there is no cap, else as many as
a third of what the cap leaves), a buffer the rows of a batch are counted
into and compacted from (24 bytes an entry), and the counted runs kept in
memory; runs that would exceed the cap spill to disk.
"""
import errno
import logging
import math
import time
from pathlib import Path

import numpy as np

from .._memory import check_budget, format_size, parse_size, release_library_pages, resident_bytes
from ..exceptions import MemoryBudgetError, MissingFileError, NotDirectoryError, show_path
from ._runs import Runs, SpillDir
from .cache import cache_root

log = logging.getLogger(__name__)

CHUNK_TOKENS = 8192
"""Sentence chunks of the subsampling draws (each chunk draws from its own generator)."""
BUFFER_ENTRIES = 1 << 23
"""Entries of the buffer rows are counted into (12 bytes each), at most."""
SLACK = 2 * 2**20
"""Counted with the runtime: thread stacks, Python objects and small temporaries made while counting."""


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
        False when weights had to be rounded (see :mod:`embkit.corpus.cooccur`).
    """
    w = max(0, min(int(window), int(span)))
    d = range(1, w + 1)
    if weighting == "uniform":
        scale, units = 1, [1] * w
    elif weighting == "dynamic":
        scale, units = int(window), [int(window) - x + 1 for x in d]
    else:
        scale = math.lcm(*d) if w else 1
        units = [scale // x for x in d]
    limit = 2**62
    exact = max(1, max_occurrences) * sides * sum(units) < limit
    if not exact:
        real = [u / scale for u in units]
        k = int(math.floor(math.log2(limit / (max(1, max_occurrences) * sides * sum(real))))) - 1
        scale = 2**k
        units = [max(1, round(r * scale)) for r in real]
    return np.array([0, *units], dtype=np.int64), scale, exact


def corpus_stats(enc):
    """What the counts record about their corpus (from its manifest).

    Parameters
    ----------
    enc : EncodedCorpus

    Returns
    -------
    dict
        Token, sentence and line counts, the vocabulary's size and SHA-256,
        the tokenizer and vocabulary settings, the source files and the
        joined terms (where they came from, their number and digest).
    """
    m = enc.manifest
    keys = ("raw_tokens", "tokens", "sentences", "lines", "vocab_size", "vocab_sha256", "tokenizer",
            "vocab_settings", "sources", "terms")
    return {k: m.get(k) for k in keys}


def _load_kernels(pos_dtype):
    """Load the counting kernels (from Numba's cache, or compile them), then hand LLVM's pages back."""
    from ..kernels import cooccur as K

    s = np.array([-1, 0, 1, -1], np.int32)
    counts = np.zeros(2, np.int64)
    K.word_counts(s, counts)
    starts = np.array([0, 1, 2], np.int64)
    pos = np.zeros(2, pos_dtype)
    K.occurrences(s, 0, starts, pos)
    K.build_stream(s[1:3], 0, np.array([0, 2]), np.array([0, 1]), np.zeros(1, np.int64), np.ones(2, np.float32),
                   np.zeros(5, np.int32), 1)
    import numba

    two, threads = np.array([0, 2], np.int64), numba.get_num_threads()    # each row has room for 2 entries
    K.count_rows(s, starts, pos, np.arange(2, dtype=np.int64), np.array([0, 1], np.int64), True, True, two,
                 np.zeros((threads, 2), np.int64), np.zeros((threads, 1), np.int64), K.BIT_INDEX,
                 np.zeros(4, np.int32), np.zeros(4, np.int64), np.zeros(2, np.int64))
    for dtype in (np.float64, np.float32):
        K.compact_rows(two, np.zeros(2, np.int64), np.zeros(4, np.int32), np.zeros(4, np.int64), 1.0,
                       np.zeros(3, np.int64), np.zeros(0, np.int32), np.zeros(0, dtype))
    release_library_pages("libllvmlite")
    _trim_heap()


def _trim_heap():
    """Collect garbage and ask glibc to hand freed heap pages back (Linux; a no-op elsewhere)."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


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
    group = 32                          # chunks read at a time (about 1 MiB of tokens)
    for g0 in range(0, n_chunks, group):
        g1 = min(g0 + group, n_chunks)
        t0, t1 = int(offsets[bounds[g0]]), int(offsets[bounds[g1]])
        pos = build_stream(enc.read_tokens(t0, t1), t0, offsets, bounds[g0:g1 + 1], seeds[g0:g1], keep, stream, pos)
    return stream[:pos]


def _cuts(sizes, capacity, start=0):
    """Cut consecutive items into runs whose sizes sum to at most ``capacity`` (an item larger goes alone)."""
    ends = np.cumsum(sizes)
    cuts, base, n = [start], 0, len(sizes)
    i = 0
    while i < n:
        stop = max(int(np.searchsorted(ends, base + capacity, side="right")), i + 1)
        cuts.append(start + stop)
        base = int(ends[stop - 1])
        i = stop
    return cuts


class _Budget:
    """What counting holds, and how the cap (if any) is shared among positions, the buffer and runs."""

    def __init__(self, fixed, max_memory, n_words, n_tokens, max_count, most_entries):
        self.fixed = fixed
        self.cap = None if max_memory is None else parse_size(max_memory)
        top = max(min(BUFFER_ENTRIES, most_entries), n_words, 1)
        self.minimum = {**fixed, "word positions": 4 * max_count, "row buffer": 48 * max(n_words, 1)}
        if self.cap is None:
            self.occ_capacity, self.capacity, self.room = max(n_tokens, 1), top, None
        else:
            room = self.cap - sum(fixed.values())
            self.occ_capacity = max(max_count, min(n_tokens, room // 3 // 4), 1)
            self.capacity = max(n_words, min(top, room // 3 // 24), 1)
            self.room = room - 4 * self.occ_capacity - 24 * self.capacity - 24 * n_words
        self.parts = {**fixed, "word positions": 4 * self.occ_capacity,
                      "row buffer": 24 * self.capacity + 24 * n_words}

    def check(self):
        least = sum(self.minimum.values())
        if self.cap is not None and least > self.cap:
            detail = ", ".join(f"{k} {format_size(v)}" for k, v in self.minimum.items())
            raise MemoryBudgetError(f"counting co-occurrences needs at least {format_size(least)} ({detail}), more "
                                    f"than --max-memory {format_size(self.cap)}; raise --max-memory or --min-count, "
                                    "or set --max-vocab-size (max_memory=, min_count=, max_vocab_size= in Python)")
        check_budget(self.parts, None, what="counting co-occurrences", already=self.fixed["runtime"])
        log.info("counting co-occurrences needs about %s (%s) besides the counted rows%s",
                 format_size(sum(self.parts.values())),
                 ", ".join(f"{k} {format_size(v)}" for k, v in self.parts.items()),
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
    n_words, n_tokens = len(enc.vocab), len(enc.tokens)
    keep = keep_probabilities(enc.vocab.counts, sample) if sample > 0 else np.ones(n_words, np.float32)
    threads = resolve_threads(threads)
    sides = 2 if context == "both" else 1
    if tmp_dir is not None and Path(tmp_dir).exists() and not Path(tmp_dir).is_dir():
        raise NotDirectoryError(errno.ENOTDIR, "not a directory", tmp_dir, message=(
            f"{show_path(tmp_dir)}: not a directory (--tmp-dir; tmp_dir= in Python: where spilled runs go)"))
    if tmp_dir is not None and not Path(tmp_dir).is_dir() and not Path(tmp_dir).parent.is_dir():
        raise MissingFileError(errno.ENOENT, "no such directory", tmp_dir, message=(
            f"{show_path(tmp_dir)}: its directory {show_path(Path(tmp_dir).parent)} does not exist (--tmp-dir; "
            "tmp_dir= in Python; embkit creates the spill directory itself, not the directories above it)"))
    dtype = np.dtype(dtype)
    n_stream = n_tokens + enc.n_sentences + 1
    with numba_threads(threads):
        _load_kernels(np.int32 if n_stream < 2**31 else np.int64)
        fixed = {"runtime": (resident_bytes() or 0) + SLACK, "stream": 4 * n_stream, "word counts": 16 * n_words,
                 "accumulators": threads * (8 * n_words + n_words // 8 + 8)}
        max_count = int(enc.vocab.counts.max()) if n_words else 0
        budget = _Budget(fixed, max_memory, n_words, n_tokens, max_count, n_tokens * sides * min(window, n_tokens))
        budget.check()
        spill = SpillDir(Path(tmp_dir), own_parent=True) if tmp_dir is not None else SpillDir(cache_root() / "tmp")
        runs = Runs(n_words, dtype, spill)
        try:
            weights, scale, exact = _count_all(enc, keep, seed, window, weighting, context, budget, threads, runs,
                                               progress)
        except BaseException:
            spill.remove()
            raise
    settings = {"format": "embkit-cooccur", "format_version": 1, "window": int(window), "weighting": weighting,
                "context": context, "sample": float(sample), "seed": int(seed) if sample > 0 else None,
                "dtype": dtype.name, "scale": scale, "exact": exact, "longest_context": len(weights) - 1,
                "nnz": runs.nnz, "spilled_runs": runs.spilled, "runs": len(runs._runs),
                "seconds": round(time.perf_counter() - started, 3), "corpus": corpus_stats(enc)}
    log.info("counted %d pairs of %d words in %.1f s (%d runs, %d spilled to disk)", runs.nnz, n_words,
             settings["seconds"], len(runs._runs), runs.spilled)
    return runs, settings


def _count_all(enc, keep, seed, window, weighting, context, budget, threads, runs, progress):
    """Build the stream, then count every row, group by group and batch by batch, into ``runs``."""
    from .._progress import progress_bar
    from ..kernels.cooccur import occurrences, word_counts

    n_words = len(enc.vocab)
    stream = _stream(enc, keep, seed)
    occ = np.zeros(n_words, np.int64)
    span = max(word_counts(stream, occ) - 1, 0)
    sides = 2 if context == "both" else 1
    weights, scale, exact = unit_weights(window, weighting, span, int(occ.max()) if n_words else 0, sides)
    row_bound = np.minimum(n_words, occ * (sides * (len(weights) - 1)))
    import numba

    if numba.get_num_threads() > threads:      # the kernel indexes the accumulators by thread
        raise RuntimeError(f"counting with {numba.get_num_threads()} threads but accumulators for {threads}")
    scratch = {"acc": np.zeros((threads, n_words), np.int64), "bits": np.zeros((threads, n_words // 64 + 1), np.int64),
               "cols": np.empty(budget.capacity, np.int32), "units": np.empty(budget.capacity, np.int64)}
    pos_dtype = np.int32 if len(stream) < 2**31 else np.int64
    bar = progress_bar(progress, total=int(occ.sum()), unit=" words", unit_scale=True,
                       desc="counting co-occurrences")
    try:
        groups = _cuts(occ, budget.occ_capacity)
        for g0, g1 in zip(groups[:-1], groups[1:]):
            starts = np.zeros(g1 - g0 + 1, np.int64)
            np.cumsum(occ[g0:g1], out=starts[1:])
            positions = np.empty(int(starts[-1]), pos_dtype)
            occurrences(stream, g0, starts, positions)
            batches = _cuts(row_bound[g0:g1], budget.capacity, start=g0)
            for b0, b1 in zip(batches[:-1], batches[1:]):
                _count_batch(stream, starts, positions, g0, b0, b1, weights, scale, context, row_bound, scratch,
                             budget, runs)
                if bar is not None:
                    bar.update(int(occ[b0:b1].sum()))
            del positions
    finally:
        if bar is not None:
            bar.close()
    return weights, scale, exact


def _count_batch(stream, starts, positions, g0, b0, b1, weights, scale, context, row_bound, scratch, budget, runs):
    """Count rows ``b0:b1`` (of the group starting at row ``g0``) and add them to ``runs``."""
    from ..kernels.cooccur import BIT_INDEX, compact_rows, count_rows

    n = b1 - b0
    offsets = np.zeros(n, np.int64)
    np.cumsum(row_bound[b0:b1 - 1], out=offsets[1:])
    nnz = np.zeros(n, np.int64)
    count_rows(stream, starts, positions, np.arange(b0 - g0, b1 - g0, dtype=np.int64), weights,
               context in ("both", "left"), context in ("both", "right"), offsets, scratch["acc"], scratch["bits"],
               BIT_INDEX, scratch["cols"], scratch["units"], nnz)
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(nnz, out=indptr[1:])
    cols = np.empty(int(indptr[-1]), np.int32)
    data = np.empty(int(indptr[-1]), runs.dtype)
    compact_rows(offsets, nnz, scratch["cols"], scratch["units"], float(scale), indptr, cols, data)
    runs.add(b0, b1, nnz, cols, data, budget.spill(runs.bytes_in_memory, cols.nbytes + data.nbytes))
