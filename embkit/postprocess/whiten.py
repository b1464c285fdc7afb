"""Whitening and related post-processing of word vectors: Zipfian and uniform whitening, centring, ABTT.

Every method is an affine map ``x -> (x - mu) @ A`` applied to each row and
returns a new :class:`~embkit.vectors.KeyedVectors` (the input is not
changed):

``zipfian`` (Yokoi et al. 2024)
    ``mu = sum_w p(w) w`` and ``C = sum_w p(w) (w - mu)(w - mu)^T`` with the
    word probabilities ``p`` (see :mod:`embkit.postprocess.frequencies`);
    ``A = V diag(1 / sqrt(lambda + eps * lambda_max))`` from the
    eigendecomposition ``C = V diag(lambda) V^T`` (eigenvalues in decreasing
    order). The eigenvectors of ``C`` are the right singular vectors of
    ``sqrt(p) * (W - mu)``, so this is the SVD recipe of the paper computed
    from the d x d covariance (in float64). The output's p-weighted mean is
    0 and its p-weighted covariance is the identity (up to ``eps``).
``uniform``
    The same with ``p(w) = 1 / n_words`` (classic PCA whitening).
``center``
    ``x - mean`` with the plain (uniform) mean; ``A`` is the identity.
``abtt`` (all-but-the-top, Mu & Viswanath 2018)
    Remove the plain mean and the projections on the top ``remove``
    principal components of the centred vectors:
    ``A = I - U U^T`` (default ``remove`` = dim // 100, at least 1).

``min_count`` fits the mean and covariance (of every method) on the words
the model saw at least ``min_count`` times, by its stored counts; every
word is still transformed. Vectors of rare words come from few updates and
their counts are noisy; the paper's experiments fit on a frequency list of
words seen at least 200 times in Wikipedia. Default: every word.

``keep`` (zipfian and uniform) keeps the top ``keep`` whitened components,
so the output has ``keep`` dimensions. Whitened vectors are expressed in the
principal axes (PCA whitening); a rotation back (ZCA) would change no cosine
or norm. Eigenvector signs are fixed (largest entry positive) so the output
does not depend on the LAPACK build.

Near-singular covariances: ``eps`` (default ``1e-6``) is added to every
eigenvalue in units of the largest one, so a direction of (near) zero
variance is scaled by at most ``1 / sqrt(eps * lambda_max)`` instead of
blowing up, and an exactly singular covariance (fewer words than
dimensions, constant coordinates) gives finite vectors. The whitened
covariance is ``lambda / (lambda + eps * lambda_max)`` per direction: 1 up
to about ``eps`` relative to that direction's share. A vocabulary of ``n``
words with ``n <= dim`` has a covariance of rank at most ``n - 1``: the
directions it lacks are dropped (mapped to 0), with a warning, rather than
stretched; with ``eps=0`` so are directions whose eigenvalue is below
``NULL_TOL`` (1e-12) of the largest. For zipfian and uniform whitening a
``min_count`` leaving fewer than ``FIT_WORDS_MIN_PER_DIM`` (2) words a
dimension is an error (fit on more) and fewer than ``FIT_WORDS_PER_DIM``
(10) a warning; abtt needs more fitted words than the components it
removes.

References
----------
Yokoi, S., Bao, H., Kurita, H., Shimodaira, H. (2024). Zipfian Whitening.
NeurIPS 2024 (Algorithm 1).

Mu, J., Viswanath, P. (2018). All-but-the-Top: Simple and Effective
Postprocessing for Word Representations. ICLR 2018 (Algorithm 1).
"""
import logging

import numpy as np

from ..exceptions import InvalidDataError, InvalidParameterError, ParameterTypeError
from ..vectors import KeyedVectors
from .frequencies import NoCountsError, probabilities_with_info
from .rows import NGRAM_ATTRIBUTES, apply_affine, map_rows

__all__ = ["METHODS", "DEFAULT_EPS", "NGRAM_ATTRIBUTES", "whiten", "weighted_moments", "whitening_transform",
           "abtt_transform", "apply_affine"]

log = logging.getLogger(__name__)

METHODS = ("zipfian", "uniform", "center", "abtt")
DEFAULT_EPS = 1e-6
FIT_WORDS_PER_DIM = 10   # min_count leaving fewer words than this a dimension: a warning (poorly estimated)
FIT_WORDS_MIN_PER_DIM = 2   # ... fewer than this a dimension: an error (51 words in 50-D collapsed every vector)
NULL_TOL = 1e-12      # with eps=0: eigenvalues below this share of the largest are rounding noise of a zero
_CHUNK_ROWS = 1 << 15


def _rows(matrix):
    """(start, float64 block) over ``matrix`` in chunks, so temporaries stay small."""
    for start in range(0, matrix.shape[0], _CHUNK_ROWS):
        yield start, np.asarray(matrix[start:start + _CHUNK_ROWS], dtype=np.float64)


def weighted_moments(vectors, weights=None):
    """Weighted mean and covariance of the rows of ``vectors``.

    Parameters
    ----------
    vectors : array_like, shape (n, d)
    weights : array_like, shape (n,), optional
        Non-negative weights (normalised here to sum to 1); None is uniform.

    Returns
    -------
    mean : numpy.ndarray of float64, shape (d,)
        ``sum_i p_i x_i``.
    cov : numpy.ndarray of float64, shape (d, d)
        ``sum_i p_i (x_i - mean)(x_i - mean)^T`` (the population covariance
        under ``p``, no n - 1 correction).

    Examples
    --------
    >>> m, c = weighted_moments([[0.0, 0.0], [2.0, 4.0]], [3, 1])
    >>> m.tolist(), c.tolist()
    ([0.5, 1.0], [[0.75, 1.5], [1.5, 3.0]])
    """
    if not hasattr(vectors, "shape") or getattr(vectors, "ndim", 0) != 2:
        vectors = np.asarray(vectors, dtype=np.float64)
    n, d = vectors.shape
    if n == 0:
        raise InvalidDataError("no vectors: the mean and covariance of 0 rows are undefined")
    p = np.full(n, 1.0 / n) if weights is None else np.asarray(weights, dtype=np.float64)
    if p.shape != (n,) or not np.all(np.isfinite(p)) or p.min() < 0 or not p.sum() > 0:
        raise InvalidDataError(f"weights must be {n} finite non-negative numbers with a positive sum")
    p = p / p.sum()
    sqrt_p = np.sqrt(p)
    # one pass, shifted by the first rows' weighted mean K (the "shifted data" algorithm): with K near
    # the mean, cov = S_K - m_K m_K^T loses nothing to cancellation, and S_K is a symmetric rank-k update
    shift = None
    first = np.zeros(d)
    second = np.zeros((d, d))
    for start, block in _rows(vectors):
        w = p[start:start + len(block)]
        if shift is None:
            shift = (w @ block) / w.sum() if w.sum() > 0 else block.mean(axis=0)
        block -= shift
        first += w @ block
        block *= sqrt_p[start:start + len(block), None]
        second += block.T @ block
    cov = second - np.outer(first, first)
    return shift + first, (cov + cov.T) / 2


def _eigh_desc(cov):
    """Eigenvalues (decreasing, clipped at 0) and eigenvectors with their largest entry positive."""
    lam, vec = np.linalg.eigh(cov)
    lam, vec = np.maximum(lam[::-1], 0.0), vec[:, ::-1]
    signs = np.sign(vec[np.argmax(np.abs(vec), axis=0), np.arange(vec.shape[1])])
    signs[signs == 0] = 1.0
    return lam, vec * signs


def whitening_transform(cov, keep=None, eps=DEFAULT_EPS, rank=None):
    """The whitening matrix of a covariance: ``A = V[:, :keep] / sqrt(lambda + eps * lambda_max)``.

    Parameters
    ----------
    cov : array_like, shape (d, d)
        Symmetric positive semi-definite.
    keep : int, optional
        Number of leading components kept (default all ``d``).
    eps : float
        Regularisation added to every eigenvalue, in units of the largest.
    rank : int, optional
        The covariance's rank when it is known to be below ``d`` (a fit on
        ``n <= d`` vectors has rank at most ``n - 1``): the directions past
        it carry no variance and get zero columns, instead of being
        stretched by ``1 / sqrt(eps * lambda_max)``.

    Returns
    -------
    A : numpy.ndarray of float64, shape (d, keep)
        ``A^T cov A`` is the identity up to ``eps`` (on the first ``rank``
        directions). With ``eps=0`` a direction of zero variance (an
        eigenvalue below ``NULL_TOL`` times the largest) gets a zero column
        (a pseudo-inverse) rather than an infinite one.
    eigenvalues : numpy.ndarray of float64, shape (d,)
        Of ``cov``, in decreasing order.

    Raises
    ------
    EmbkitError
        When the covariance is zero (all vectors equal).
    """
    cov = np.asarray(cov, dtype=np.float64)
    lam, vec = _eigh_desc(cov)
    if not lam[0] > 0:
        raise InvalidDataError("the covariance is zero (every vector is the same): there is nothing to whiten")
    keep = len(lam) if keep is None else int(keep)
    reg = lam[:keep] + eps * lam[0]
    null = lam[:keep] <= NULL_TOL * lam[0] if eps == 0 else np.zeros(keep, dtype=bool)
    if rank is not None:
        null[int(rank):] = True
    scale = np.zeros(keep)
    np.divide(1.0, np.sqrt(reg), out=scale, where=~null & (reg > 0))   # null directions map to 0
    return vec[:, :keep] * scale, lam


def abtt_transform(cov, remove):
    """``I - U U^T`` for the top ``remove`` eigenvectors ``U`` of a covariance (all-but-the-top).

    Parameters
    ----------
    cov : array_like, shape (d, d)
    remove : int
        Number of leading principal components projected out.

    Returns
    -------
    A : numpy.ndarray of float64, shape (d, d)
    eigenvalues : numpy.ndarray of float64, shape (d,)
        Of ``cov``, in decreasing order.
    """
    lam, vec = _eigh_desc(np.asarray(cov, dtype=np.float64))
    top = vec[:, :int(remove)]
    return np.eye(len(lam)) - top @ top.T, lam


def _check(kv, method, remove, keep, eps, min_count):
    if not isinstance(kv, KeyedVectors):
        raise ParameterTypeError(f"whiten() needs a KeyedVectors, got {type(kv).__name__}")
    if method not in METHODS:
        raise InvalidParameterError(f"unknown whitening method {method!r}; expected one of "
                                    f"{', '.join(METHODS)}", param="method")
    if len(kv) < 2:
        raise InvalidDataError(f"whitening needs at least 2 vectors, got {len(kv)}")
    dim = kv.dim
    if remove is not None and method != "abtt":
        raise InvalidParameterError(f"remove applies to method 'abtt' only, not {method!r}", param="remove")
    if keep is not None and method not in ("zipfian", "uniform"):
        raise InvalidParameterError(f"keep applies to methods 'zipfian' and 'uniform' only, not {method!r}",
                                    param="keep")
    if keep is not None and not 1 <= int(keep) <= dim:
        raise InvalidParameterError(f"keep must be between 1 and the dimension {dim}, got {keep}", param="keep")
    if remove is not None and not 1 <= int(remove) < dim:
        raise InvalidParameterError(f"remove must be between 1 and {dim - 1} (the dimension minus 1), "
                                    f"got {remove}", param="remove")
    if not (isinstance(eps, (int, float, np.floating)) and 0 <= float(eps) < 1):
        raise InvalidParameterError(f"eps must be a number in [0, 1), got {eps!r}", param="eps")
    if min_count is not None and (isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer))
                                  or min_count < 1):
        raise InvalidParameterError(f"min_count must be a positive integer, got {min_count!r}", param="min_count")


def _fit_mask(kv, min_count):
    """Boolean row mask of the words the moments are fitted on (None: every word)."""
    if min_count is None:
        return None
    if kv.counts is None:
        raise NoCountsError(f"min_count={min_count} needs the model's word counts, and these vectors carry none "
                            "(word2vec files): leave min_count out")
    mask = np.asarray(kv.counts) >= min_count
    kept = int(mask.sum())
    if kept < 2:
        raise InvalidDataError(f"min_count={min_count} (--min-count) leaves {kept} word(s) to fit on (the most "
                               f"frequent word was seen {int(np.max(kv.counts))} times); at least 2 are needed: "
                               "lower min_count")
    return mask


def _fit_set(kv, method, p, mask, min_count, keep, remove, record):
    """The weights of the words the moments are fitted on, and the covariance's rank when below the dimension.

    ``min_count`` (``mask``) and frequencies of 0 leave words out; too few
    left for the method is an error, few a warning. ``remove`` is abtt's
    (already defaulted). ``record`` gets ``min_count`` and ``fit_words``.
    """
    if mask is not None:
        p = mask.astype(np.float64) if p is None else np.where(mask, p, 0.0)
        record["min_count"] = int(min_count)
        if not p.sum() > 0:
            raise InvalidDataError(f"the {int(mask.sum())} words seen at least {min_count} times all have "
                                   f"frequency 0 in {record['freq'].get('source', 'the frequencies')}: nothing to "
                                   "fit on (lower min_count or check the frequencies)")
    fitted = len(kv) if p is None else int(np.count_nonzero(p))
    if fitted < 2:
        why = (f"of the {int(mask.sum())} words seen at least {min_count} times, " if mask is not None else "")
        raise InvalidDataError(f"{why}only {fitted} word has a frequency above 0 in "
                               f"{record.get('freq', {}).get('source', 'the frequencies')}: at least 2 are needed")
    # what left words out of the fit: min_count, and frequencies of 0 (a --freq file)
    causes = [f"min_count={min_count} (--min-count)"] if mask is not None else []
    if fitted < (int(mask.sum()) if mask is not None else len(kv)):
        causes.append(f"the zero frequencies in {record.get('freq', {}).get('source', 'the frequencies')} (--freq)")
    if causes:
        record["fit_words"] = fitted
    leaves = f"{' and '.join(causes)} leave{'' if len(causes) > 1 else 's'} {fitted} word(s)"
    whitening = method in ("zipfian", "uniform")
    dims = int(keep) if keep else kv.dim          # the directions whitening scales
    if causes and whitening and fitted < FIT_WORDS_MIN_PER_DIM * dims:
        raise InvalidDataError(f"{leaves} to fit on for {dims} whitened dimensions, fewer than "
                               f"{FIT_WORDS_MIN_PER_DIM} a dimension: the whitened vectors would collapse onto a few "
                               "directions; fit on more words")
    if causes and method == "abtt" and fitted <= remove:
        raise InvalidDataError(f"{leaves} to fit on: all-but-the-top needs more words than the {remove} "
                               "component(s) it removes; fit on more words")
    rank = fitted - 1 if fitted <= kv.dim else None      # fewer words than dimensions: a singular covariance
    lacks = rank is not None and rank < dims              # kept directions without variance
    if whitening and (lacks or (causes and fitted < FIT_WORDS_PER_DIM * dims)):
        lacking = (f"; the covariance has rank at most {rank}, and the directions it lacks are set to 0"
                   if lacks else "")
        advice = ""
        if causes:
            advice = " (fit on more words" + ("" if keep else ", or keep fewer dimensions (--keep)") + ")"
        log.warning("the mean and covariance are fitted on %d word(s) for %d whitened dimensions, fewer than %d a "
                    "dimension: the weakest directions are poorly estimated and whitening stretches them%s%s",
                    fitted, dims, FIT_WORDS_PER_DIM, lacking, advice)
    return p, rank


def _map(kv, method, freq, remove, keep, eps, min_count):
    """(mean, transform or None, record) of the affine map of ``method``."""
    vectors = kv.vectors
    record = {"method": method}
    mask = _fit_mask(kv, min_count)
    if method == "zipfian":
        p, info = probabilities_with_info(kv, freq)
        record["freq"] = {k: v for k, v in info.items() if isinstance(v, (str, int, float))}
    else:
        p = None
    if method == "abtt":
        remove = max(1, kv.dim // 100) if remove is None else int(remove)
    p, rank = _fit_set(kv, method, p, mask, min_count, keep, remove, record)
    mean, cov = weighted_moments(vectors, p)
    if method in ("zipfian", "uniform"):
        transform, lam = whitening_transform(cov, keep, eps, rank)
        record.update(eps=float(eps), keep=None if keep is None else int(keep))
        cond = lam[-1] / lam[0]
        if cond < eps and rank is None:
            log.info("near-singular covariance (smallest/largest eigenvalue %.3g < eps %g): the weakest "
                     "directions are damped by eps", cond, eps)
    elif method == "center":
        transform = None
    else:
        transform, _ = abtt_transform(cov, remove)
        record["remove"] = remove
    return mean, transform, record


def whiten(kv, method="zipfian", freq="model", remove=None, keep=None, eps=DEFAULT_EPS, min_count=None):
    """Whiten, centre or apply all-but-the-top to word vectors.

    Parameters
    ----------
    kv : KeyedVectors
        Any vectors (memory-mapped ones are read in chunks).
    method : {"zipfian", "uniform", "center", "abtt"}
        See the module notes. Only ``zipfian`` uses ``freq``.
    freq : {"model", "zipf"}, str, os.PathLike or array_like
        Word probabilities for ``zipfian``: the model's counts, Zipf's law
        from the row order, a frequency file, or weights per row (see
        :mod:`embkit.postprocess.frequencies`).
    remove : int, optional
        ``abtt``: principal components removed (default dim // 100, at least
        1; between 1 and dim - 1).
    keep : int, optional
        ``zipfian`` and ``uniform``: keep the top ``keep`` whitened
        components (1 to dim); default all.
    eps : float
        Regularisation of near-singular covariances, relative to the largest
        eigenvalue (see the module notes); 0 disables it.
    min_count : int, optional
        Fit the mean and covariance on the words whose stored count is at
        least this (every method; all words are transformed); default every
        word. For ``zipfian`` the left-out words' probabilities are dropped
        and the rest renormalised.

    Returns
    -------
    KeyedVectors
        Same keys and counts; float32 vectors of shape (n_words, keep or
        dim). The context matrix is dropped (the map applies to word vectors
        only). ``meta`` is the input's plus a ``postprocess`` list recording
        this step. A subword model (one with an n-gram matrix in an attribute
        named in ``NGRAM_ATTRIBUTES``) comes back as a copy of its class
        whose n-gram rows went through the same affine map, so vectors built
        for unseen words (averages of n-gram rows) stay consistent with the
        whitened words; the mean and covariance come from the word rows.

    Raises
    ------
    InvalidParameterError
        An unknown method, ``remove``/``keep`` with a method that does not
        use them or out of range, ``eps`` outside [0, 1), or ``min_count``
        not a positive integer.
    NoCountsError
        ``method="zipfian"`` with ``freq="model"``, or ``min_count``, on
        vectors without counts (word2vec files): use a frequency file or
        ``"zipf"``, and no ``min_count``.
    EmbkitError
        Fewer than 2 vectors (or fewer than 2 words seen ``min_count``
        times), all vectors equal, or a frequency file that covers less than
        half of the vocabulary.

    Examples
    --------
    >>> import numpy as np
    >>> from embkit import KeyedVectors
    >>> kv = KeyedVectors(["a", "b", "c"], [[1.0, 0.0], [0.0, 2.0], [1.0, 2.0]], counts=[2, 1, 1])
    >>> w = whiten(kv, eps=0)
    >>> p = np.array([0.5, 0.25, 0.25])
    >>> np.allclose(p @ w.vectors, 0, atol=1e-6)
    True
    >>> np.allclose((w.vectors * p[:, None]).T @ w.vectors, np.eye(2), atol=1e-5)
    True
    """
    _check(kv, method, remove, keep, eps, min_count)
    mean, transform, record = _map(kv, method, freq, remove, keep, eps, min_count)
    record["input_dim"] = kv.dim
    meta = dict(kv.meta)
    meta["postprocess"] = list(meta.get("postprocess") or []) + [record]
    return map_rows(kv, mean, transform, meta)
