"""Word vectors with look-up and cosine-similarity queries.

:class:`KeyedVectors` holds one row per word (key): the input vectors, and
optionally the corpus counts and the output ("context") matrix of the model
that produced them.

>>> import numpy as np
>>> kv = KeyedVectors(["a", "b"], np.array([[1.0, 0.0], [0.6, 0.8]]))
>>> round(kv.similarity("a", "b"), 6)
0.6
>>> kv.most_similar("a", topn=1)[0][0]
'b'
"""
import numpy as np

from . import formats
from .exceptions import EmbkitError

__all__ = ["KeyedVectors", "KeyNotFoundError"]

# Rows processed at once when normalising, so temporaries stay small.
_CHUNK_ROWS = 1 << 16


class KeyNotFoundError(EmbkitError, KeyError):
    """A key asked for is not in the vocabulary.

    A :class:`KeyError` (so ``except KeyError`` works) and an
    :class:`~embkit.exceptions.EmbkitError` (so the command line reports it
    on one line). ``key`` holds the missing key.
    """

    def __init__(self, key, n_words):
        self.key = key
        self.message = f"{key!r} is not in the vocabulary ({n_words} words)"
        super().__init__(self.message)

    def __str__(self):
        return self.message


def _as_matrix(name, matrix):
    """float32 2-D array; a memmap of float32 is kept as it is."""
    if isinstance(matrix, np.memmap) and matrix.dtype == np.float32:
        out = matrix
    else:
        out = np.ascontiguousarray(matrix, dtype=np.float32)
    if out.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_words, dim), got shape {out.shape}")
    return out


def _unit_rows(matrix):
    """Rows of ``matrix`` scaled to length 1 (float32).

    Norms are taken in float64 so large values do not overflow; rows whose
    norm is zero or not finite become zero rows, so no NaN can come out.
    """
    out = np.empty(matrix.shape, dtype=np.float32)
    for start in range(0, matrix.shape[0], _CHUNK_ROWS):
        block = np.asarray(matrix[start:start + _CHUNK_ROWS], dtype=np.float64)
        with np.errstate(all="ignore"):
            norms = np.sqrt(np.einsum("ij,ij->i", block, block))
            ok = np.isfinite(norms) & (norms > 0)
            block /= np.where(ok, norms, 1.0)[:, None]
        block[~ok] = 0.0
        out[start:start + _CHUNK_ROWS] = block
    return out


def _unit(vector):
    """``vector`` scaled to length 1 (float64); a zero vector stays zero."""
    vector = np.asarray(vector, dtype=np.float64)
    norm = np.linalg.norm(vector)
    if not np.isfinite(norm) or norm == 0:
        return np.zeros_like(vector)
    return vector / norm


def _cosine(x):
    """A float cosine clipped to [-1, 1] (rounding can step just outside)."""
    return float(min(1.0, max(-1.0, float(x))))


class KeyedVectors:
    """Vectors of a vocabulary, one row per key.

    Parameters
    ----------
    keys : iterable of str
        The words, in row order; must be unique.
    vectors : array_like, shape (n_words, dim)
        The word vectors. Stored as C-contiguous float32; a float32
        :class:`numpy.memmap` is kept as it is (not copied).
    counts : array_like of int, shape (n_words,), optional
        Corpus frequency of every word; stored as int64.
    context : array_like, shape (n_words, dim), optional
        The output (context) matrix of the model, e.g. word2vec's negative
        sampling weights; stored like ``vectors``.
    meta : dict, optional
        Free-form metadata (training parameters, corpus statistics, ...);
        saved in the native format's ``meta.json``.

    Attributes
    ----------
    index_to_key : list of str
        Key of every row.
    key_to_index : dict of str to int
        Row of every key.
    vectors : numpy.ndarray of float32, shape (n_words, dim)
    counts : numpy.ndarray of int64, shape (n_words,), or None
    context : numpy.ndarray of float32, shape (n_words, dim), or None
    meta : dict

    Raises
    ------
    ValueError
        When a key occurs twice (the message names it), the number of keys
        differs from the number of rows, or a shape is wrong.
    TypeError
        When a key is not a str.

    Notes
    -----
    :attr:`unit_vectors` is computed on first use and cached. Assigning
    ``kv.vectors = ...`` clears the cache; after changing ``kv.vectors`` in
    place, assign it again (``kv.vectors = kv.vectors``) to refresh it.
    """

    def __init__(self, keys, vectors, counts=None, context=None, meta=None):
        keys = list(keys)
        key_to_index = {}
        for i, key in enumerate(keys):
            if not isinstance(key, str):
                raise TypeError(f"keys must be str, got {type(key).__name__} {key!r} at row {i}")
            if key in key_to_index:
                raise ValueError(f"duplicate key {key!r} at rows {key_to_index[key]} and {i}")
            key_to_index[key] = i
        self.index_to_key = keys
        self.key_to_index = key_to_index
        self._vectors = None
        self._unit = None
        self.vectors = vectors
        if counts is not None:
            counts = np.asarray(counts)
            if counts.shape != (len(keys),):
                raise ValueError(f"counts must have shape ({len(keys)},), got {counts.shape}")
            if counts.size and not np.issubdtype(counts.dtype, np.integer):
                if not np.array_equal(counts, np.round(counts)):
                    raise ValueError("counts must be whole numbers")
            counts = np.ascontiguousarray(counts, dtype=np.int64)
            if counts.size and counts.min() < 0:
                raise ValueError("counts must not be negative")
        self.counts = counts
        if context is not None:
            context = _as_matrix("context", context)
            if context.shape != self._vectors.shape:
                raise ValueError(f"context must have the shape of vectors {self._vectors.shape}, "
                                 f"got {context.shape}")
        self.context = context
        self.meta = dict(meta) if meta else {}

    # -- storage -------------------------------------------------------------

    @property
    def vectors(self):
        """numpy.ndarray of float32, shape (n_words, dim): the word vectors.

        Setting it validates the shape and clears :attr:`unit_vectors`.
        """
        return self._vectors

    @vectors.setter
    def vectors(self, value):
        value = _as_matrix("vectors", value)
        if value.shape[0] != len(self.index_to_key):
            raise ValueError(f"{len(self.index_to_key)} keys but {value.shape[0]} vector rows")
        self._vectors = value
        self._unit = None

    @property
    def unit_vectors(self):
        """numpy.ndarray of float32, shape (n_words, dim): rows scaled to length 1.

        Computed on first access and cached. Rows of zero (or non-finite)
        norm are zero rows, never NaN.
        """
        if self._unit is None:
            self._unit = _unit_rows(self._vectors)
        return self._unit

    @property
    def dim(self):
        """int: number of dimensions of each vector."""
        return int(self._vectors.shape[1])

    @property
    def vector_size(self):
        """int: alias of :attr:`dim`."""
        return self.dim

    def __len__(self):
        return len(self.index_to_key)

    def __contains__(self, key):
        try:
            return key in self.key_to_index
        except TypeError:  # unhashable
            return False

    def __iter__(self):
        return iter(self.index_to_key)

    def __repr__(self):
        extra = "".join([", counts" if self.counts is not None else "",
                         ", context" if self.context is not None else ""])
        return f"KeyedVectors(n_words={len(self)}, dim={self.dim}{extra})"

    def get_index(self, key):
        """Row of ``key``.

        Parameters
        ----------
        key : str

        Returns
        -------
        int

        Raises
        ------
        KeyNotFoundError
            (a KeyError) when ``key`` is not in the vocabulary.
        """
        try:
            return self.key_to_index[key]
        except (KeyError, TypeError):
            raise KeyNotFoundError(key, len(self)) from None

    def __getitem__(self, key):
        """Vector of one key, or the vectors of a list/tuple of keys.

        Parameters
        ----------
        key : str or list of str or tuple of str

        Returns
        -------
        numpy.ndarray of float32
            Shape (dim,) for one key (a view of the row), (len(key), dim) for
            a list or tuple (a copy).

        Raises
        ------
        KeyNotFoundError
            (a KeyError) naming the first unknown key.
        """
        if isinstance(key, (list, tuple)):
            rows = [self.get_index(k) for k in key]
            return self._vectors[np.asarray(rows, dtype=np.int64)].reshape(len(rows), self.dim)
        return self._vectors[self.get_index(key)]

    # -- similarity ----------------------------------------------------------

    def _check_topn(self, topn):
        if topn is None:
            return None
        if isinstance(topn, bool) or int(topn) != topn or topn < 0:
            raise ValueError(f"topn must be a non-negative integer or None, got {topn!r}")
        return int(topn)

    def _limit(self, restrict_vocab):
        n = len(self)
        if restrict_vocab is None:
            return n
        if isinstance(restrict_vocab, bool) or int(restrict_vocab) != restrict_vocab \
                or restrict_vocab < 0:
            raise ValueError(f"restrict_vocab must be a non-negative integer, got {restrict_vocab!r}")
        return min(n, int(restrict_vocab))

    def _query_term(self, item, sign):
        """(unit vector float64, row or None, weight) of one query term."""
        weight = float(sign)
        if isinstance(item, tuple) and len(item) == 2 and not isinstance(item[1], str):
            item, weight = item[0], sign * float(item[1])
        if isinstance(item, str):
            i = self.get_index(item)
            return np.asarray(self.unit_vectors[i], dtype=np.float64), i, weight
        vec = np.asarray(item, dtype=np.float64)
        if vec.shape != (self.dim,):
            raise ValueError(f"a query vector must have shape ({self.dim},), got {vec.shape}")
        return _unit(vec), None, weight

    def _ranked(self, query, limit, exclude, topn):
        """(key, cosine) pairs of the best rows among the first ``limit``."""
        if limit == 0 or topn == 0:
            return []
        unit = self.unit_vectors[:limit]
        scores = unit @ np.asarray(query, dtype=np.float32)
        skip = [i for i in exclude if i < limit]
        if skip:
            scores[skip] = -np.inf
        wanted = limit - len(skip) if topn is None else min(topn, limit - len(skip))
        if wanted <= 0:
            return []
        if wanted < limit:
            # every row scoring at least the wanted-th best score, in row order,
            # then a stable sort: ties keep the lower row first
            threshold = np.partition(scores, limit - wanted)[limit - wanted]
            candidates = np.flatnonzero(scores >= threshold)
        else:
            candidates = np.arange(limit)
        order = candidates[np.argsort(-scores[candidates], kind="stable")][:wanted]
        return [(self.index_to_key[i], _cosine(scores[i])) for i in order.tolist()]

    def most_similar(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """Keys closest (by cosine) to the mean of the query terms.

        Parameters
        ----------
        positive, negative : str, array_like or list of them, optional
            Query terms: keys, or vectors of shape (dim,). A term may also be
            a ``(term, weight)`` tuple. Every term is scaled to length 1 and
            weighted +1 (positive) or -1 (negative); their mean is the query.
        topn : int or None
            How many results; None returns every candidate.
        restrict_vocab : int, optional
            Consider only the first ``restrict_vocab`` rows (usually the most
            frequent words).

        Returns
        -------
        list of (str, float)
            Keys and cosine similarities, best first; equal scores keep row
            order. Keys given as query terms are left out. Scores are finite:
            zero vectors score 0.0.

        Raises
        ------
        KeyNotFoundError
            (a KeyError) for an unknown key.
        ValueError
            When no term is given or a vector has the wrong shape.
        """
        terms = []
        for group, sign in ((positive, 1.0), (negative, -1.0)):
            if group is None:
                continue
            if isinstance(group, (str, np.ndarray)) and not (
                    isinstance(group, np.ndarray) and group.ndim == 2):
                group = [group]
            terms.extend(self._query_term(item, sign) for item in group)
        if not terms:
            raise ValueError("most_similar needs at least one positive or negative term")
        mean = _unit(np.mean([weight * vec for vec, _, weight in terms], axis=0))
        exclude = {row for _, row, _ in terms if row is not None}
        return self._ranked(mean, self._limit(restrict_vocab), sorted(exclude),
                            self._check_topn(topn))

    def similar_by_vector(self, vector, topn=10, restrict_vocab=None):
        """Keys closest (by cosine) to ``vector``; nothing is excluded.

        Parameters
        ----------
        vector : array_like, shape (dim,)
        topn : int or None
            How many results; None returns all.
        restrict_vocab : int, optional
            Consider only the first ``restrict_vocab`` rows.

        Returns
        -------
        list of (str, float)
            Best first; equal scores keep row order.

        Raises
        ------
        ValueError
            When ``vector`` does not have shape (dim,).
        """
        query, _, _ = self._query_term(np.asarray(vector), 1.0)
        return self._ranked(query, self._limit(restrict_vocab), [], self._check_topn(topn))

    def similarity(self, w1, w2):
        """Cosine similarity of two keys.

        Returns
        -------
        float
            In [-1, 1]; 0.0 when either vector is zero (never NaN).

        Raises
        ------
        KeyNotFoundError
            (a KeyError) for an unknown key.
        """
        unit = self.unit_vectors
        return _cosine(np.dot(unit[self.get_index(w1)], unit[self.get_index(w2)]))

    def doesnt_match(self, words):
        """The word least similar to the mean of ``words``.

        Parameters
        ----------
        words : list of str

        Returns
        -------
        str
            The word whose cosine to the mean of the unit vectors of
            ``words`` is lowest (the first such word on ties).

        Raises
        ------
        KeyNotFoundError
            (a KeyError) for an unknown word.
        ValueError
            When ``words`` is empty.
        """
        words = [words] if isinstance(words, str) else list(words)
        if not words:
            raise ValueError("doesnt_match needs at least one word")
        rows = np.asarray([self.get_index(w) for w in words], dtype=np.int64)
        unit = self.unit_vectors[rows].astype(np.float64)
        scores = unit @ _unit(unit.mean(axis=0))
        return words[int(np.argmin(scores))]

    def rank(self, w1, w2):
        """Rank of ``w2`` among the neighbours of ``w1`` (1 = nearest).

        Returns
        -------
        int
            1 + the number of keys other than ``w1`` and ``w2`` strictly more
            similar to ``w1`` than ``w2`` is.

        Raises
        ------
        KeyNotFoundError
            (a KeyError) for an unknown key.
        """
        i, j = self.get_index(w1), self.get_index(w2)
        scores = self.unit_vectors @ self.unit_vectors[i]
        closer = scores > scores[j]
        closer[[i, j]] = False
        return int(np.count_nonzero(closer)) + 1

    # -- files ---------------------------------------------------------------

    def save(self, path, format=None):
        """Write to ``path``; see :func:`embkit.io.save`."""
        formats.write(self, path, format=format)

    @classmethod
    def load(cls, path, format=None, limit=None, mmap=None, *, unicode_errors="strict"):
        """Read from ``path``; see :func:`embkit.io.load`.

        Returns
        -------
        KeyedVectors
        """
        data = formats.read(path, format=format, limit=limit, mmap=mmap, unicode_errors=unicode_errors)
        return cls(data.keys, data.vectors, counts=data.counts, context=data.context, meta=data.meta)
