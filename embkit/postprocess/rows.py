"""New vectors for a model, with a subword model's own rows and n-gram rows kept consistent with them.

A subword (fastText) model's word vector is the mean of the word's own row
and its n-gram rows, and its file formats store those rows (fastText's
``.bin`` stores nothing else).  Post-processing that changes the word
vectors must change the rows too, or a saved and reloaded model (and every
unseen word's vector) would silently lose the change:

* an affine map ``x -> (x - mu) @ A`` (whitening, a Procrustes rotation) is
  applied to every row: the mean of mapped rows is the mapped mean, so the
  composed vectors, unseen words' vectors included, are mapped exactly
  (:func:`map_rows`);
* any other change of the word vectors (retrofitting) moves each word's own
  row by ``n * (new - old)`` where ``n`` counts the word's rows, so that the
  composed vector is the new one and the n-gram rows are kept
  (:func:`with_vectors`).
"""
import copy

import numpy as np

from ..corpus.subwords import ngram_csr
from ..vectors import KeyedVectors

__all__ = ["NGRAM_ATTRIBUTES", "apply_affine", "map_rows", "with_vectors"]

#: Attributes that hold the n-gram (subword) rows of a subword model; the same map is applied to them.
NGRAM_ATTRIBUTES = ("ngram_vectors", "vectors_ngrams")
_CHUNK_ROWS = 1 << 15


def apply_affine(matrix, mean, transform=None):
    """``(matrix - mean) @ transform`` row by row, as float32.

    The rows are centred and multiplied in float32 (the precision of the
    stored vectors), in chunks.

    Parameters
    ----------
    matrix : array_like, shape (n, d)
        May be a memory map; read in chunks.
    mean : array_like, shape (d,)
    transform : array_like, shape (d, k), optional
        None is the identity.

    Returns
    -------
    numpy.ndarray of float32, shape (n, k)
    """
    mean = np.asarray(mean, dtype=np.float32)
    a = None if transform is None else np.ascontiguousarray(transform, dtype=np.float32)
    k = matrix.shape[1] if a is None else a.shape[1]
    out = np.empty((matrix.shape[0], k), dtype=np.float32)
    for start in range(0, matrix.shape[0], _CHUNK_ROWS):
        block = np.array(matrix[start:start + _CHUNK_ROWS], dtype=np.float32)
        block -= mean
        if a is None:
            out[start:start + len(block)] = block
        else:
            np.matmul(block, a, out=out[start:start + len(block)])
    return out


def ngram_rows(kv):
    """(attribute, matrix) of a subword model's n-gram rows, or (None, None).

    Parameters
    ----------
    kv : KeyedVectors

    Returns
    -------
    tuple of (str or None, ndarray or None)
    """
    for name in NGRAM_ATTRIBUTES:
        matrix = getattr(kv, name, None)
        if matrix is not None and getattr(matrix, "ndim", 0) == 2 and matrix.shape[1] == kv.dim:
            return name, matrix
    return None, None


def _copy(kv, vectors, meta, context, counts):
    out = copy.copy(kv)           # a subclass (subword vectors): the same class, its other attributes shared
    out.key_to_index = dict(kv.key_to_index)
    out.index_to_key = list(kv.index_to_key)
    out.vectors = vectors
    out.counts = counts
    out.context = context
    out.meta = meta
    return out


def map_rows(kv, mean, transform, meta, context=None):
    """``kv`` with every row ``x`` mapped to ``(x - mean) @ transform``.

    Parameters
    ----------
    kv : KeyedVectors
        Word vectors, or a subword model (its own rows ``word_rows`` and its
        n-gram rows, :data:`NGRAM_ATTRIBUTES`, get the same map).
    mean : array_like, shape (d,)
    transform : array_like, shape (d, k), optional
        None is the identity.
    meta : dict
        The output's metadata.
    context : ndarray, shape (n_words, k), optional
        The output's context matrix (None: none).

    Returns
    -------
    KeyedVectors
        Of ``kv``'s class when it has n-gram rows; ``kv``'s keys and counts
        (copied); the input is not changed.
    """
    vectors = apply_affine(kv.vectors, mean, transform)
    counts = None if kv.counts is None else np.array(kv.counts, copy=True)
    name, ngrams = ngram_rows(kv)
    if name is None:
        return KeyedVectors(kv.index_to_key, vectors, counts=counts, context=context, meta=meta)
    out = _copy(kv, vectors, meta, context, counts)
    setattr(out, name, apply_affine(ngrams, mean, transform))
    if getattr(kv, "word_rows", None) is not None:
        out.word_rows = apply_affine(kv.word_rows, mean, transform)
    return out


def with_vectors(kv, vectors, meta, context=None):
    """``kv`` with new word vectors (same keys, same dimension).

    Parameters
    ----------
    kv : KeyedVectors
        Word vectors, or a subword model: each word's own row moves by
        ``n * (new - old)`` (``n``: the word's own row plus its n-gram
        rows), so that the mean of its rows is the new vector; the n-gram
        rows, and so the vectors of unseen words, are unchanged.
    vectors : array_like, shape (n_words, dim)
    meta : dict
        The output's metadata.
    context : ndarray, shape (n_words, dim), optional
        The output's context matrix (None: none).

    Returns
    -------
    KeyedVectors
        Of ``kv``'s class; ``kv``'s keys and counts (copied); the input is
        not changed.
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    counts = None if kv.counts is None else np.array(kv.counts, copy=True)
    if type(kv) is KeyedVectors:
        return KeyedVectors(kv.index_to_key, vectors, counts=counts, context=context, meta=meta)
    out = _copy(kv, vectors, meta, context, counts)
    rows = getattr(kv, "word_rows", None)
    if rows is not None and hasattr(kv, "bucket"):
        indptr, _ = ngram_csr(kv.index_to_key, kv.minn, kv.maxn, kv.bucket)
        n = (1 + np.diff(indptr)).astype(np.float32)
        delta = vectors - np.asarray(kv.vectors, dtype=np.float32)
        out.word_rows = np.asarray(rows, dtype=np.float32) + n[:, None] * delta
    return out
