"""GloVe: weighted least squares on co-occurrence counts, trained with AdaGrad (:class:`GloVe`).

This module holds what is particular to GloVe: its parameter table, the
blocks of shuffled pairs that the shared epoch loop
(:func:`embkit.models._training.run_epochs`) walks instead of sentence
chunks, the call of its kernel (:mod:`embkit.kernels.glove`) and
checkpoints.  Counting is :mod:`embkit.corpus.cooccur`.

References
----------
Pennington, Socher & Manning (2014), "GloVe: Global Vectors for Word
Representation", EMNLP.
"""
import errno
import json
import logging
import time
from pathlib import Path

import numpy as np

from .. import _params
from .._memory import check_budget, resident_bytes
from .._outputs import check_file_output, output_file
from ..corpus.reading import corpus_paths
from ..exceptions import (
    NPZ_ERRORS,
    FormatError,
    InvalidDataError,
    InvalidParameterError,
    MissingFileError,
    TrainingDivergedError,
    npz_reason,
    open_npz,
)
from ._base import VectorEstimator
from ._counts import count_meta, counts_for
from ._training import KERNEL_LOAD_BYTES, init_matrices, load_numba, release_free_memory, run_epochs

log = logging.getLogger(__name__)

BIAS_LR = 1.0
"""Learning rate of the biases: the reference code's current version does not scale their steps by ``eta``."""
GRAD_CLIP = 100.0
"""Gradients of vector coordinates are clipped to +-100, as in the reference code."""
BLOCK_PAIRS = 4096
"""Pairs per block: the unit of parallel work and of the per-epoch reshuffle."""
CHECKPOINT_FORMAT = "embkit-glove-checkpoint"
CHECKPOINT_VERSION = 1
_STATE = ("w", "c", "bw", "bc", "gw", "gc", "gbw", "gbc")


class PairBlocks:
    """The shuffled co-occurrence pairs as blocks, visited in a new order each epoch (a chunk source).

    Parameters
    ----------
    rows, cols : int32 ndarray, shape (n_pairs,)
    vals : float32 ndarray, shape (n_pairs,)
        The pairs, already shuffled.
    seed : int
        Seed of the block orders.
    block_size : int
        Pairs per block.
    """

    unit = " pairs"

    def __init__(self, rows, cols, vals, seed, block_size=BLOCK_PAIRS):
        self.rows, self.cols, self.vals = rows, cols, vals
        self.block_size = int(block_size)
        self.n_pairs = len(rows)
        self.n_chunks = -(-self.n_pairs // self.block_size)
        self.raw_tokens = self.n_pairs       # progress units: pairs
        self.n_sentences = self.n_chunks
        self.seed = seed
        self.epoch = 0
        self.order = np.arange(self.n_chunks, dtype=np.int64)

    def start_epoch(self, e):
        """Draw epoch ``e``'s block order from ``(seed, e)``.

        Parameters
        ----------
        e : int
            The epoch (0-based).
        """
        self.epoch = e
        self.order = np.random.default_rng([int(self.seed), int(e), 0x610E]).permutation(self.n_chunks)

    def read(self, g0, g1):
        """The blocks at places ``g0:g1`` of this epoch's order.

        Parameters
        ----------
        g0, g1 : int
            Places in the epoch's order.

        Returns
        -------
        int64 ndarray
            Block numbers.
        """
        return self.order[g0:g1]

    def raw_share(self, g0, g1):
        """Pairs in the blocks at places ``g0:g1`` (progress units).

        Parameters
        ----------
        g0, g1 : int
            Places in the epoch's order.

        Returns
        -------
        int
        """
        starts = self.order[g0:g1] * self.block_size
        return int(np.minimum(self.block_size, self.n_pairs - starts).sum())

    def describe(self, rec):
        """The epoch's log line.

        Parameters
        ----------
        rec : dict
            The epoch's record (:func:`embkit.models._training.epoch_record` plus ``seconds``).

        Returns
        -------
        str
        """
        return f"cost {rec['loss_mean']:.6f} over {rec['examples']} pairs, {rec['seconds']:.1f} s"


class GloVe(VectorEstimator):
    """GloVe word vectors (Pennington et al. 2014) from co-occurrence counts.

    Counts are computed from the corpus (:func:`embkit.cooccur`, cached) or
    given (:meth:`fit` takes a :class:`~embkit.corpus.cooccur.Cooccurrence`).
    The word and context vectors and their biases start uniform in
    ``[-0.5/dim, 0.5/dim)`` (biases at 0), drawn from ``seed``; every epoch
    visits the pairs in a new order drawn from ``seed`` (see
    :mod:`embkit.kernels.glove`).  ``threads=1`` with a seed is bit-for-bit
    reproducible; more threads update without locks (Hogwild) and are
    statistically, not bitwise, equivalent.

    Parameters
    ----------
    dim : int
        Vector dimensionality (100).
    window : int
        Maximum distance of a context word (10).
    weighting : {"harmonic", "uniform", "dynamic"}
        Weight at distance ``d`` (harmonic ``1/d``, GloVe's).
    context : {"both", "left", "right"}
        Sides counted (both: a symmetric matrix).
    sample : float
        Subsampling threshold before counting (0: off).
    x_max : float
        Counts at or above it get weight 1 (100).
    weight_exponent : float
        Exponent of the weighting function ``(x / x_max)**weight_exponent`` (0.75, the paper's alpha).
    alpha : float
        AdaGrad's learning rate of the vectors (0.05, the reference code's
        ``eta``); it does not decay, so there is no ``min_alpha``.  The
        biases learn at rate 1 and gradients are clipped at 100, as in the
        reference code (see :mod:`embkit.kernels.glove`).
    epochs : int
        Passes over the pairs (25; 0 returns the initial vectors).
    vectors : {"w+c", "w"}
        Output the sum of word and context vectors (default, as GloVe's
        ``model=2``) or the word vectors alone.
    checkpoint_every : int, optional
        With ``fit(..., checkpoint=path)``: write the training state every
        this many epochs.
    min_count, max_vocab_size, max_sentence_length, tokenizer, lowercase, encoding_errors, phrases, terms
        Corpus encoding, see :meth:`embkit.EncodedCorpus.encode`.
    threads : int, optional
        Worker threads (default: all cores).
    seed : int
        Seed of the initial vectors, of the pair orders and of subsampling.
    max_memory : int or str, optional
        Memory for counting (rows beyond it spill to ``tmp_dir``); training
        fails before allocating when it would need more.
    tmp_dir : str or os.PathLike, optional
        Where counted rows spill (default ``$EMBKIT_CACHE/tmp``).
    cache : bool
        Reuse and store the encoded corpus and the counts.
    progress : bool
        Show progress bars (the bar shows the running cost).

    Attributes
    ----------
    wv : KeyedVectors
        The vectors (``w+c`` or ``w``) with the corpus counts, the context
        matrix and ``meta`` (parameters, counting settings, per-epoch cost).
    cooccurrence_ : Cooccurrence
        The counts trained on.
    training_ : list of dict
        Per epoch: ``epoch``, ``cost`` (mean of ``f(x) * diff**2 / 2``
        over the pairs, as GloVe reports it), ``loss_sum``, ``pairs``,
        ``seconds``.
    """

    _param_table = _params.GLOVE
    _param_notes = {"min_alpha": "GloVe's AdaGrad keeps alpha constant; min_alpha does not apply",
                    "eta": "alpha", "max_iter": "epochs", "symmetric": "context"}
    model_name = "glove"

    def fit(self, corpus, checkpoint=None, resume=None):
        """Train on a corpus or on co-occurrence counts.

        Parameters
        ----------
        corpus : str, os.PathLike, sequence of them, iterable of token lists, EncodedCorpus, or Cooccurrence
            Text files or sentences (counted with this model's settings,
            see :meth:`embkit.EncodedCorpus.encode`), or counts.
        checkpoint : str or os.PathLike, optional
            Where ``checkpoint_every`` writes the training state (atomically;
            a write killed midway leaves the previous one); checked before
            training: not a corpus or terms file, a directory, a device, pipe
            or socket, nor in a directory that does not exist.  It may be
            ``resume`` (read before the first write).
        resume : str or os.PathLike, optional
            A checkpoint to continue from; with ``threads=1`` the result is
            bit-for-bit that of an uninterrupted run.

        Returns
        -------
        self

        Raises
        ------
        InvalidParameterError
            A parameter outside its range, or a checkpoint made with other settings.
        EmbkitError
            A ``checkpoint`` that cannot be written (see above).
        CorpusError
            Unreadable corpora, or counts with no pair (every line a single word).
        MemoryBudgetError
            Training would need more than ``max_memory`` or what is available.
        TrainingDivergedError
            A non-finite cost or weight (lower ``alpha``).
        """
        from .._numba import numba_threads, resolve_threads
        from ..vectors import KeyedVectors

        started = time.perf_counter()
        p = self.check_params()
        if checkpoint is None and p["checkpoint_every"] is not None:
            raise InvalidParameterError("checkpoint_every needs a checkpoint path (fit(..., checkpoint=PATH))",
                                        param="checkpoint_every")
        if checkpoint is not None:
            check_file_output(checkpoint, corpus_paths(corpus) + _params.input_files(self._param_table, p),
                              what="a checkpoint")
        cooc, source = counts_for(self, corpus, p)
        load_numba()
        p["threads"] = threads = resolve_threads(p["threads"])
        n_words, dim = len(cooc), p["dim"]
        self._check_memory(n_words, dim, cooc.matrix.nnz, p)
        with numba_threads(threads):
            blocks = _pairs(cooc, p["seed"])
            if blocks.n_pairs > 1 << 20:
                release_free_memory()          # hand the shuffle's temporary pages back before the matrices
            state = _initial_state(cooc.vocab, dim, p["seed"])
            history = []
            if resume is not None:
                history = _load_checkpoint(resume, state, p, cooc)
            step = _make_step(blocks, state, p)
            write = _checkpointer(checkpoint, p, state, cooc, history[:]) if checkpoint is not None else None
            new = run_epochs(step, blocks, state["w"], state["c"], p, self.model_name, first_epoch=len(history),
                             on_epoch_end=write)
        self.training_ = [_record(r) for r in history + new]
        w, c = state["w"], state["c"]
        vectors = w + c if p["vectors"] == "w+c" else w
        meta = count_meta(self.model_name, self._param_table, p, source, self.training_,
                          time.perf_counter() - started, cooc)
        self.cooccurrence_ = cooc
        self.wv = KeyedVectors(cooc.words, vectors, counts=cooc.counts, context=c, meta=meta)
        return self

    def _check_memory(self, n_words, dim, nnz, p):
        held = resident_bytes() or 0
        matrix = n_words * dim * 4
        check_budget({"runtime (Python, NumPy, Numba), counts": held + KERNEL_LOAD_BYTES,
                      "shuffled pairs": 16 * nnz, "vectors and AdaGrad sums": 4 * matrix + 16 * n_words},
                     p["max_memory"], already=held)


def _record(rec):
    """A training record as GloVe reports it."""
    if "cost" in rec:
        return rec
    return {"epoch": rec["epoch"], "cost": rec["loss_mean"], "loss_sum": rec["loss_sum"], "pairs": rec["examples"],
            "seconds": rec.get("seconds")}


def _pairs(cooc, seed):
    """The non-zero counts as shuffled pairs in blocks."""
    from ..kernels.glove import shuffle_pairs
    from ..kernels.rng import chunk_seeds

    m = cooc.matrix
    if m.nnz and not m.data.all():
        m = m.copy()
        m.eliminate_zeros()
    nnz = m.nnz
    rows, cols = np.empty(nnz, np.int32), np.empty(nnz, np.int32)
    vals = np.empty(nnz, np.float32)
    n_buckets = max(1, -(-nnz // BLOCK_PAIRS))
    bucket_seeds = chunk_seeds(seed, 2**32 + 1, n_buckets)       # an "epoch" no training epoch uses
    start = int(chunk_seeds(seed, 2**32, 1)[0])
    shuffle_pairs(m.indptr, m.indices, m.data, start, bucket_seeds, rows, cols, vals)
    if not np.all(vals > 0):
        raise InvalidDataError("co-occurrence counts too small for float32 (they round to 0)")
    return PairBlocks(rows, cols, vals, seed, BLOCK_PAIRS)


def _initial_state(vocab, dim, seed):
    """Word and context vectors uniform in [-0.5/dim, 0.5/dim), biases 0, AdaGrad sums 1."""
    w, _ = init_matrices(vocab, dim, seed)
    rng = np.random.default_rng([int(seed), 0xC0])
    c = rng.random(w.shape, dtype=np.float32)
    c -= np.float32(0.5)
    c /= np.float32(dim)
    n = len(vocab)
    return {"w": w, "c": c, "bw": np.zeros(n, np.float32), "bc": np.zeros(n, np.float32),
            "gw": np.ones_like(w), "gc": np.ones_like(w), "gbw": np.ones(n, np.float32),
            "gbc": np.ones(n, np.float32)}


def _make_step(blocks, s, p):
    """The step that trains a group of blocks (see :func:`embkit.models._training.run_epochs`)."""
    from ..kernels.glove import glove_epoch

    x_max, exponent, bias_lr = float(p["x_max"]), float(p["weight_exponent"]), BIAS_LR

    def step(batch, w, c, lr0, lr1, seeds, loss, examples, trained):
        glove_epoch(blocks.rows, blocks.cols, blocks.vals, blocks.block_size, batch, seeds, w, c, s["bw"], s["bc"],
                    s["gw"], s["gc"], s["gbw"], s["gbc"], float(lr0), bias_lr, GRAD_CLIP, x_max, exponent, loss,
                    examples, trained)
        bad = int(trained.sum())
        if bad:
            raise TrainingDivergedError(
                f"training glove diverged: {bad} pair(s) with a non-finite cost in epoch {blocks.epoch + 1}; "
                f"lower alpha (now {p['alpha']})")
    return step


# ---------------------------------------------------------------- checkpoints

def _fingerprint(p, cooc):
    """What a checkpoint must agree with to be resumed: the training settings and the counts."""
    keys = ("dim", "x_max", "weight_exponent", "alpha", "seed", *_params.CORPUS_NAMES, "window", "weighting",
            "context", "sample")
    params = {k: getattr(p[k], "kind", p[k]) for k in keys}
    m = cooc.matrix
    return {"params": params, "n_words": len(cooc), "nnz": int(m.nnz), "vocab_sha256": cooc.vocab.sha256(),
            "count_sum": float(m.data.sum(dtype=np.float64))}


def _checkpointer(path, p, state, cooc, earlier):
    """``on_epoch_end`` that writes the state to ``path`` every ``checkpoint_every`` epochs."""
    every = p["checkpoint_every"]
    print_ = _fingerprint(p, cooc)

    def write(e, history):
        if every is None or (e + 1) % every and e + 1 != p["epochs"]:
            return
        info = {"format": CHECKPOINT_FORMAT, "format_version": CHECKPOINT_VERSION, "epochs_done": e + 1,
                "history": [_record(r) for r in earlier + history], "fingerprint": print_}
        with output_file(path, "wb", what="a checkpoint") as f:
            np.savez(f, info=np.array(json.dumps(info)), **state)
        log.info("checkpoint after epoch %d written to %s", e + 1, path)
    return write


def _load_checkpoint(path, state, p, cooc):
    """Put a checkpoint's state into ``state``; return its training records."""
    path = Path(path)
    try:
        with open_npz(path) as z:
            info = json.loads(str(z["info"].item()))
            arrays = {k: z[k] for k in _STATE}
    except FileNotFoundError:
        raise MissingFileError(errno.ENOENT, "no such checkpoint", path) from None
    except (KeyError, *NPZ_ERRORS) as exc:
        raise FormatError(path, None, f"not a GloVe checkpoint, or a damaged one ({npz_reason(exc, path)})") from None
    if info.get("format") != CHECKPOINT_FORMAT or info.get("format_version") != CHECKPOINT_VERSION:
        raise FormatError(path, None, f"not a GloVe checkpoint of format version {CHECKPOINT_VERSION}")
    want, have = _fingerprint(p, cooc), info.get("fingerprint", {})
    if want != have:
        diff = [k for k in want["params"] if want["params"][k] != have.get("params", {}).get(k)]
        what = ", ".join(f"{k}={have['params'].get(k)!r}" for k in diff) if diff else "other co-occurrence counts"
        raise InvalidParameterError(f"{path}: the checkpoint was made with {what}; resume with the same corpus "
                                    "and settings")
    done = int(info["epochs_done"])
    if done > p["epochs"]:
        raise InvalidParameterError(f"{path}: the checkpoint has {done} epochs, more than epochs={p['epochs']}",
                                    param="epochs")
    for k in _STATE:
        if arrays[k].shape != state[k].shape or arrays[k].dtype != state[k].dtype:
            raise FormatError(path, None, f"{k} has shape {arrays[k].shape}, expected {state[k].shape}")
        state[k][...] = arrays[k]
    log.info("resuming from %s after epoch %d", path, done)
    return info["history"]


def warmup():
    """Compile the counting and GloVe kernels (or load them from Numba's cache) on a tiny corpus."""
    from ..corpus.encoded import EncodedCorpus

    enc = EncodedCorpus.encode([["a", "b", "c", "a"], ["b", "c", "d"]] * 4, min_count=1, cache=False,
                               progress=False)
    GloVe(dim=4, epochs=1, min_count=1, threads=1, progress=False, cache=False).fit(enc)


__all__ = ["GloVe", "PairBlocks", "warmup"]
