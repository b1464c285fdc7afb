"""Phrase kernels: counting candidate word pairs into a hash table, and joining detected ones in a token stream.

A *candidate* is a word, zero or more connector words, then a word, inside
one sentence, with no break between them and at most ``max_len`` words in
all (a token that is already a joined term counts as its number of words).
Each token id has a role: :data:`BREAK` (no candidate spans it: a word below
the minimum count, punctuation, a line end), :data:`WORD` (may start and end
a candidate) or :data:`CONNECTOR` (may only stand between the two, e.g.
"of" in "bank of england").

Candidates are keys ``(pair, mid)``: ``pair = first * n_ids + last`` and
``mid`` the connector words in between, written as digits of base ``radix``
(each connector's code is 1 to ``radix - 1``; 0 connectors give ``mid = 0``).
The count table is open addressing with linear probing over three arrays
``pairs`` (int64, -1 for an empty slot), ``mids`` (int32) and ``counts``
(uint32, which stop at 2**32 - 1: a candidate seen more often than that needs
a corpus of over four billion tokens), of a power-of-two length: 16 bytes a
slot.

Counting follows each sentence left to right: every word closes the
candidate that the previous word opened (when one is open and fits in
``max_len``) and opens a new one; a connector extends the open candidate; a
break, or connectors that leave no room for a last word, close it without a
count.  Joining follows the same walk but replaces a candidate found in the
term table by the term's id and opens nothing after it, so a word joined
into one term is never part of the next (left to right, first come first
joined, as word2phrase and gensim's ``Phrases`` join).
"""
import numpy as np
from numba import njit

BREAK = 0
WORD = 1
CONNECTOR = 2
EMPTY = -1
MAX_COUNT = 2**32 - 1


@njit(cache=True)
def _slot(pair, mid, mask):
    """The home slot of a key: a 64-bit mix of ``pair`` and ``mid``, masked."""
    x = np.uint64(pair) * np.uint64(0x9E3779B97F4A7C15) ^ np.uint64(mid) * np.uint64(0xC2B2AE3D27D4EB4F)
    x ^= x >> np.uint64(31)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(29)
    return np.int64(x & np.uint64(mask))


@njit(cache=True)
def _add(pairs, mids, counts, key, mid, n):
    """Add ``n`` to the count of ``(key, mid)``; return 1 when the key was new, else 0."""
    mask = len(pairs) - 1
    h = _slot(key, mid, mask)
    while True:
        k = pairs[h]
        if k == key and mids[h] == mid:
            c = np.int64(counts[h]) + np.int64(n)
            counts[h] = c if c < MAX_COUNT else MAX_COUNT
            return 0
        if k == EMPTY:
            pairs[h] = key
            mids[h] = mid
            counts[h] = n if n < MAX_COUNT else MAX_COUNT
            return 1
        h = (h + 1) & mask


@njit(cache=True)
def find(pairs, mids, key, mid):
    """The slot holding ``(key, mid)`` in a table, or -1.

    Parameters
    ----------
    pairs : int64 ndarray, shape (capacity,)
        Keys, -1 in empty slots; ``capacity`` a power of two, not full.
    mids : int32 ndarray, shape (capacity,)
        The connector digits of each key.
    key : int
        ``first * n_ids + last``.
    mid : int
        The connector digits.

    Returns
    -------
    int
    """
    mask = len(pairs) - 1
    h = _slot(key, mid, mask)
    while True:
        k = pairs[h]
        if k == key and mids[h] == mid:
            return h
        if k == EMPTY:
            return -1
        h = (h + 1) & mask


# long: one walk over the sentences of a chunk, the Numba kernel's hot loop
@njit(cache=True)
def count_candidates(tokens, offsets, role, code, nwords, n_ids, radix, max_len, pairs, mids, counts, first,
                     used, limit):
    """Count the candidates of sentences ``first``, ``first + 1``, ... into the table, while it has room.

    Parameters
    ----------
    tokens : int32 ndarray, shape (n_tokens,)
        Token ids in ``[0, n_ids)``.
    offsets : int64 ndarray, shape (n_sentences + 1,)
        Sentence ``s`` is ``tokens[offsets[s]:offsets[s + 1]]``.
    role : int8 ndarray, shape (n_ids,)
        :data:`BREAK`, :data:`WORD` or :data:`CONNECTOR` of each id.
    code : int32 ndarray, shape (n_ids,)
        A connector's digit (1 to ``radix - 1``), 0 for other ids.
    nwords : int32 ndarray, shape (n_ids,)
        Words in each token (1, or a joined term's words).
    n_ids : int
        Number of ids.
    radix : int
        Base of the connector digits (the number of connector words + 1).
    max_len : int
        Most words in a candidate.
    pairs, mids, counts : ndarray, shape (capacity,)
        The count table (see the module docstring), updated in place.
    first : int
        The sentence to start with.
    used : int
        Keys in the table.
    limit : int
        Keys the table may hold (below its capacity): a sentence is counted
        only while its tokens, each adding at most one key, cannot pass it.

    Returns
    -------
    used : int
        Keys in the table afterwards.
    stop : int
        The first sentence not counted (``n_sentences`` when all were).
    """
    n_sentences = len(offsets) - 1
    for s in range(first, n_sentences):
        if used + (offsets[s + 1] - offsets[s]) > limit:
            return used, s
        start = -1
        mid = 0
        length = 0
        for i in range(offsets[s], offsets[s + 1]):
            t = tokens[i]
            r = role[t]
            if r == WORD:
                if start >= 0 and length + nwords[t] <= max_len:
                    used += _add(pairs, mids, counts, start * n_ids + t, mid, 1)
                start = t
                mid = 0
                length = nwords[t]
            elif r == CONNECTOR:
                if start >= 0:
                    length += 1
                    if length + 1 > max_len:
                        start = -1
                    else:
                        mid = mid * radix + code[t]
            else:
                start = -1
    return used, n_sentences


# long: the joining walk mirrors the counting walk token by token
@njit(cache=True)
def join_candidates(tokens, offsets, role, code, nwords, n_ids, radix, max_len, t_pairs, t_mids, t_ids,
                    out_tokens, out_lengths):
    """Replace the candidates found in a term table by the terms' ids, left to right.

    Parameters
    ----------
    tokens, offsets, role, code, nwords, n_ids, radix, max_len
        As for :func:`count_candidates`.
    t_pairs, t_mids : ndarray, shape (capacity,)
        The term table's keys (see the module docstring).
    t_ids : int32 ndarray, shape (capacity,)
        The id each key is replaced by.
    out_tokens : int32 ndarray, shape (n_tokens,)
        Receives the joined stream.
    out_lengths : int64 ndarray, shape (n_sentences,)
        Receives each sentence's length after joining (never 0 for a
        non-empty sentence).

    Returns
    -------
    int
        Tokens written to ``out_tokens``.
    """
    n = 0
    for s in range(len(offsets) - 1):
        first = n
        start = -1
        pending = 0
        mid = 0
        length = 0
        end = offsets[s + 1]
        for i in range(offsets[s], end):
            t = tokens[i]
            r = role[t]
            if r == WORD:
                if start >= 0:
                    if length + nwords[t] <= max_len:
                        j = find(t_pairs, t_mids, start * n_ids + t, mid)
                        if j >= 0:
                            out_tokens[n] = t_ids[j]
                            n += 1
                            start = -1
                            continue
                    for k in range(pending, i):       # the open candidate stays as it was
                        out_tokens[n] = tokens[k]
                        n += 1
                start = t
                pending = i
                mid = 0
                length = nwords[t]
            elif r == CONNECTOR and start >= 0:
                length += 1
                if length + 1 > max_len:
                    for k in range(pending, i + 1):
                        out_tokens[n] = tokens[k]
                        n += 1
                    start = -1
                else:
                    mid = mid * radix + code[t]
            else:
                if start >= 0:
                    for k in range(pending, i):
                        out_tokens[n] = tokens[k]
                        n += 1
                    start = -1
                out_tokens[n] = t
                n += 1
        if start >= 0:
            for k in range(pending, end):
                out_tokens[n] = tokens[k]
                n += 1
        out_lengths[s] = n - first
    return n


@njit(cache=True)
def rehash(pairs, mids, counts, floor, new_pairs, new_mids, new_counts):
    """Copy the keys counted at least ``floor`` times into an empty table (to grow or prune one).

    Parameters
    ----------
    pairs, mids, counts : ndarray, shape (capacity,)
        The full table.
    floor : int
        Keys with lower counts are left out (1 keeps every key).
    new_pairs, new_mids, new_counts : ndarray, shape (new_capacity,)
        An empty table (``new_pairs`` all -1), large enough for the kept keys.

    Returns
    -------
    int
        Keys kept.
    """
    kept = 0
    for h in range(len(pairs)):
        if pairs[h] != EMPTY and counts[h] >= floor:
            kept += _add(new_pairs, new_mids, new_counts, pairs[h], mids[h], counts[h])
    return kept


@njit(cache=True)
def build_table(keys, key_mids, values, pairs, mids, out_values):
    """Fill an empty table with distinct keys and a value for each (the term table of a pass).

    Parameters
    ----------
    keys : int64 ndarray, shape (n,)
        Distinct ``pair`` keys.
    key_mids : int32 ndarray, shape (n,)
        Their connector digits.
    values : int32 ndarray, shape (n,)
        The value stored with each key.
    pairs, mids : ndarray, shape (capacity,)
        An empty table (``pairs`` all -1, ``capacity`` a power of two above ``n``).
    out_values : int32 ndarray, shape (capacity,)
        Receives the values in the keys' slots.
    """
    mask = len(pairs) - 1
    for i in range(len(keys)):
        h = _slot(keys[i], key_mids[i], mask)
        while pairs[h] != EMPTY:
            h = (h + 1) & mask
        pairs[h] = keys[i]
        mids[h] = key_mids[i]
        out_values[h] = values[i]
