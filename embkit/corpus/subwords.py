"""fastText's character n-grams: which n-grams a word has, their 32-bit FNV-1a hash, and the word -> n-gram CSR.

Rules (Bojanowski et al. 2017, as fastText's ``Dictionary::computeSubwords``):

* a word is wrapped as ``<word>``;
* its n-grams are the substrings of ``minn`` to ``maxn`` characters, counted
  in Unicode code points (UTF-8 continuation bytes never start or end an
  n-gram), listed by start position, then by length; repeated n-grams are
  kept;
* the whole ``<word>`` is an n-gram when its length lies in range;
* a single ``<`` or ``>`` is never an n-gram (matters for ``minn=1``);
* the word ``</s>`` (fastText's end-of-line token) has no n-gram;
* an n-gram's row is ``hash(utf8 bytes) % bucket``, with fastText's FNV-1a in
  which each byte is sign-extended from int8 before the XOR, so bucket ids
  equal Facebook fastText's for every UTF-8 word (a plain FNV-1a on unsigned
  bytes differs on every byte >= 0x80).

``maxn=0`` gives no n-grams: word vectors only.

References
----------
Bojanowski, Grave, Joulin & Mikolov (2017), "Enriching Word Vectors with
Subword Information", TACL 5, section 3.2.
Fowler, Noll & Vo, the FNV-1a hash (32-bit offset basis 2166136261, prime 16777619).
"""
import numpy as np


def row_shifts(row_ptr, rows):
    """Per word: the sum of its rows' squared multiplicities over their count (1 when none repeats).

    When each listed row of a word gains a vector ``e`` (a row listed twice
    gains it twice), the word's composite vector, the mean over the list,
    moves by this number times ``e``; the skip-gram kernel keeps the centre
    word's composite vector current with it (:mod:`embkit.kernels.subword`).

    Parameters
    ----------
    row_ptr : int64 ndarray, shape (n_words + 1,)
    rows : int64 ndarray
        The input rows of each word, see :func:`input_rows`.

    Returns
    -------
    float32 ndarray, shape (n_words,)
    """
    row_ptr, rows = np.asarray(row_ptr, np.int64), np.asarray(rows, np.int64)
    n_words = len(row_ptr) - 1
    lengths = np.diff(row_ptr)
    if not len(rows):
        return np.ones(n_words, np.float32)
    word_of = np.repeat(np.arange(n_words, dtype=np.int64), lengths)
    span = int(rows.max()) + 1
    keys, multiplicity = np.unique(word_of * span + rows, return_counts=True)
    squares = np.bincount(keys // span, weights=multiplicity.astype(np.float64) ** 2, minlength=n_words)
    return (squares / np.maximum(lengths, 1)).astype(np.float32)

__all__ = ["BOW", "EOW", "EOS", "FNV_OFFSET", "FNV_PRIME", "ft_hash", "char_ngrams", "ngram_buckets",
           "ngram_csr", "input_rows", "row_shifts", "compose", "count_ngrams"]

BOW = "<"
EOW = ">"
EOS = "</s>"
"""fastText's end-of-line word; it never gets n-grams (embkit itself emits no such token)."""
FNV_OFFSET = 2166136261
FNV_PRIME = 16777619

_MASK32 = 0xFFFFFFFF
_BLOCK_WORDS = 1 << 15       # words hashed at a time by ngram_csr (bounds its temporary arrays)


def ft_hash(data):
    """fastText's 32-bit FNV-1a hash of some bytes, bytes >= 0x80 sign-extended as int8.

    Parameters
    ----------
    data : bytes or str
        The n-gram; a str is encoded as UTF-8.

    Returns
    -------
    int
        In ``[0, 2**32)``.

    Examples
    --------
    >>> ft_hash("<ab")
    1218209508
    >>> ft_hash("<gł")      # 'ł' is 0xC5 0x82: both bytes sign-extended
    3275252115
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    h = FNV_OFFSET
    for b in data:
        h ^= b if b < 0x80 else b | 0xFFFFFF00
        h = (h * FNV_PRIME) & _MASK32
    return h


def char_ngrams(word, minn, maxn):
    """The character n-grams of ``<word>`` from ``minn`` to ``maxn`` code points, in fastText's order.

    Parameters
    ----------
    word : str
        The word, without the ``<``/``>`` marks.
    minn, maxn : int
        Shortest and longest n-gram, in code points (``maxn=0``: none).

    Returns
    -------
    list of str
        By start position, then by length; duplicates kept.  Empty for
        ``</s>``.

    Examples
    --------
    >>> char_ngrams("ab", 3, 6)
    ['<ab', '<ab>', 'ab>']
    >>> char_ngrams("xy", 5, 5)
    []
    """
    if word == EOS:
        return []
    wrapped = BOW + word + EOW
    n_chars = len(wrapped)
    out = []
    for i in range(n_chars):
        for n in range(max(minn, 1), maxn + 1):
            if i + n > n_chars:
                break
            if n == 1 and (i == 0 or i + 1 == n_chars):
                continue
            out.append(wrapped[i:i + n])
    return out


def ngram_buckets(word, minn, maxn, bucket):
    """Bucket ids (``ft_hash % bucket``) of the n-grams of one word, in :func:`char_ngrams` order.

    Parameters
    ----------
    word : str
    minn, maxn : int
        N-gram lengths, in code points.
    bucket : int
        Number of buckets (> 0 when there are n-grams).

    Returns
    -------
    list of int
        Each in ``[0, bucket)``.
    """
    return [ft_hash(g) % bucket for g in char_ngrams(word, minn, maxn)]


def ngram_csr(words, minn, maxn, bucket):
    """Bucket ids of the n-grams of every word, as CSR arrays (computed with NumPy, a block of words at a time).

    Parameters
    ----------
    words : sequence of str
        The vocabulary, in row order.
    minn, maxn : int
        N-gram lengths, in code points (``maxn=0``: no n-gram).
    bucket : int
        Number of buckets.

    Returns
    -------
    indptr : int64 ndarray, shape (n_words + 1,)
        The n-grams of word ``w`` are ``ids[indptr[w]:indptr[w + 1]]``.
    ids : int64 ndarray, shape (indptr[-1],)
        Bucket ids in ``[0, bucket)``, in :func:`char_ngrams` order per word.
    """
    n = len(words)
    counts = np.zeros(n, np.int64)
    parts = []
    if maxn > 0 and bucket > 0 and maxn >= minn:
        for start in range(0, n, _BLOCK_WORDS):
            block = words[start:start + _BLOCK_WORDS]
            word_of, ids = _block_buckets(block, minn, maxn, bucket)
            counts[start:start + len(block)] = np.bincount(word_of, minlength=len(block))
            parts.append(ids)
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(counts, out=indptr[1:])
    ids = np.concatenate(parts) if parts else np.zeros(0, np.int64)
    return indptr, ids


def _block_buckets(words, minn, maxn, bucket):
    """(word index, bucket id) of every n-gram of ``words``, ordered by word, start, length."""
    encoded = [(BOW + w + EOW).encode("utf-8", "surrogatepass") for w in words]
    buf = np.frombuffer(b"".join(encoded), np.uint8)
    lengths = np.fromiter((len(e) for e in encoded), np.int64, len(encoded))
    word_end_byte = np.cumsum(lengths)
    # characters start at every byte that is not a UTF-8 continuation byte (10xxxxxx)
    char_byte = np.flatnonzero((buf & 0xC0) != 0x80)
    char_word = np.searchsorted(word_end_byte, char_byte, side="right")
    n_chars = len(char_byte)
    first_char = np.searchsorted(char_byte, word_end_byte - lengths)      # first character of each word
    end_char = np.append(first_char[1:], n_chars)                        # one past its last character
    char_bounds = np.append(char_byte, len(buf))
    signed = np.where(np.arange(256) < 0x80, np.arange(256), np.arange(256) | 0xFFFFFF00).astype(np.uint32)
    skip_eos = np.array([w == EOS for w in words])
    keys, spans, owners = [], [], []
    k = np.arange(n_chars)
    for size in range(max(minn, 1), maxn + 1):
        ok = k + size <= end_char[char_word]
        if size == 1:      # a lone '<' or '>' is not an n-gram
            ok &= (k != first_char[char_word]) & (k + 1 != end_char[char_word])
        ok &= ~skip_eos[char_word]
        starts = k[ok]
        keys.append(starts * (maxn + 1) + size)
        spans.append(np.stack([char_bounds[starts], char_bounds[starts + size]]))
        owners.append(char_word[ok])
    order = np.argsort(np.concatenate(keys), kind="stable")
    lo, hi = np.concatenate(spans, axis=1)[:, order]
    word_of = np.concatenate(owners)[order]
    h = np.full(len(lo), FNV_OFFSET, np.uint32)
    prime = np.uint32(FNV_PRIME)
    for t in range(int((hi - lo).max()) if len(lo) else 0):
        active = np.flatnonzero(lo + t < hi)
        h[active] = (h[active] ^ signed[buf[lo[active] + t]]) * prime     # uint32 arithmetic wraps mod 2**32
    return word_of, (h % np.uint32(bucket)).astype(np.int64)


def input_rows(indptr, ids, n_words):
    """Rows of the input matrix each word's vector averages: its own row, then ``n_words + id`` per n-gram.

    Parameters
    ----------
    indptr : int64 ndarray, shape (n_words + 1,)
    ids : int64 ndarray
        As :func:`ngram_csr` returns them.
    n_words : int
        Rows of word vectors before the n-gram rows.

    Returns
    -------
    row_ptr : int64 ndarray, shape (n_words + 1,)
    rows : int64 ndarray, shape (n_words + len(ids),)
        Word ``w`` averages ``rows[row_ptr[w]:row_ptr[w + 1]]``; the first is ``w``.
    """
    row_ptr = indptr + np.arange(n_words + 1, dtype=np.int64)
    rows = np.empty(row_ptr[-1], np.int64)
    is_word = np.zeros(row_ptr[-1], bool)
    is_word[row_ptr[:-1]] = True
    rows[is_word] = np.arange(n_words, dtype=np.int64)
    rows[~is_word] = ids + n_words
    return row_ptr, rows


def compose(word_rows, ngrams, indptr, ids, out=None):
    """Word vectors as fastText's ``get_word_vector`` gives them: the mean of a word's row and its n-gram rows.

    Sums run in fastText's order (the word's row, then its n-grams in order),
    in float32, then are scaled by ``float32(1 / (1 + n_ngrams))``, so the
    result equals fastText's bit for bit.

    Parameters
    ----------
    word_rows : float32 ndarray, shape (n_words, dim)
        The words' own input rows.
    ngrams : float32 ndarray, shape (bucket, dim)
        The n-gram rows.
    indptr, ids : int64 ndarray
        The n-grams of each word, as :func:`ngram_csr` returns them.
    out : float32 ndarray, shape (n_words, dim), optional
        Where to write the result (may be ``word_rows`` itself).

    Returns
    -------
    float32 ndarray, shape (n_words, dim)
    """
    n_words = word_rows.shape[0]
    if out is None:
        out = np.empty(word_rows.shape, np.float32)
    for start in range(0, n_words, _BLOCK_WORDS):
        stop = min(start + _BLOCK_WORDS, n_words)
        block = np.array(word_rows[start:stop], dtype=np.float32)
        first = indptr[start:stop]
        count = indptr[start + 1:stop + 1] - first
        for t in range(int(count.max()) if len(count) else 0):
            has = np.flatnonzero(count > t)
            block[has] += ngrams[ids[first[has] + t]]
        block *= (1.0 / (count + 1)).astype(np.float32)[:, None]     # 1/n in double, then float32, as fastText
        out[start:stop] = block
    return out


def count_ngrams(words, minn, maxn):
    """How many n-grams the words have in all (what :func:`ngram_csr` would return; for memory estimates).

    Parameters
    ----------
    words : sequence of str
    minn, maxn : int

    Returns
    -------
    int
    """
    if maxn <= 0 or maxn < minn or not len(words):
        return 0
    chars = np.fromiter((len(w) + 2 for w in words), np.int64, len(words))
    sizes = np.arange(max(minn, 1), maxn + 1)
    return int(np.maximum(chars[:, None] - sizes[None, :] + 1, 0).sum())
