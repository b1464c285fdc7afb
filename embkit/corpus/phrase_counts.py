"""Phrase detection over an encoded corpus: counting candidates pass by pass, caching the counts, scoring.

The corpus must keep every token position (encoded with ``min_count=1``; see
:func:`embkit.corpus.encoded.encode_for_phrases`), so that no candidate spans
a word that encoding would have dropped.  Each pass reads it a chunk of whole
sentences at a time, joins the terms found by the earlier passes
(:func:`embkit.kernels.phrases.join_candidates`), counts unigrams and
candidates (:func:`embkit.kernels.phrases.count_candidates`), then scores the
candidates seen at least ``min_count`` times and keeps those scoring above
``threshold``; the next pass treats them as single tokens, so terms grow up
to ``max_len`` words.  Words seen fewer than ``min_count`` times (they cannot
be part of a candidate that reaches it), punctuation marks (:data:`BREAK`)
and words holding the delimiter are breaks.

Memory: the corpus is read a chunk at a time and only counts are held; the
candidate table grows as needed, or, under ``max_memory``, drops its rarest
entries when full (their counts are then lower bounds, as with gensim's
``max_vocab_size``).  Each pass's counts (unigrams, and the candidates seen
at least ``min_count`` times) are cached under ``$EMBKIT_CACHE/phrases/``
keyed by the encoded corpus, the counting settings and the terms of the
earlier passes, so scoring again with another threshold or scorer re-counts
nothing but the passes whose input changed.

Scores (``a``, ``b`` the first and last word or term, ``N`` the pass's
tokens, punctuation marks left out, connectors included):

* ``npmi``: ``log(p(ab) / (p(a) p(b))) / -log p(ab)``, in [-1, 1], with
  ``p(x) = count(x) / N`` (Bouma 2009);
* ``word2vec``: ``(count(ab) - min_count) / (count(a) count(b)) * N``
  (Mikolov et al. 2013, section 4, with delta = ``min_count``, as
  word2phrase).

References
----------
Bouma, G. (2009). Normalized (Pointwise) Mutual Information in Collocation
Extraction. Proceedings of GSCL, 31-40.
Justeson, J. S., Katz, S. M. (1995). Technical terminology: some linguistic
properties and an algorithm for identification in text. Natural Language
Engineering 1(1), 9-27.
Mikolov, T., Sutskever, I., Chen, K., Corrado, G., Dean, J. (2013).
Distributed Representations of Words and Phrases and their Compositionality.
NIPS 2013.
"""
import hashlib
import json
import logging
import os
import time

import numpy as np

from .._memory import format_size, parse_size
from .._progress import bars_and_logs, progress_bar
from ..exceptions import (
    CorpusError,
    FormatError,
    InvalidDataError,
    InvalidParameterError,
    MemoryBudgetError,
)
from ..formats._sniff import reports_damage, text_lines
from .cache import cache_key, cached
from .terms import BREAK

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
CHUNK_TOKENS = 1 << 20
"""Tokens read per chunk (whole sentences)."""
SLOT_BYTES = 16
"""Bytes per slot of the candidate table (int64 key, int32 connector digits, uint32 count)."""
MIN_SLOTS = 1 << 16
MAX_LOAD = 0.8

DEFAULT_CONNECTORS = ("a", "an", "the", "of", "in", "on", "at", "by", "for", "from", "to", "with", "de", "van",
                      "von")
"""Connector words of ``connectors="default"``: English articles and prepositions, which stand inside terms
("bank of england", "jack in the box", "state of the art"), and the particles of names and loan words
("vincent van gogh", "coup de grace").  Conjunctions are left out: "and" and "or" mostly join two terms
rather than make one ("salt and pepper" is the exception; add them with a connectors file); the patterns
of Justeson & Katz (1995) likewise admit prepositions inside terms, never conjunctions.  A connector may
stand inside a term, never at its ends."""

DEFAULT_THRESHOLDS = {"npmi": 0.5, "word2vec": 100.0}
"""The threshold each scorer uses by default (word2vec's is word2phrase's)."""


def connector_words(connectors="default", lowercase=False):
    """The connector words named by a ``connectors`` setting.

    Parameters
    ----------
    connectors : str, os.PathLike or iterable of str
        ``"default"`` (:data:`DEFAULT_CONNECTORS`), ``"none"``, the path of a
        UTF-8 file of one word per line (blank lines and ``#`` comments
        skipped), or the words themselves.
    lowercase : bool
        Lowercase them (for a lowercased corpus).

    Returns
    -------
    tuple of str
        Distinct words, sorted.

    Raises
    ------
    FormatError
        A file line holding more than one word.
    EmbkitError
        A missing file, or a word that is empty or holds whitespace.
    """
    if isinstance(connectors, (str, os.PathLike)):
        name = os.fspath(connectors)
        if name == "default":
            words = DEFAULT_CONNECTORS
        elif name == "none":
            words = ()
        elif os.path.isfile(name):
            words = _read_connectors(name)
        else:
            raise InvalidParameterError(f"connectors: {name!r} is neither 'default', 'none' nor an existing file")
    else:
        words = tuple(connectors)
    for w in words:
        if not isinstance(w, str) or not w or any(ch.isspace() for ch in w):
            raise InvalidDataError(f"connectors: {w!r} is not a word (empty or holds whitespace)")
    return tuple(sorted({w.lower() if lowercase else w for w in words}))


@reports_damage
def _read_connectors(path):
    words = []
    for lineno, line in text_lines(path):       # plain or compressed UTF-8
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if len(text.split()) != 1:
            raise FormatError(path, lineno, f"expected one connector word per line, found {text[:60]!r}")
        words.append(text)
    return words


class _Stage:
    """What one pass reads the corpus with: token roles, connector digits, words per token, and its terms."""

    def __init__(self, role, code, nwords):
        self.role = role                 # int8 per id
        self.code = code                 # int32 per id
        self.nwords = nwords             # int32 per id
        self.n_ids = len(role)
        self.table = None                # (pairs, mids, ids): the terms found by this pass, once scored

    def join(self, kp, tokens, offsets, radix, max_len):
        """The chunk with this stage's terms joined."""
        pairs, mids, ids = self.table
        out = np.empty(len(tokens), np.int32)
        lengths = np.empty(len(offsets) - 1, np.int64)
        n = kp.join_candidates(tokens, offsets, self.role, self.code, self.nwords, self.n_ids, radix, max_len,
                               pairs, mids, ids, out, lengths)
        new_offsets = np.zeros(len(offsets), np.int64)
        np.cumsum(lengths, out=new_offsets[1:])
        return out[:n], new_offsets

    def digest(self):
        """What the terms of this stage are, for the cache keys of later passes."""
        pairs, mids, ids = self.table
        h = hashlib.sha256(str(self.n_ids).encode())
        keep = pairs >= 0
        order = np.argsort(ids[keep], kind="stable")
        for arr in (pairs[keep][order], mids[keep][order]):
            h.update(np.ascontiguousarray(arr).tobytes())
        return h.hexdigest()


class _CountTable:
    """The candidate count table (see :mod:`embkit.kernels.phrases`), grown or pruned when full."""

    def __init__(self, max_bytes=None):
        self.max_slots = None if max_bytes is None else _max_slots(max_bytes)
        self.used = 0
        self.pruned_below = 0
        self._alloc(MIN_SLOTS)

    def _alloc(self, capacity):
        self.pairs = np.full(capacity, -1, np.int64)
        self.mids = np.zeros(capacity, np.int32)
        self.counts = np.zeros(capacity, np.uint32)

    @property
    def limit(self):
        """Keys the table may hold before it grows."""
        return int(MAX_LOAD * len(self.pairs))

    def count(self, kp, tokens, offsets, stage, radix, max_len):
        """Count a chunk's candidates, growing (or pruning) the table whenever it is full."""
        first, n_sentences = 0, len(offsets) - 1
        while True:
            self.used, first = kp.count_candidates(tokens, offsets, stage.role, stage.code, stage.nwords,
                                                   stage.n_ids, radix, max_len, self.pairs, self.mids, self.counts,
                                                   first, self.used, self.limit)
            if first == n_sentences:
                return
            self.make_room(kp, int(offsets[first + 1] - offsets[first]))

    def make_room(self, kp, n_new):
        """Room for ``n_new`` more keys: double the table, or prune it when at its size limit."""
        capacity = len(self.pairs)
        while self.used + n_new > MAX_LOAD * capacity:
            capacity *= 2
        if self.max_slots is not None and capacity > self.max_slots:
            capacity = max(len(self.pairs), _pow2_floor(self.max_slots))
            if n_new > MAX_LOAD * capacity // 2:
                raise MemoryBudgetError(f"a sentence of {n_new} tokens does not fit in a candidate table of "
                                        f"max_memory; raise it or lower max_sentence_length")
            self._rebuild(kp, capacity, self._floor(int(MAX_LOAD * capacity) - n_new))
        else:
            self._rebuild(kp, capacity, 1)

    def _floor(self, room):
        """The smallest count that leaves at most ``room`` keys (at most half the table)."""
        room = max(0, min(room, len(self.pairs) // 2))
        counts = self.counts[self.pairs >= 0]
        if len(counts) <= room:
            return 1
        kth = np.partition(counts, len(counts) - room - 1)[len(counts) - room - 1]
        return int(kth) + 1

    def _rebuild(self, kp, capacity, floor):
        old = (self.pairs, self.mids, self.counts)
        self._alloc(capacity)
        self.used = kp.rehash(*old, floor, self.pairs, self.mids, self.counts)
        if floor > 1:
            self.pruned_below = max(self.pruned_below, floor)

    def entries(self, min_count):
        """(pairs, mids, counts) of the keys counted at least ``min_count`` times, sorted by key."""
        keep = (self.pairs >= 0) & (self.counts >= min_count)
        pairs, mids, counts = self.pairs[keep], self.mids[keep], self.counts[keep].astype(np.int64)
        order = np.lexsort((mids, pairs))
        return pairs[order], mids[order], counts[order]


def _pow2_floor(n):
    return 1 << (int(n).bit_length() - 1)


def _max_slots(max_bytes):
    slots = parse_size(max_bytes) // SLOT_BYTES
    if slots < 2 * MIN_SLOTS:
        raise MemoryBudgetError(f"phrase counting needs at least {format_size(2 * MIN_SLOTS * SLOT_BYTES)} for its "
                                f"candidate table; max_memory={max_bytes!r} is less")
    return slots


def _chunks(enc, chunk_tokens):
    """(tokens, offsets) of consecutive groups of whole sentences of about ``chunk_tokens`` tokens."""
    bounds = enc.chunks(chunk_tokens)
    offsets = np.asarray(enc.offsets)
    for c in range(len(bounds) - 1):
        s0, s1 = int(bounds[c]), int(bounds[c + 1])
        t0, t1 = int(offsets[s0]), int(offsets[s1])
        yield enc.read_tokens(t0, t1), offsets[s0:s1 + 1] - t0


def _count_pass(enc, stages, radix, p, number, progress):
    """Unigram counts and the candidate table of one pass (the corpus read with the earlier passes' joins)."""
    from ..kernels import phrases as kp

    stage = stages[-1]
    unigrams = np.zeros(stage.n_ids, np.int64)
    table = _CountTable(p["max_memory"])
    bar = progress_bar(progress, total=len(enc.tokens), desc=f"counting phrases, pass {number}", unit=" tok",
                       unit_scale=True, leave=False)
    try:
        for tokens, offsets in _chunks(enc, CHUNK_TOKENS):
            read = len(tokens)
            for earlier in stages[:-1]:
                tokens, offsets = earlier.join(kp, tokens, offsets, radix, p["max_len"])
            unigrams += np.bincount(tokens, minlength=stage.n_ids)
            table.count(kp, tokens, offsets, stage, radix, p["max_len"])
            if bar is not None:
                bar.update(read)
    finally:
        if bar is not None:
            bar.close()
    return unigrams, table


def _pass_counts(enc, stages, radix, p, number, cache, cache_dir, progress):
    """The counts of pass ``number`` as a dict of arrays and figures, from the cache or counted now."""
    key = None
    if cache and enc.path is not None:
        key = cache_key({"v": FORMAT_VERSION, "corpus": enc.path.name, "vocab_sha256": enc.manifest.get("vocab_sha256"),
                         "tokens": int(len(enc.tokens)), "min_count": p["min_count"], "max_len": p["max_len"],
                         "connectors": list(p["_connectors"]), "delimiter": p["delimiter"],
                         "max_memory": None if p["max_memory"] is None else parse_size(p["max_memory"]),
                         "pass": number, "earlier": [s.digest() for s in stages[:-1]]})

    def build(directory):
        started = time.perf_counter()
        unigrams, table = _count_pass(enc, stages, radix, p, number, progress)
        pairs, mids, counts = table.entries(p["min_count"])
        for name, arr in (("unigrams", unigrams), ("pairs", pairs), ("mids", mids), ("counts", counts)):
            np.save(os.path.join(directory, f"{name}.npy"), arr)
        _write_manifest(directory, enc, unigrams, table, number, time.perf_counter() - started)

    def load(directory, in_cache):
        with open(os.path.join(directory, "manifest.json"), encoding="utf-8") as f:
            m = json.load(f)
        if m.get("format") != "embkit-phrase-counts" or m.get("format_version") != FORMAT_VERSION:
            raise CorpusError(f"{directory}: not phrase counts of format {FORMAT_VERSION}")
        out = {name: np.load(os.path.join(directory, f"{name}.npy")) for name in ("unigrams", "pairs", "mids",
                                                                                 "counts")}
        n_ids, pairs = stages[-1].n_ids, out["pairs"]
        if len(out["unigrams"]) != n_ids or not len(pairs) == len(out["mids"]) == len(out["counts"]) or (
                len(pairs) and (pairs.min() < 0 or pairs.max() >= n_ids * n_ids)):
            raise CorpusError(f"{directory}: damaged phrase counts")
        out.update(m)
        return out

    return cached("phrases", key, build, load, cache=bool(key), root=cache_dir, what="phrase counts")


def _write_manifest(directory, enc, unigrams, table, number, seconds):
    manifest = {"format": "embkit-phrase-counts", "format_version": FORMAT_VERSION, "pass": number,
                "tokens": int(unigrams.sum()), "candidates": int(table.used), "pruned_below": table.pruned_below,
                "vocab_size": int(len(unigrams)), "seconds": round(seconds, 3),
                "sources": enc.manifest.get("sources", [])}
    with open(os.path.join(directory, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)


def score(scorer, pair_counts, counts_a, counts_b, n_tokens, min_count):
    """Scores of candidates from their counts.

    Parameters
    ----------
    scorer : {"npmi", "word2vec"}
        See the module docstring.
    pair_counts, counts_a, counts_b : int64 ndarray, shape (n,)
        Counts of each candidate, of its first and of its last word or term.
    n_tokens : int
        Tokens of the pass (``N``).
    min_count : int
        The ``delta`` of the word2vec score.

    Returns
    -------
    float64 ndarray, shape (n,)
        npmi in [-1, 1] (1 where the candidate is the whole corpus), or the
        word2vec score.
    """
    cab = pair_counts.astype(np.float64)
    ca = counts_a.astype(np.float64)
    cb = counts_b.astype(np.float64)
    n = float(n_tokens)
    if scorer == "word2vec":
        return (cab - min_count) / (ca * cb) * n
    with np.errstate(divide="ignore", invalid="ignore"):
        pab = cab / n
        out = np.log(pab / ((ca / n) * (cb / n))) / -np.log(pab)
    out[pab >= 1.0] = 1.0
    return out


COMPILE_NOTICE = ("compiling the phrase kernels (first use, a few seconds; Numba caches them on disk for later "
                  "runs)")


def load_kernels():
    """Load (or compile) the phrase kernels, then hand back the pages LLVM's loading left resident.

    Returns
    -------
    bool
        Whether Numba compiled (its on-disk cache did not hold them yet).
    """
    from .._memory import release_library_pages
    from .._numba import compile_watch

    with compile_watch(COMPILE_NOTICE) as watch:
        from ..kernels import phrases as kp

        i8, i32, i64 = np.zeros(1, np.int8), np.zeros(1, np.int32), np.zeros(1, np.int64)
        pairs, mids, counts = np.full(16, -1, np.int64), np.zeros(16, np.int32), np.zeros(16, np.uint32)
        kp.count_candidates(i32, i64, i8, i32, i32, 1, 2, 4, pairs, mids, counts, 0, 0, 12)
        kp.join_candidates(i32, i64, i8, i32, i32, 1, 2, 4, pairs, mids, np.zeros(16, np.int32), i32.copy(),
                           np.zeros(0, np.int64))
        kp.rehash(pairs, mids, counts, 1, pairs.copy(), mids.copy(), counts.copy())
        kp.build_table(np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int32), pairs.copy(),
                       mids.copy(), np.zeros(16, np.int32))
    release_library_pages("libllvmlite")
    return watch["compiled"]


def _first_stage(vocab, p, connectors):
    """Roles, connector digits and words per token of the encoded corpus's own ids."""
    from ..kernels.phrases import BREAK as BREAK_ROLE
    from ..kernels.phrases import CONNECTOR, WORD

    n = len(vocab)
    role = np.where(vocab.counts >= p["min_count"], WORD, BREAK_ROLE).astype(np.int8)
    code = np.zeros(n, np.int32)
    for digit, word in enumerate(connectors, 1):
        i = vocab.index.get(word)
        if i is not None:
            role[i] = CONNECTOR
            code[i] = digit
    delimiter = p["delimiter"]
    for i, w in enumerate(vocab.words):
        if delimiter in w or w == BREAK:
            role[i] = BREAK_ROLE
            code[i] = 0
    return _Stage(role, code, np.ones(n, np.int32))


def _n_connectors(mids, radix):
    """How many connector digits each ``mid`` holds."""
    k = np.zeros(len(mids), np.int32)
    m = mids.astype(np.int64)
    while m.any():
        k += m > 0
        m //= radix
    return k


def _connector_ids(mid, radix):
    """The connector digits of one ``mid``, first to last."""
    digits = []
    while mid:
        digits.append(mid % radix)
        mid //= radix
    return digits[::-1]


def _scored_terms(counts, stage, p, break_id):
    """(keys, mids, pair counts, scores) of the candidates of one pass that score above the threshold."""
    unigrams, pairs, mids, pair_counts = counts["unigrams"], counts["pairs"], counts["mids"], counts["counts"]
    n_tokens = int(unigrams.sum()) - (int(unigrams[break_id]) if break_id is not None else 0)
    a, b = pairs // stage.n_ids, pairs % stage.n_ids
    scores = score(p["scorer"], pair_counts, unigrams[a], unigrams[b], n_tokens, p["min_count"])
    keep = scores > p["threshold"]
    return pairs[keep], mids[keep], pair_counts[keep], scores[keep], n_tokens


def _next_stage(stage, unigrams, keys, mids, radix, p):
    """The stage of the next pass: this one's ids (rare ones as breaks) and the new terms as words."""
    from ..kernels import phrases as kp

    n_new = len(keys)
    ids = np.arange(stage.n_ids, stage.n_ids + n_new, dtype=np.int32)
    capacity = 16
    while capacity < 2 * max(n_new, 1):
        capacity *= 2
    t_pairs, t_mids, t_ids = np.full(capacity, -1, np.int64), np.zeros(capacity, np.int32), np.zeros(capacity, np.int32)
    kp.build_table(keys, mids.astype(np.int32), ids, t_pairs, t_mids, t_ids)
    stage.table = (t_pairs, t_mids, t_ids)
    role = stage.role.copy()
    role[(role == kp.WORD) & (unigrams < p["min_count"])] = kp.BREAK
    a, b = keys // stage.n_ids, keys % stage.n_ids
    nwords = stage.nwords[a] + _n_connectors(mids, radix) + stage.nwords[b]
    return _Stage(np.concatenate((role, np.full(n_new, kp.WORD, np.int8))),
                  np.concatenate((stage.code, np.zeros(n_new, np.int32))),
                  np.concatenate((stage.nwords, nwords.astype(np.int32))))


class Detection:
    """The terms found in a corpus, pass by pass.

    Parameters
    ----------
    rows : list of (tuple of str, int, float, int)
        Each term's words, count, score and the pass that found it, best first.
    passes : list of dict
        Per pass: ``pass``, ``tokens`` (N), ``candidates`` (distinct ones
        counted), ``frequent`` (seen at least ``min_count`` times),
        ``terms`` (found), ``pruned_below`` and ``seconds``.
    """

    def __init__(self, rows, passes):
        self.rows = rows
        self.passes = passes


def detect(enc, p, cache=True, cache_dir=None, progress=True):
    """Find the terms of an encoded corpus that keeps every token position.

    Parameters
    ----------
    enc : EncodedCorpus
        Encoded with ``min_count=1`` and no ``max_vocab_size`` (every token kept).
    p : dict
        Checked settings: ``min_count``, ``threshold``, ``scorer``,
        ``passes``, ``max_len``, ``delimiter``, ``max_memory`` and
        ``_connectors`` (the connector words, see :func:`connector_words`).
    cache : bool
        Reuse and store each pass's counts (only for a cached corpus).
    cache_dir : str or os.PathLike, optional
        Overrides ``$EMBKIT_CACHE``.
    progress : bool
        Show a progress bar per pass.

    Returns
    -------
    Detection

    Raises
    ------
    EmbkitError
        Too many connector words for ``max_len`` (their digits would not fit
        in 31 bits).
    MemoryBudgetError
        ``max_memory`` below the smallest candidate table.
    """
    connectors = p["_connectors"]
    radix = len(connectors) + 1
    if radix ** max(p["max_len"] - 2, 0) >= 2**31:
        most = int((2**31) ** (1 / max(p["max_len"] - 2, 1))) - 1
        raise InvalidParameterError(f"{len(connectors)} connector words are too many for max_len={p['max_len']} "
                                    f"(at most {most}); give fewer, or a lower max_len")
    words, term_words = enc.vocab.words, []          # the words of each id: a vocabulary word, or a term

    def words_of(i):
        return (words[i],) if i < len(words) else term_words[i - len(words)]
    break_id = enc.vocab.index.get(BREAK)
    stages = [_first_stage(enc.vocab, p, connectors)]
    rows, passes, seen = [], [], set()
    with bars_and_logs():
        load_kernels()
        for number in range(1, p["passes"] + 1):
            started = time.perf_counter()
            counts = _pass_counts(enc, stages, radix, p, number, cache, cache_dir, progress)
            keys, mids, pair_counts, scores, n_tokens = _scored_terms(counts, stages[-1], p, break_id)
            n_ids = stages[-1].n_ids
            for key, mid, c, s in zip(keys.tolist(), mids.tolist(), pair_counts.tolist(), scores.tolist()):
                term = words_of(key // n_ids) + tuple(connectors[d - 1] for d in _connector_ids(mid, radix)) \
                    + words_of(key % n_ids)
                term_words.append(term)
                if term not in seen:             # a term of an earlier pass that a join left apart here
                    seen.add(term)
                    rows.append((term, c, s, number))
            passes.append({"pass": number, "tokens": n_tokens, "candidates": counts["candidates"],
                           "frequent": int(len(counts["pairs"])), "terms": int(len(keys)),
                           "pruned_below": counts["pruned_below"], "seconds": round(time.perf_counter() - started, 3)})
            _log_pass(passes[-1], p)
            if not len(keys) or number == p["passes"]:
                break
            stages.append(_next_stage(stages[-1], counts["unigrams"], keys, mids, radix, p))
    rows.sort(key=lambda r: (-r[2], -r[1], r[0]))
    return Detection(rows, passes)


def _log_pass(rec, p):
    if rec["pruned_below"]:
        log.warning("phrase counts reached max_memory=%s in pass %d: candidates seen fewer than %d times were "
                    "dropped while counting, so some counts are lower bounds", p["max_memory"], rec["pass"],
                    rec["pruned_below"], extra={"params": ("max_memory",)})
    log.info("phrases pass %d: %d tokens, %d distinct candidates, %d seen at least %d times, %d scoring above "
             "%g (%s), %.1f s", rec["pass"], rec["tokens"], rec["candidates"], rec["frequent"], p["min_count"],
             rec["terms"], p["threshold"], p["scorer"], rec["seconds"])


__all__ = ["detect", "Detection", "connector_words", "score", "DEFAULT_CONNECTORS", "DEFAULT_THRESHOLDS",
           "CHUNK_TOKENS"]
