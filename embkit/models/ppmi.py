"""PPMI-SVD: shifted positive PMI with context-distribution smoothing, factorised by truncated SVD (:class:`PPMISVD`).

As tuned by Levy, Goldberg & Dagan (2015): from co-occurrence counts
``X`` (row sums ``r``, column sums ``c``, total ``N``),

``PMI(i, j) = log(X_ij * Z / (r_i * c_j**cds))``, ``Z = sum_j c_j**cds``

(:func:`ppmi_matrix`; ``cds=1`` is plain PMI, ``log(X_ij N / (r_i c_j))``),
shifted by ``log(negative)`` and clipped at 0.  The rank-``dim`` truncated
SVD ``U S V^T`` of that sparse matrix gives the word vectors ``U S**eig``
(and context vectors ``V S**eig``).  Signs are made deterministic: each
singular vector pair is flipped so that the entry of ``U``'s column with the
largest absolute value is positive (as scikit-learn's ``svd_flip``).

The SVD is randomized (Halko, Martinsson & Tropp 2011, algorithm 4.4: a
Gaussian sketch with ``dim + max(10, dim // 10)`` columns and
:data:`POWER_ITERATIONS` power iterations, see :func:`randomized_svd`) or
scipy's ARPACK ``svds``.  The randomized method is the default: on the
benchmark corpus it reaches ARPACK's similarity scores in a fraction of its
time, because its cost is a few sparse-times-dense products run on every
core, where ARPACK needs hundreds of single-vector products on one
(``evals/RESULTS.md``, section ``count``).

References
----------
Levy, Goldberg & Dagan (2015), "Improving Distributional Similarity with
Lessons Learned from Word Embeddings", TACL 3.
Halko, Martinsson & Tropp (2011), "Finding Structure with Randomness",
SIAM Review 53(2).
"""
import logging
import math
import time

import numpy as np

from .. import _params
from .._memory import check_budget, resident_bytes
from ..exceptions import InvalidParameterError, KeyNotFoundError
from ._base import VectorEstimator
from ._counts import count_meta, counts_for
from ._training import KERNEL_LOAD_BYTES, load_numba

log = logging.getLogger(__name__)

POWER_ITERATIONS = 4
"""Power iterations of the randomized SVD."""


def ppmi_matrix(counts, cds=0.75, negative=1, dtype=np.float64):
    """The shifted positive PMI of co-occurrence counts, with context-distribution smoothing.

    Parameters
    ----------
    counts : scipy.sparse matrix, shape (n_words, n_words)
        Non-negative co-occurrence counts (rows: words, columns: contexts);
        not modified.
    cds : float
        Context counts are raised to this power (0.75; 1: no smoothing).
    negative : int
        ``log(negative)`` is subtracted from every PMI (1: no shift).
    dtype : numpy dtype
        Type of the result's values (float64 or float32; computed in float64).

    Returns
    -------
    scipy.sparse.csr_matrix, shape (n_words, n_words)
        ``max(PMI - log(negative), 0)``; only positive entries are stored,
        columns ascending.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import sparse
    >>> x = sparse.csr_matrix(np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0]], float))
    >>> np.round(ppmi_matrix(x, cds=1.0).toarray(), 4)
    array([[0.    , 0.6931, 0.6931],
           [0.6931, 0.    , 0.    ],
           [0.6931, 0.    , 0.    ]])
    """
    from scipy import sparse

    from ..kernels.sparse import ppmi_fill, ppmi_row_sizes

    x = sparse.csr_matrix(counts)                # may share the caller's arrays: never modified
    if not x.has_sorted_indices:
        x = x.sorted_indices()
    rows = np.asarray(x.sum(axis=1, dtype=np.float64)).ravel()
    cols = np.asarray(x.sum(axis=0, dtype=np.float64)).ravel()
    with np.errstate(divide="ignore"):
        log_rows = np.log(rows)
        log_cols = cds * np.log(cols)
    offset = float(np.log(np.sum(np.power(cols[cols > 0], cds))) - math.log(negative)) if cols.any() else 0.0
    sizes = np.zeros(x.shape[0], np.int64)
    ppmi_row_sizes(x.indptr, x.indices, x.data, log_rows, log_cols, offset, sizes)
    total = int(sizes.sum())
    indptr = np.zeros(x.shape[0] + 1, np.int32 if total < 2**31 else np.int64)
    np.cumsum(sizes, out=indptr[1:])
    indices = np.empty(total, x.indices.dtype)
    data = np.empty(total, dtype)
    ppmi_fill(x.indptr, x.indices, x.data, log_rows, log_cols, offset, indptr, indices, data)
    out = sparse.csr_matrix(x.shape, dtype=data.dtype)
    out.data, out.indices, out.indptr = data, indices, indptr
    return out


def svd_flip(u, vt):
    """Flip signs so that the largest-magnitude entry of each column of ``u`` is positive (in place).

    Parameters
    ----------
    u : ndarray, shape (n, k)
    vt : ndarray, shape (k, m)

    Returns
    -------
    u, vt : ndarray
        The same arrays, flipped.
    """
    signs = np.sign(u[np.argmax(np.abs(u), axis=0), np.arange(u.shape[1])])
    signs[signs == 0] = 1
    u *= signs
    vt *= signs[:, None]
    return u, vt


def randomized_svd(a, k, seed, iterations=POWER_ITERATIONS, progress=None):
    """The rank-``k`` truncated SVD of a sparse matrix by randomized subspace iteration.

    The sketch ``a @ omega`` (Gaussian ``omega`` with ``k + max(10, k // 10)``
    columns) goes through ``iterations`` power iterations, each product
    re-normalised by an LU factorisation (cheaper than QR, as
    scikit-learn's ``randomized_svd`` does); one QR gives the final basis
    ``q``, and the SVD of ``q^T a`` comes from the eigendecomposition of its
    small Gram matrix (in float64).

    Parameters
    ----------
    a : scipy.sparse.csr_matrix, shape (m, n)
    k : int
        Rank (at most ``min(m, n)``).
    seed : int
        Seed of the Gaussian sketch.
    iterations : int
        Power iterations.
    progress : tqdm, optional
        Advanced by one per sparse product.

    Returns
    -------
    u : float32 ndarray, shape (m, k)
    s : float64 ndarray, shape (k,)
    vt : float32 ndarray, shape (k, n)
        With deterministic signs (:func:`svd_flip`).
    """
    from scipy import linalg

    from ..kernels.sparse import csr_dense

    a32 = a.astype(np.float32, copy=False)
    at32 = a32.T.tocsr()
    m, n = a.shape
    width = min(k + max(10, k // 10), m, n)

    def times(mat, x):
        out = np.empty((mat.shape[0], x.shape[1]), np.float32)
        csr_dense(mat.indptr, mat.indices, mat.data, np.ascontiguousarray(x, np.float32), out)
        if progress is not None:
            progress.update(1)
        return out

    def basis(y):
        return linalg.lu(y, permute_l=True, check_finite=False)[0]

    omega = np.random.default_rng([int(seed), 0x5FD]).standard_normal((n, width)).astype(np.float32)
    q = times(a32, omega)
    for _ in range(iterations):
        q = times(a32, basis(times(at32, basis(q))))
    q = np.linalg.qr(q)[0]
    bt = times(at32, q).astype(np.float64)                 # (n, width) = (q^T a)^T
    evals, ub = np.linalg.eigh(bt.T @ bt)
    order = np.argsort(-evals)[:k]
    s = np.sqrt(np.maximum(evals[order], 0.0))
    ub = ub[:, order]
    u = q.astype(np.float64) @ ub
    with np.errstate(divide="ignore", invalid="ignore"):
        vt = ((bt @ ub) / np.where(s > 0, s, 1.0)).T
    u, vt = svd_flip(u, vt)
    return u.astype(np.float32), s, vt.astype(np.float32)


def arpack_svd(a, k, seed):
    """The rank-``k`` truncated SVD by scipy's ARPACK ``svds`` (largest first, deterministic signs).

    Parameters
    ----------
    a : scipy.sparse.csr_matrix, shape (m, n)
    k : int
        Rank (below ``min(m, n)``).
    seed : int
        Seed of the starting vector.

    Returns
    -------
    u : float32 ndarray, shape (m, k)
    s : float64 ndarray, shape (k,)
    vt : float32 ndarray, shape (k, n)
    """
    from scipy.sparse.linalg import svds

    v0 = np.random.default_rng([int(seed), 0xA9]).uniform(-1, 1, min(a.shape))
    u, s, vt = svds(a, k=k, v0=v0, solver="arpack")
    order = np.argsort(-s)
    u, vt = svd_flip(u[:, order], vt[order])
    return u.astype(np.float32), s[order], vt.astype(np.float32)


class PPMISVD(VectorEstimator):
    """Word vectors from the truncated SVD of the shifted PPMI matrix (Levy, Goldberg & Dagan 2015).

    See the module docstring for the formulas.  Counts are computed from the
    corpus (cached) or given (:meth:`fit` takes a
    :class:`~embkit.corpus.cooccur.Cooccurrence`).  The result does not
    depend on the number of threads; it is reproducible with a seed.

    Parameters
    ----------
    dim : int
        Rank of the SVD, the vector dimensionality (300; below the vocabulary size).
    window : int
        Maximum distance of a context word (2).
    weighting : {"harmonic", "uniform", "dynamic"}
        Weight at distance ``d`` (uniform 1).
    context : {"both", "left", "right"}
        Sides counted.
    sample : float
        Subsampling threshold before counting (0: off).
    cds : float
        Context-distribution smoothing exponent (0.75; 1: none).
    negative : int
        The shift ``log(negative)`` (1: none).
    eig : float
        Eigenvalue weighting: vectors are ``U S**eig`` (0.5; 0 and 1 are the other usual choices).
    vectors : {"w", "w+c"}
        Output the word vectors ``U S**eig`` or their sum with the context
        vectors ``V S**eig``.
    svd : {"randomized", "arpack"}
        How the truncated SVD is computed (see the module docstring).
    min_count, max_vocab_size, max_sentence_length, tokenizer, lowercase, encoding_errors, phrases, terms
        Corpus encoding, see :meth:`embkit.EncodedCorpus.encode`.
    threads : int, optional
        Threads for counting and the sparse products (default: all cores).
    seed : int
        Seed of the SVD's random start (and of subsampling).
    max_memory : int or str, optional
        Memory for counting (rows beyond it spill to ``tmp_dir``); the SVD
        fails before allocating when it would need more.
    tmp_dir : str or os.PathLike, optional
        Where counted rows spill (default ``$EMBKIT_CACHE/tmp``).
    cache : bool
        Reuse and store the encoded corpus and the counts.
    progress : bool
        Show progress bars.

    Attributes
    ----------
    wv : KeyedVectors
        The vectors with the corpus counts, the context vectors and ``meta``.
    ppmi_ : scipy.sparse.csr_matrix of float32, shape (n_words, n_words)
        The explicit PPMI vectors (rows), see :meth:`explicit_similarity`.
    singular_values_ : float64 ndarray, shape (dim,)
    cooccurrence_ : Cooccurrence
        The counts.
    """

    _param_table = _params.PPMI
    _param_notes = {"shift": "negative (the shift is log(negative))", "alpha": "cds (the smoothing exponent)",
                    "epochs": "not needed: the SVD is computed, not trained"}
    model_name = "ppmi-svd"

    def fit(self, corpus):
        """Count (or take the counts), build the PPMI matrix and factorise it.

        Parameters
        ----------
        corpus : str, os.PathLike, sequence of them, iterable of token lists, EncodedCorpus, or Cooccurrence
            Text files or sentences (counted with this model's settings), or counts.

        Returns
        -------
        self

        Raises
        ------
        InvalidParameterError
            A parameter outside its range, or ``dim`` not below the vocabulary size.
        CorpusError
            Unreadable corpora, or counts with no pair.
        MemoryBudgetError
            The SVD would need more than ``max_memory`` or what is available.
        """
        from .._numba import numba_threads, resolve_threads
        from .._progress import progress_bar
        from ..vectors import KeyedVectors

        started = time.perf_counter()
        p = self.check_params()
        cooc, source = counts_for(self, corpus, p)
        n_words, dim = len(cooc), p["dim"]
        if dim >= n_words:
            raise InvalidParameterError(f"dim ({dim}) must be below the vocabulary size ({n_words} words): the "
                                        "SVD has at most that many components; lower --dim or --min-count "
                                        "(dim=, min_count= in Python)",
                                        param="dim")
        load_numba()
        p["threads"] = threads = resolve_threads(p["threads"])
        with numba_threads(threads):
            self.ppmi_ = ppmi_matrix(cooc.matrix, p["cds"], p["negative"], np.float32)
        self._check_memory(n_words, dim, self.ppmi_.nnz, p)
        log.info("ppmi-svd: PPMI matrix of %d words with %d positive entries; SVD of rank %d (%s)", n_words,
                 self.ppmi_.nnz, dim, p["svd"])
        svd_started = time.perf_counter()
        with numba_threads(threads):
            if p["svd"] == "arpack":
                u, s, vt = arpack_svd(self.ppmi_, dim, p["seed"])
            else:
                bar = progress_bar(p["progress"], total=2 + 2 * POWER_ITERATIONS, desc="ppmi-svd: SVD",
                                   unit=" products")
                try:
                    u, s, vt = randomized_svd(self.ppmi_, dim, p["seed"], POWER_ITERATIONS, progress=bar)
                finally:
                    if bar is not None:
                        bar.close()
        weight = np.power(s, p["eig"]).astype(np.float32)
        w = u * weight
        c = vt.T * weight
        vectors = w + c if p["vectors"] == "w+c" else w
        self.singular_values_ = s
        self.cooccurrence_ = cooc
        meta = count_meta(self.model_name, self._param_table, {**p, "epochs": 1}, source, [],
                          time.perf_counter() - started, cooc)
        meta["svd"] = {"method": p["svd"], "seconds": round(time.perf_counter() - svd_started, 3),
                       "ppmi_nnz": int(self.ppmi_.nnz), "largest_singular_values": [float(x) for x in s[:5]]}
        self.wv = KeyedVectors(cooc.words, vectors, counts=cooc.counts, context=c, meta=meta)
        return self

    def _check_memory(self, n_words, dim, nnz, p):
        held = resident_bytes() or 0
        width = dim + max(10, dim // 10)
        check_budget({"runtime (Python, NumPy, Numba), counts, PPMI": held + KERNEL_LOAD_BYTES,
                      "float32 PPMI and its transpose": 16 * nnz, "SVD work": 6 * 8 * n_words * width},
                     p["max_memory"], what="the SVD", already=held)

    def explicit_similarity(self, word1, word2):
        """Cosine similarity of two words' explicit (sparse PPMI) vectors.

        Parameters
        ----------
        word1, word2 : str

        Returns
        -------
        float
            In [0, 1] (PPMI vectors are non-negative); 0 when either row is empty.

        Raises
        ------
        KeyNotFoundError
            A word not in the vocabulary.
        """
        a, b = self._explicit_row(word1), self._explicit_row(word2)
        return float(a.multiply(b).sum())

    def explicit_most_similar(self, word, topn=10):
        """The words whose explicit (sparse PPMI) vectors are closest to ``word``'s by cosine.

        Parameters
        ----------
        word : str
        topn : int
            How many.

        Returns
        -------
        list of (str, float)
            Most similar first, ``word`` itself left out.

        Raises
        ------
        KeyNotFoundError
            A word not in the vocabulary.
        """
        norm = self._normalised()
        row = self._explicit_row(word)
        scores = np.asarray((norm @ row.T).todense()).ravel()
        i = self.wv.key_to_index[word]
        scores[i] = -np.inf
        top = np.argsort(-scores, kind="stable")[:topn]
        return [(self.wv.index_to_key[j], float(scores[j])) for j in top if np.isfinite(scores[j])]

    def _normalised(self):
        norm = getattr(self, "_ppmi_unit", None)
        if norm is None:
            from scipy import sparse
            lengths = np.sqrt(np.asarray(self.ppmi_.multiply(self.ppmi_).sum(axis=1)).ravel())
            lengths[lengths == 0] = 1.0
            norm = self._ppmi_unit = sparse.diags(1.0 / lengths) @ self.ppmi_
        return norm.tocsr()

    def _explicit_row(self, word):
        i = self.wv.key_to_index.get(word)
        if i is None:
            raise KeyNotFoundError(word, len(self.wv))
        return self._normalised()[i]


def warmup():
    """Compile the sparse-product kernel (or load it from Numba's cache) on a tiny matrix."""
    from ..corpus.encoded import EncodedCorpus

    enc = EncodedCorpus.encode([["a", "b", "c", "d", "e", "a"], ["b", "c", "d"]] * 4, min_count=1, cache=False,
                               progress=False)
    PPMISVD(dim=2, window=2, min_count=1, threads=1, progress=False, cache=False).fit(enc)


__all__ = ["PPMISVD", "ppmi_matrix", "randomized_svd", "arpack_svd", "svd_flip", "warmup"]
