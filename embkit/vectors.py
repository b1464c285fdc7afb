"""Word vectors: storage and look-up, with thin methods over :mod:`embkit.queries`.

:class:`KeyedVectors` holds one row per word (key): the input vectors, and
optionally the corpus counts and the output ("context") matrix of the model
that produced them. Its query methods (``most_similar``, ``similarity``,
``distances``, ...) call the functions of the same names in
:mod:`embkit.queries`, which documents them.

>>> import numpy as np
>>> kv = KeyedVectors(["a", "b"], np.array([[1.0, 0.0], [0.6, 0.8]]))
>>> round(kv.similarity("a", "b"), 6)
0.6
>>> kv.most_similar("a", topn=1)[0][0]
'b'
"""
import re

import numpy as np

from . import formats, queries
from .exceptions import InvalidParameterError, KeyNotFoundError, ParameterTypeError

__all__ = ["KeyedVectors", "KeyNotFoundError"]

# Rows processed at once when normalising, so temporaries stay small.
_CHUNK_ROWS = 1 << 16


def _documented_by(func):
    """Give a method the docstring of the query function it calls, less the ``kv`` parameter."""
    def decorate(method):
        if func.__doc__:
            method.__doc__ = re.sub(r"\n    kv : KeyedVectors\n(?:        .*\n)*", "\n", func.__doc__)
        return method
    return decorate


def _as_matrix(name, matrix):
    """float32 2-D array; a memmap of float32 is kept as it is."""
    if isinstance(matrix, np.memmap) and matrix.dtype == np.float32:
        out = matrix
    else:
        out = np.ascontiguousarray(matrix, dtype=np.float32)
    if out.ndim != 2:
        raise InvalidParameterError(f"{name} must be 2-D (n_words, dim), got shape {out.shape}")
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


#: gensim KeyedVectors names embkit spells otherwise, with what to use instead.
_GENSIM_NAMES = {
    "similar_by_word": "most_similar(word, topn=...)",
    "similar_by_key": "most_similar(word, topn=...)",
    "get_normed_vectors": "unit_vectors (an attribute)",
    "fill_norms": "nothing: unit_vectors is computed on first use",
    "save_word2vec_format": "save('vectors.bin') or save('vectors.vec') (the format from the name, or format=)",
    "load_word2vec_format": "embkit.load('vectors.bin') or KeyedVectors.load(path, format='word2vec')",
    "get_vecattr": "counts[kv.get_index(word)] (the stored counts)",
    "set_vecattr": "counts (an array you may assign)",
    "key_to_index_map": "key_to_index",
    "wv": "the vectors themselves: a KeyedVectors is what a model's .wv is",
    "vocab": "key_to_index and counts",
    "index2word": "index_to_key",
    "index2entity": "index_to_key",
    "syn0": "vectors",
    "vectors_norm": "unit_vectors",
    "evaluate_word_analogies": "embkit.evaluate_analogies(kv, dataset)",
    "evaluate_word_pairs": "embkit.evaluate_similarity(kv, dataset)",
    "add_vectors": "a new KeyedVectors(keys, vectors) (KeyedVectors are not grown in place)",
    "init_sims": "nothing: unit_vectors is computed on first use",
}


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
                raise ParameterTypeError(f"keys must be str, got {type(key).__name__} {key!r} at row {i}")
            if key in key_to_index:
                raise InvalidParameterError(f"duplicate key {key!r} at rows {key_to_index[key]} and {i}")
            key_to_index[key] = i
        self.index_to_key = keys
        self.key_to_index = key_to_index
        self._vectors = None
        self._unit = None
        self.vectors = vectors
        if counts is not None:
            counts = np.asarray(counts)
            if counts.shape != (len(keys),):
                raise InvalidParameterError(f"counts must have shape ({len(keys)},), got {counts.shape}")
            if counts.size and not np.issubdtype(counts.dtype, np.integer):
                if not np.array_equal(counts, np.round(counts)):
                    raise InvalidParameterError("counts must be whole numbers")
            counts = np.ascontiguousarray(counts, dtype=np.int64)
            if counts.size and counts.min() < 0:
                raise InvalidParameterError("counts must not be negative")
        self.counts = counts
        if context is not None:
            context = _as_matrix("context", context)
            if context.shape != self._vectors.shape:
                raise InvalidParameterError(f"context must have the shape of vectors {self._vectors.shape}, "
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
            raise InvalidParameterError(f"{len(self.index_to_key)} keys but {value.shape[0]} vector rows")
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

    def __getattr__(self, name):
        # only reached when normal look-up fails: gensim's names get a pointer to embkit's
        hint = _GENSIM_NAMES.get(name)
        if hint is None or name.startswith("__"):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        raise AttributeError(f"{type(self).__name__} has no {name!r} (gensim's); in embkit: {hint}")

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

    def get_vector(self, key, norm=False):
        """Vector of one key, as in gensim.

        Parameters
        ----------
        key : str
        norm : bool
            Return the vector scaled to length 1 (from :attr:`unit_vectors`;
            a zero vector stays zero, where gensim gives NaN).

        Returns
        -------
        numpy.ndarray of float32, shape (dim,)
            A read-only view of the row.

        Raises
        ------
        KeyNotFoundError
            (a KeyError) when ``key`` is not in the vocabulary.
        ParameterTypeError
            (a TypeError) when ``norm`` is not a bool.
        """
        if not isinstance(norm, (bool, np.bool_)):
            raise ParameterTypeError(f"norm must be True or False, got {norm!r}", param="norm")
        row = self.get_index(key)
        vector = (self.unit_vectors if norm else self._vectors)[row].view()
        vector.flags.writeable = False
        return vector

    # -- queries (see embkit.queries) ----------------------------------------

    @_documented_by(queries.most_similar)
    def most_similar(self, positive=None, negative=None, topn=10, restrict_vocab=None, *,
                     case_sensitive=True, vocab=None):
        return queries.most_similar(self, positive, negative, topn, restrict_vocab,
                                    case_sensitive=case_sensitive, vocab=vocab)

    @_documented_by(queries.most_similar_cosmul)
    def most_similar_cosmul(self, positive=None, negative=None, topn=10, restrict_vocab=None, *,
                            epsilon=queries.COSMUL_EPSILON, case_sensitive=True, vocab=None):
        return queries.most_similar_cosmul(self, positive, negative, topn, restrict_vocab,
                                           epsilon=epsilon, case_sensitive=case_sensitive,
                                           vocab=vocab)

    @_documented_by(queries.similar_by_vector)
    def similar_by_vector(self, vector, topn=10, restrict_vocab=None):
        return queries.similar_by_vector(self, vector, topn, restrict_vocab)

    @_documented_by(queries.similarity)
    def similarity(self, w1, w2):
        return queries.similarity(self, w1, w2)

    @_documented_by(queries.n_similarity)
    def n_similarity(self, ws1, ws2):
        return queries.n_similarity(self, ws1, ws2)

    @_documented_by(queries.distance)
    def distance(self, w1, w2):
        return queries.distance(self, w1, w2)

    @_documented_by(queries.distances)
    def distances(self, word_or_vector, other_words=()):
        return queries.distances(self, word_or_vector, other_words)

    @_documented_by(queries.closer_than)
    def closer_than(self, w1, w2):
        return queries.closer_than(self, w1, w2)

    @_documented_by(queries.rank)
    def rank(self, w1, w2):
        return queries.rank(self, w1, w2)

    @_documented_by(queries.doesnt_match)
    def doesnt_match(self, words):
        return queries.doesnt_match(self, words)

    # -- files ---------------------------------------------------------------

    def save(self, path, format=None):
        """Write these vectors to ``path``, atomically; as :func:`embkit.io.save`.

        Parameters
        ----------
        path : str or os.PathLike
            Target file (word2vec formats; ``.gz``/``.bz2``/``.xz``
            compress) or directory (native).
        format : {"native", "word2vec", "word2vec-bin"}, optional
            Default: from the name (see
            :func:`~embkit.formats.format_from_name`); an existing directory
            is native.

        Raises
        ------
        EmbkitError
            When the format cannot be told from the name, a token cannot be
            stored in the format, a vector is not finite, or ``meta`` is not
            JSON-serialisable.
        OSError
            When the file cannot be written.
        """
        formats.write(self, path, format=format)

    @classmethod
    def load(cls, path, format=None, limit=None, mmap=None, *, unicode_errors="strict"):
        """Read vectors from ``path``; as :func:`embkit.io.load`.

        Parameters
        ----------
        path : str or os.PathLike
            A native model directory or a word2vec text/binary file (text
            files may be ``.gz``/``.bz2``/``.xz`` compressed).
        format : {"native", "word2vec", "word2vec-bin"}, optional
            Default: from the name; an existing directory is native and a
            file whose name does not tell is recognised from its content.
        limit : int, optional
            Read only the first ``limit`` rows.
        mmap : {None, "r", "r+", "c"}
            Memory-map the native format's ``.npy`` files with this mode;
            ignored by the other formats.
        unicode_errors : str
            How to decode tokens that are not valid UTF-8 (``"strict"``,
            ``"replace"`` or ``"ignore"``).

        Returns
        -------
        KeyedVectors
            Counts and the context matrix only come from the native format.

        Raises
        ------
        FormatError
            When the file is malformed (the message names the file and the
            line, or row and byte offset).
        EmbkitError
            When the format cannot be told or is not supported.
        ValueError
            An unknown format, a negative ``limit`` or an unknown ``mmap``
            mode.
        OSError
            When the file cannot be read.
        """
        data = formats.read(path, format=format, limit=limit, mmap=mmap, unicode_errors=unicode_errors)
        return cls(data.keys, data.vectors, counts=data.counts, context=data.context, meta=data.meta)
