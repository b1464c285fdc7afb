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

Memory (see :mod:`embkit.corpus._counting`): counting holds the corpus as
an int32 stream (4 bytes a token), the positions of the words of a group of
rows (4 bytes an occurrence; the whole corpus at once when there is no cap),
one dense accumulator per thread (8 bytes a word) and a buffer of rows being
counted; counted rows are kept in memory while ``max_memory`` allows and
spill to a private directory under ``tmp_dir`` (default
``$EMBKIT_CACHE/tmp``) beyond it, which is removed on success, on errors
and, in the command line, on Ctrl-C, SIGTERM and SIGHUP; a directory left by
a process killed outright is removed by the next count.
The cap covers counting; a matrix returned in memory is the result and is
not counted against it, and a matrix written to a file is streamed from the
runs and never held whole.
"""
import errno
import json
import logging
from pathlib import Path

import numpy as np

from .. import _params
from .._outputs import check_file_output
from ..exceptions import (
    NPZ_ERRORS,
    EmbkitError,
    FormatError,
    InvalidDataError,
    MissingFileError,
    npz_reason,
    open_npz,
)
from ._counting import CHUNK_TOKENS, corpus_stats, count_runs, unit_weights
from ._runs import COUNTS, write_matrix_npz
from .cache import cache_key, cached
from .reading import corpus_paths

log = logging.getLogger(__name__)

FORMAT = "embkit-cooccur"
FORMAT_VERSION = 1
SETTINGS = ("window", "weighting", "context", "sample", "seed")
"""The settings that decide the counts (``seed`` only when ``sample`` is not 0)."""


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
            raise InvalidDataError(f"co-occurrence matrix of shape {matrix.shape} for a vocabulary of "
                                   f"{len(vocab)} words")
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

        Raises
        ------
        EmbkitError
            A ``path`` that is a directory, a device, pipe or socket, or in a
            directory that does not exist (see :mod:`embkit._outputs`).
        """
        write_matrix_npz(path, self.matrix.tocsr(), self.words, self.counts, self.settings)
        return Path(path)

    @classmethod
    def load(cls, path):
        """Read a counts ``.npz`` file written by :func:`cooccur` or :meth:`save`, or by SciPy plus a vocabulary.

        Besides the files embkit writes, this reads the arrays of
        :func:`scipy.sparse.save_npz` (a CSR, CSC or COO matrix; integer or
        floating-point counts) with a ``vocab`` array added: the words of the
        rows and columns, as one newline-joined string or an array of str.
        ``counts`` (the words' corpus counts, whole numbers) and ``settings``
        (a JSON object) are optional there: without ``counts`` the matrix's
        column sums, rounded, stand for them and ``settings["counts_from"]``
        is ``"column sums"``.  A matrix of such a file that holds only its
        upper triangle is taken for a symmetric one and mirrored.  Nothing is
        unpickled.

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
            matrix's shape, indices outside it, counts that are negative or
            not finite, or settings that are not a JSON object.
        MissingFileError
            No such file.
        """
        return _load_npz(Path(path))


_ARRAYS = ("indices", "indptr", "row", "col", "shape", "data", "vocab", "counts", "settings", "format")
_FORMAT_ARRAYS = {"csr": ("indices", "indptr"), "csc": ("indices", "indptr"), "coo": ("row", "col")}


def _load_npz(path):
    from .vocab import Vocabulary

    try:
        with open_npz(path) as z:
            arrays = {k: z[k] for k in _ARRAYS if k in z.files}
    except FileNotFoundError:
        raise MissingFileError(errno.ENOENT, "no such file", path) from None
    except NPZ_ERRORS as exc:
        raise FormatError(path, None, f"not a counts .npz file, or a damaged one ({npz_reason(exc, path)})") from None
    fmt = arrays["format"] if "format" in arrays else np.array(b"csr")
    fmt = fmt.item() if fmt.ndim == 0 and fmt.dtype.kind in "US" else repr(fmt.tolist())
    fmt = fmt.decode("ascii", "replace") if isinstance(fmt, bytes) else fmt
    if fmt not in _FORMAT_ARRAYS:
        raise FormatError(path, None, f"expected a CSR, CSC or COO matrix, found format {fmt!r}")
    missing = [k for k in (*_FORMAT_ARRAYS[fmt], "shape", "data", "vocab") if k not in arrays]
    if missing:
        raise FormatError(path, None, f"not an embkit counts file: no {', '.join(missing)} array (write it with "
                          "`embkit cooccur`, or with scipy.sparse.save_npz plus a 'vocab' array)")
    words = _words(path, arrays["vocab"])
    counts = arrays.get("counts")
    shape = tuple(int(x) for x in np.ravel(arrays["shape"])) if arrays["shape"].dtype.kind in "iu" else None
    if (counts is not None and counts.shape != (len(words),)) or shape != (len(words), len(words)):
        have = "" if counts is None else f" and {counts.size} counts"
        raise FormatError(path, None, f"the vocabulary has {len(words)} words{have} but the matrix has shape "
                          f"{shape}; expected ({len(words)}, {len(words)})")
    settings = _settings(path, arrays.get("settings"))
    m = _csr(path, fmt, arrays, shape)
    if settings.get("format") != FORMAT:          # embkit's own counts are never stored by half
        m = _mirrored_if_triangular(path, m)
    if counts is None:
        counts = np.rint(np.asarray(m.sum(axis=0), dtype=np.float64).ravel()).astype(np.int64)
        settings["counts_from"] = "column sums"
        log.info("%s has no 'counts' array: the matrix's column sums stand for the words' counts", path)
    counts = _whole_counts(path, counts)
    try:
        vocab = Vocabulary(words, counts)
    except EmbkitError as exc:
        raise FormatError(path, None, f"bad vocabulary ({exc})") from None
    return Cooccurrence(m, vocab, settings)


def _words(path, vocab):
    """The words of a ``vocab`` array: one newline-joined string, or an array of str (or UTF-8 bytes)."""
    if vocab.dtype.kind not in "US" or vocab.ndim > 1:
        raise FormatError(path, None, f"the 'vocab' array must hold text (the words), found {vocab.dtype} of "
                          f"shape {vocab.shape}")
    if vocab.dtype.kind == "S":
        try:
            vocab = np.char.decode(vocab, "utf-8")
        except UnicodeDecodeError:
            raise FormatError(path, None, "the 'vocab' array is not UTF-8 text") from None
    return str(vocab.item()).split("\n") if vocab.ndim == 0 else [str(w) for w in vocab.tolist()]


def _settings(path, value):
    """The ``settings`` member as a dict (JSON text); {} when there is none."""
    if value is None:
        return {}
    try:
        text = value.item() if value.ndim == 0 and value.dtype.kind in "US" else None
        settings = json.loads(text) if text is not None else None
    except ValueError:
        settings = None
    if not isinstance(settings, dict):
        raise FormatError(path, None, "the 'settings' array must be a JSON object as text")
    return settings


def _csr(path, fmt, arrays, shape):
    """The counts as a checked CSR matrix (integer counts become float64)."""
    from scipy import sparse

    data = arrays["data"]
    if data.dtype.kind in "iu":
        data = data.astype(np.float64)
    if fmt == "csr":
        indices, indptr = arrays["indices"], arrays["indptr"]
    else:
        try:
            if fmt == "csc":
                other = sparse.csc_matrix((data, arrays["indices"], arrays["indptr"]), shape=shape)
                other.check_format(full_check=True)        # indices in range before they are used
            else:
                other = sparse.coo_matrix((data, (arrays["row"], arrays["col"])), shape=shape)
            m = other.tocsr()
        except (ValueError, TypeError, IndexError) as exc:
            raise FormatError(path, None, f"not a {fmt.upper()} matrix of the vocabulary's size ({exc})") from None
        m.sum_duplicates()
        indices, indptr, data = m.indices, m.indptr, m.data
    _check_arrays(path, indices, indptr, data, shape[0])
    m = sparse.csr_matrix(shape, dtype=data.dtype)
    m.data, m.indices, m.indptr = data, indices, indptr
    return m


def _mirrored_if_triangular(path, m):
    """A matrix holding only entries above the diagonal, made symmetric (a symmetric matrix stored by half)."""
    from scipy import sparse

    rows = np.repeat(np.arange(m.shape[0], dtype=np.int64), np.diff(m.indptr))
    if not m.nnz or np.any(m.indices < rows) or not np.any(m.indices > rows):
        return m
    log.info("%s holds the upper triangle of a symmetric matrix; mirroring it", path)
    return (m + sparse.triu(m, k=1).T).tocsr()


def _whole_counts(path, counts):
    """The ``counts`` array as int64, refusing values that are not whole numbers >= 0."""
    if counts.dtype.kind == "f":
        if not np.all(np.isfinite(counts)) or np.any(counts != np.round(counts)):
            raise FormatError(path, None, "the 'counts' array must hold whole numbers (the words' corpus counts)")
    elif counts.dtype.kind not in "iu":
        raise FormatError(path, None, f"the 'counts' array must hold whole numbers, found {counts.dtype}")
    if len(counts) and float(counts.min()) < 0:
        raise FormatError(path, None, "negative word counts in the 'counts' array")
    return counts.astype(np.int64)


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


# ---------------------------------------------------------------- public entry points

def cooccur(corpus, output=None, window=10, weighting="harmonic", context="both", sample=0.0, dtype="float64",
            min_count=5, max_vocab_size=None, max_sentence_length=10000, tokenizer="whitespace", lowercase=False,
            encoding_errors="strict", phrases=None, terms=None, threads=None, seed=1, max_memory=None, tmp_dir=None,
            cache=True, progress=True):
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
    min_count, max_vocab_size, max_sentence_length, tokenizer, lowercase, encoding_errors, phrases, terms
        Corpus encoding, see :meth:`embkit.EncodedCorpus.encode` (``phrases``
        and ``terms`` join multi-word terms, so term vectors get counts).
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
    EmbkitError
        An ``output`` that is one of the corpus files or inside a corpus
        directory, a directory, a device, pipe or socket, or in a directory
        that does not exist (checked before counting).

    Examples
    --------
    >>> import embkit
    >>> counts = embkit.cooccur("corpus.txt", window=10, min_count=5)     # doctest: +SKIP
    >>> counts.matrix[counts.vocab["king"], counts.vocab["queen"]]        # doctest: +SKIP
    """
    from .encoded import EncodedCorpus

    p = _params.validate(_params.COOCCUR, {k: v for k, v in locals().items() if k not in ("corpus", "output")})
    inputs = corpus_paths(corpus) + _params.input_files(_params.CORPUS, p)
    if output is not None:
        check_file_output(output, inputs, what=COUNTS)          # before counting, not after
    if isinstance(corpus, EncodedCorpus):
        enc = corpus
    else:
        enc = EncodedCorpus.encode(corpus, **{k: p[k] for k in _params.CORPUS_NAMES if k in p}, cache=p["cache"],
                                   progress=p["progress"])
    runs, settings = count_runs(enc, p["window"], p["weighting"], p["context"], p["sample"], p["seed"], p["dtype"],
                                p["threads"], p["max_memory"], p["tmp_dir"], p["progress"])
    try:
        warn_if_empty(runs.nnz, settings)
        if output is not None:
            runs.write_npz(output, enc.vocab.words, enc.vocab.counts, settings, inputs)
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


__all__ = ["Cooccurrence", "cooccur", "cooccurrence_of", "warn_if_empty", "FORMAT", "FORMAT_VERSION", "SETTINGS",
           "CHUNK_TOKENS", "corpus_stats", "count_runs", "unit_weights"]
