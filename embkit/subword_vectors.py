"""Subword vectors (fastText): word vectors plus the character n-gram matrix, so any word with n-grams gets a vector.

:class:`SubwordVectors` is a :class:`~embkit.vectors.KeyedVectors` whose rows
are the words' vectors as fastText's ``get_word_vector`` gives them (the
mean of the word's own input row and its n-gram rows, see
:mod:`embkit.corpus.subwords`); it also holds the words' own rows, the
n-gram rows and the hashing settings, and composes a vector for an unseen
word from its n-grams.  ``kv.vectors`` (and a ``.vec`` export) hold the
composed vectors.  ``word in kv`` still means "in the vocabulary";
:meth:`SubwordVectors.has_vector` also counts unseen words that have n-grams.

>>> import numpy as np
>>> kv = SubwordVectors(["cat"], np.ones((1, 2)), np.zeros((10, 2)), minn=3, maxn=3)
>>> kv["cat"].tolist()              # (row + 3 zero n-gram rows) / 4
[0.25, 0.25]
>>> kv.has_vector("cats"), "cats" in kv
(True, False)
"""
import logging

import numpy as np

from . import formats, queries
from .corpus.subwords import char_ngrams, compose, ngram_buckets, ngram_csr
from .exceptions import InvalidDataError, KeyNotFoundError
from .formats._common import SubwordData
from .vectors import KeyedVectors, _as_matrix

__all__ = ["SubwordVectors", "NoNgramsError"]

log = logging.getLogger(__name__)


class NoNgramsError(KeyNotFoundError):
    """An unseen word has no character n-gram of ``minn`` to ``maxn`` code points: no vector can be composed.

    A :class:`KeyError` (and a :class:`~embkit.exceptions.KeyNotFoundError`).

    Parameters
    ----------
    key : str
        The word.
    n_words : int
        Size of the vocabulary.
    minn, maxn : int
        The model's n-gram lengths.
    """

    def __init__(self, key, n_words, minn, maxn):
        super().__init__(key, n_words)
        if maxn <= 0:
            why = "the model has no character n-grams (maxn=0)"
        else:
            length = len(key) + 2 if isinstance(key, str) else 0
            why = (f"it has no character n-gram of {minn} to {maxn} characters ('<{key}>' has {length}), "
                   "so no vector can be composed")
        self.message = f"{key!r} is not in the vocabulary ({n_words} words) and {why}"


class SubwordVectors(KeyedVectors):
    """Word vectors with fastText's character n-gram vectors.

    Parameters
    ----------
    keys : iterable of str
        The words, in row order; unique.
    word_rows : array_like, shape (n_words, dim)
        The words' own input rows (fastText's input matrix rows 0..n_words-1).
    ngram_vectors : array_like, shape (bucket, dim)
        The n-gram rows (the rest of fastText's input matrix).
    minn, maxn : int
        N-gram lengths in code points (``maxn=0``: no n-gram).
    counts : array_like of int, shape (n_words,), optional
        Corpus counts.
    context : array_like, shape (n_words, dim), optional
        The output matrix.
    meta : dict, optional
        Metadata; ``kind`` is set to ``"subword"``.
    vectors : array_like, shape (n_words, dim), optional
        The composed word vectors, when already known (e.g. memory-mapped
        from a saved model); computed from the rows otherwise.

    Attributes
    ----------
    vectors : float32 ndarray, shape (n_words, dim)
        Each word's vector: the mean of its own row and its n-gram rows.
    word_rows : float32 ndarray, shape (n_words, dim)
    ngram_vectors : float32 ndarray, shape (bucket, dim)
    minn, maxn, bucket : int

    Raises
    ------
    ValueError
        Shapes that disagree, or ``maxn > 0`` with no n-gram rows.

    Notes
    -----
    Float32 matrices (memory maps included) are kept, not copied.
    """

    def __init__(self, keys, word_rows, ngram_vectors, minn=3, maxn=6, counts=None, context=None, meta=None,
                 vectors=None):
        word_rows = _as_matrix("word_rows", word_rows)
        ngram_vectors = _as_matrix("ngram_vectors", np.reshape(ngram_vectors, (-1, word_rows.shape[1])))
        keys = list(keys)
        if maxn > 0 and ngram_vectors.shape[0] == 0:
            raise ValueError(f"maxn={maxn} needs n-gram rows, got none (maxn=0 gives word vectors only)")
        if vectors is None:
            indptr, ids = ngram_csr(keys, minn, maxn, ngram_vectors.shape[0])
            vectors = compose(word_rows, ngram_vectors, indptr, ids)
        meta = dict(meta or {})
        meta["kind"] = "subword"
        super().__init__(keys, vectors, counts=counts, context=context, meta=meta)
        if word_rows.shape != self.vectors.shape:
            raise ValueError(f"word_rows must have the shape of vectors {self.vectors.shape}, got {word_rows.shape}")
        self.word_rows = word_rows
        self.ngram_vectors = ngram_vectors
        self.minn, self.maxn = int(minn), int(maxn)
        self.bucket = int(ngram_vectors.shape[0])

    def __repr__(self):
        extra = "".join([", counts" if self.counts is not None else "",
                         ", context" if self.context is not None else ""])
        return (f"SubwordVectors(n_words={len(self)}, dim={self.dim}, minn={self.minn}, maxn={self.maxn}, "
                f"bucket={self.bucket}{extra})")

    # -- look-up ---------------------------------------------------------------

    def ngrams(self, word):
        """The character n-grams of ``word`` the model uses (fastText's rules; see :mod:`embkit.corpus.subwords`).

        Parameters
        ----------
        word : str

        Returns
        -------
        list of str
            Empty when ``maxn=0`` or the word is too short.
        """
        return char_ngrams(word, self.minn, self.maxn) if self.bucket else []

    def has_vector(self, word):
        """True when ``word`` is in the vocabulary or has at least one n-gram.

        Parameters
        ----------
        word : str

        Returns
        -------
        bool
        """
        return word in self or (isinstance(word, str) and bool(self.ngrams(word)))

    def compose(self, word):
        """The vector composed from the n-grams of ``word`` alone (fastText's vector of an unseen word).

        Parameters
        ----------
        word : str

        Returns
        -------
        float32 ndarray, shape (dim,)
            The mean of its n-gram rows.

        Raises
        ------
        NoNgramsError
            (a KeyError) when the word has no n-gram.
        """
        ids = ngram_buckets(word, self.minn, self.maxn, self.bucket) if isinstance(word, str) and self.bucket else []
        if not ids:
            raise NoNgramsError(word, len(self), self.minn, self.maxn)
        total = np.zeros(self.dim, np.float32)
        for i in ids:
            total += self.ngram_vectors[i]
        return total * np.float32(1.0 / len(ids))

    def get_vector(self, key, norm=False):
        """Vector of a word: its row when in the vocabulary, else composed from its n-grams.

        Parameters
        ----------
        key : str
        norm : bool
            Scale to length 1 (a zero vector stays zero).

        Returns
        -------
        float32 ndarray, shape (dim,)
            Read-only.

        Raises
        ------
        NoNgramsError
            (a KeyError) for an unseen word without n-grams, naming it and why.
        """
        if key in self:
            return super().get_vector(key, norm=norm)
        vector = self.compose(key)
        if norm:
            vector = queries._unit(vector).astype(np.float32)
        vector.flags.writeable = False
        return vector

    def __getitem__(self, key):
        """Vector of one word, or the vectors of a list/tuple of words (unseen words composed).

        Parameters
        ----------
        key : str or list of str or tuple of str

        Returns
        -------
        float32 ndarray
            Shape (dim,) or (len(key), dim).

        Raises
        ------
        NoNgramsError
            (a KeyError) for an unseen word without n-grams.
        """
        if isinstance(key, (list, tuple)):
            return np.stack([self.get_vector(k) for k in key]).reshape(len(key), self.dim)
        return self.get_vector(key)

    # -- queries that accept unseen words ----------------------------------------

    def _with_composed(self, group, vocab):
        """Query terms with each unseen word (exactly, or through ``vocab``) replaced by its composed vector."""
        if group is None or isinstance(group, np.ndarray):
            return group
        out = []
        for item in queries._as_list(group):
            weight = None
            if isinstance(item, tuple) and len(item) == 2 and not isinstance(item[1], str):
                item, weight = item
            if isinstance(item, str) and (item not in self if vocab is None else vocab.row(item) < 0):
                item = self.compose(item)
            out.append(item if weight is None else (item, weight))
        return out

    def most_similar(self, positive=None, negative=None, topn=10, restrict_vocab=None, *, case_sensitive=True,
                     vocab=None):
        """Words closest to the query (see :func:`embkit.queries.most_similar`); unseen words are composed.

        Parameters
        ----------
        positive, negative : str, array_like or list of them, optional
            Query terms; a word not in the vocabulary stands for its vector
            composed from n-grams.
        topn : int or None
        restrict_vocab : int, optional
        case_sensitive : bool
        vocab : VocabIndex, optional
            See :func:`embkit.queries.most_similar`.

        Returns
        -------
        list of (str, float)

        Raises
        ------
        NoNgramsError
            (a KeyError) for an unseen word without n-grams.
        """
        vocab = queries._lookup(self, case_sensitive, vocab)
        return queries.most_similar(self, self._with_composed(positive, vocab), self._with_composed(negative, vocab),
                                    topn, restrict_vocab, case_sensitive=case_sensitive, vocab=vocab)

    def most_similar_cosmul(self, positive=None, negative=None, topn=10, restrict_vocab=None, *,
                            epsilon=queries.COSMUL_EPSILON, case_sensitive=True, vocab=None):
        """3CosMul ranking (see :func:`embkit.queries.most_similar_cosmul`); unseen words are composed.

        Parameters
        ----------
        positive, negative : str, array_like or list of them
        topn : int or None
        restrict_vocab : int, optional
        epsilon : float
        case_sensitive : bool
        vocab : VocabIndex, optional
            See :func:`embkit.queries.most_similar_cosmul`.

        Returns
        -------
        list of (str, float)

        Raises
        ------
        NoNgramsError
            (a KeyError) for an unseen word without n-grams.
        """
        vocab = queries._lookup(self, case_sensitive, vocab)
        return queries.most_similar_cosmul(self, self._with_composed(positive, vocab),
                                           self._with_composed(negative, vocab), topn, restrict_vocab,
                                           epsilon=epsilon, case_sensitive=case_sensitive, vocab=vocab)

    def similarity(self, w1, w2):
        """Cosine similarity of two words; unseen words are composed from n-grams.

        Parameters
        ----------
        w1, w2 : str

        Returns
        -------
        float
            In [-1, 1]; 0.0 when a vector is zero (never NaN).

        Raises
        ------
        NoNgramsError
            (a KeyError) for an unseen word without n-grams.
        """
        if w1 in self and w2 in self:
            return queries.similarity(self, w1, w2)
        a = queries._unit(self.get_vector(w1))
        b = queries._unit(self.get_vector(w2))
        return float(np.float32(np.clip(np.dot(a, b), -1.0, 1.0)))

    def distance(self, w1, w2):
        """Cosine distance ``1 - similarity(w1, w2)``; unseen words are composed.

        Parameters
        ----------
        w1, w2 : str

        Returns
        -------
        float
            In [0, 2].

        Raises
        ------
        NoNgramsError
            (a KeyError) for an unseen word without n-grams.
        """
        return 1.0 - self.similarity(w1, w2)

    # -- files ---------------------------------------------------------------------

    @property
    def subwords(self):
        """The n-gram part, as the vector formats take it (:class:`embkit.formats.SubwordData`)."""
        return SubwordData(self.word_rows, self.ngram_vectors, self.minn, self.maxn)

    @classmethod
    def from_data(cls, data):
        """SubwordVectors from what a format reader returned.

        Parameters
        ----------
        data : VectorData
            With ``subword`` set.

        Returns
        -------
        SubwordVectors

        Raises
        ------
        EmbkitError
            When ``data`` holds word vectors only.
        """
        sub = data.subword
        if sub is None:
            raise InvalidDataError("these are word vectors without n-grams; load them with KeyedVectors.load or "
                                   "embkit.load")
        return cls(data.keys, sub.word_rows, sub.ngrams, sub.minn, sub.maxn, counts=data.counts,
                   context=data.context, meta=data.meta, vectors=data.vectors)

    @classmethod
    def load(cls, path, format=None, limit=None, mmap=None, *, unicode_errors="strict"):
        """Read a subword model (native directory or fastText ``.bin``); see :func:`embkit.io.load`.

        Parameters
        ----------
        path : str or os.PathLike
        format : {"native", "fasttext-bin"}, optional
            Default: told from the name and content.
        limit : int, optional
            Keep only the first ``limit`` words (the n-gram rows are all kept).
        mmap : {None, "r", "r+", "c"}
            Memory-map the matrices with this mode.
        unicode_errors : str
            How to decode words that are not valid UTF-8.

        Returns
        -------
        SubwordVectors

        Raises
        ------
        FormatError
            A malformed file.
        EmbkitError
            A file of word vectors without n-grams.
        """
        return cls.from_data(formats.read(path, format=format, limit=limit, mmap=mmap,
                                          unicode_errors=unicode_errors))
