"""Encoded corpora under a given vocabulary: re-encoding one without its text, and reading several as one.

Cross-corpus training (:mod:`embkit.models.compass`) encodes each corpus
once, keeping every word, then needs it again under other vocabularies (the
compass's, a slice's) and all corpora together.  :func:`restrict` derives
the encoding under a vocabulary from the token ids (no text is read again;
the result is cached next to the corpus it comes from), and
:class:`JoinedCorpus` reads several encodings that share a vocabulary one
after the other, as one corpus, without copying their tokens.
"""
import datetime
import json
import logging
from pathlib import Path

import numpy as np

from .._version import __version__
from ..exceptions import CorpusError
from .cache import cache_key, cached
from .encoded import FORMAT_VERSION, EncodedCorpus
from .scan import ScanResult
from .vocab import Vocabulary

log = logging.getLogger(__name__)

BLOCK_TOKENS = 1 << 20
"""Tokens read at a time when counting or re-encoding a corpus."""

__all__ = ["JoinedCorpus", "joint_vocabulary", "kept_vocabulary", "restrict", "token_counts"]


def token_counts(enc):
    """How often each vocabulary word occurs in an encoded corpus's tokens.

    A corpus encoded with a given vocabulary holds that vocabulary's counts,
    not its own; this counts the token ids themselves.

    Parameters
    ----------
    enc : EncodedCorpus

    Returns
    -------
    ndarray of int64, shape (len(enc.vocab),)
    """
    counts = np.zeros(len(enc.vocab), np.int64)
    n = int(enc.offsets[-1])
    for start in range(0, n, BLOCK_TOKENS):
        counts += np.bincount(enc.read_tokens(start, min(start + BLOCK_TOKENS, n)), minlength=len(counts))
    return counts


def joint_vocabulary(encs, min_count, max_vocab_size=None):
    """The vocabulary of several corpora together: words occurring at least ``min_count`` times over all.

    Counted from the token ids (:func:`token_counts`), so no text is read.

    Parameters
    ----------
    encs : sequence of EncodedCorpus
        The corpora, in order (each usually encoded with ``min_count=1``:
        words its own vocabulary dropped are not counted).
    min_count : int
    max_vocab_size : int, optional

    Returns
    -------
    Vocabulary
        Counts summed over the corpora; ordered by count, ties by the first
        corpus's vocabulary order, then the next one's.

    Raises
    ------
    CorpusError
        No word reaches ``min_count``.
    """
    merged = None
    for enc in encs:
        counts = token_counts(enc)
        seen = np.flatnonzero(counts)
        part = ScanResult([enc.vocab.words[i] for i in seen.tolist()], counts[seen], raw_tokens=enc.raw_tokens)
        merged = part if merged is None else merged.merge(part)
    settings = {"min_count": int(min_count), "max_vocab_size": max_vocab_size}
    vocab, _ = Vocabulary.from_scan(merged, min_count, max_vocab_size, settings=settings,
                                    source=f"the {len(encs)} corpora together")
    return vocab


def kept_vocabulary(enc, counts, min_count, within=None):
    """A corpus's words occurring at least ``min_count`` times in it (and in ``within``), with its own counts.

    Parameters
    ----------
    enc : EncodedCorpus
    counts : ndarray of int64, shape (len(enc.vocab),)
        :func:`token_counts` of ``enc``.
    min_count : int
    within : container of str, optional
        Keep only these words (e.g. a compass's).

    Returns
    -------
    Vocabulary
        By count, ties in ``enc``'s vocabulary order; possibly empty.
    """
    order = np.lexsort((np.arange(len(counts)), -counts))
    order = order[counts[order] >= min_count]
    words = enc.vocab.words
    if within is not None:
        order = np.array([i for i in order.tolist() if words[i] in within], dtype=np.int64)
    return Vocabulary([words[i] for i in order.tolist()], counts[order], settings={"min_count": int(min_count)})


def restrict(enc, vocab, vocab_settings, cache=True, cache_dir=None):
    """An encoded corpus re-encoded with ``vocab``, from its token ids (the text is not read again).

    Tokens of words outside ``vocab`` are dropped, and sentences left empty
    with them; the others keep their order and their sentence boundaries
    (a line that the source split at ``max_sentence_length`` tokens stays
    split where it was).

    Parameters
    ----------
    enc : EncodedCorpus
        The source, usually encoded with ``min_count=1``.
    vocab : Vocabulary
        The new vocabulary (kept as given, counts included: e.g. the
        compass's counts over every corpus); words of ``enc`` it lacks are
        dropped.
    vocab_settings : dict
        Recorded in the manifest as ``vocab_settings`` (``min_count``,
        ``max_vocab_size``, ``max_sentence_length``).
    cache : bool
        Store the result in the cache beside a cached source (a source that
        is not cached gives an uncached result).
    cache_dir : str or os.PathLike, optional
        Overrides ``$EMBKIT_CACHE``.

    Returns
    -------
    EncodedCorpus
        Its manifest keeps the source's text statistics (``raw_tokens``,
        ``lines``, ``types``, ``sources``) and gives the retained
        ``tokens`` and ``sentences``.

    Raises
    ------
    CorpusError
        No token of ``enc`` is in ``vocab``.
    """
    remap = np.array([vocab.index.get(w, -1) for w in enc.vocab.words], dtype=np.int32)
    counts = token_counts(enc)
    kept_total = int(counts[remap >= 0].sum())
    if kept_total == 0:
        raise CorpusError(f"{_name(enc)}: none of its {int(enc.offsets[-1])} tokens is in the vocabulary of "
                          f"{len(vocab)} words")
    key = None
    cache = bool(cache) and enc.path is not None
    if cache:
        key = cache_key({"v": FORMAT_VERSION, "restricted_from": Path(enc.path).name,
                         "source_vocab": enc.manifest.get("vocab_sha256"), "vocab": vocab.sha256(),
                         "vocab_settings": vocab_settings})

    def build(directory):
        _write_restricted(enc, vocab, remap, kept_total, vocab_settings, Path(directory))

    def load(directory, in_cache):
        out = EncodedCorpus.open(directory, mmap=in_cache)
        if not in_cache:
            out.path = None
        return out

    return cached("corpora", key, build, load, cache=cache, root=cache_dir, what="corpus")


def _name(enc):
    sources = enc.manifest.get("sources") or [{}]
    return sources[0].get("path") or "encoded corpus"


def _write_restricted(enc, vocab, remap, kept_total, vocab_settings, directory):
    """tokens.npy, offsets.npy, vocab.tsv and manifest.json of :func:`restrict` into ``directory``."""
    lengths = []
    with open(directory / "tokens.npy", "wb") as out:
        np.lib.format.write_array_header_1_0(
            out, {"descr": np.lib.format.dtype_to_descr(np.dtype(np.int32)), "fortran_order": False,
                  "shape": (kept_total,)})
        bounds = enc.chunks(BLOCK_TOKENS)
        for s0, s1 in zip(bounds[:-1], bounds[1:]):
            starts = enc.offsets[s0:s1 + 1]
            ids = remap[enc.read_tokens(int(starts[0]), int(starts[-1]))]
            keep = ids >= 0
            out.write(ids[keep].tobytes())
            # kept tokens of each sentence, from a running count (robust to empty sentences)
            running = np.concatenate(([0], np.cumsum(keep, dtype=np.int64)))
            lengths.append(np.diff(running[starts - starts[0]]))
    lengths = np.concatenate(lengths) if lengths else np.zeros(0, np.int64)
    lengths = lengths[lengths > 0]
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    assert offsets[-1] == kept_total
    np.save(directory / "offsets.npy", offsets)
    vocab.save(directory / "vocab.tsv")
    manifest = dict(enc.manifest)
    manifest.update({
        "format": "embkit-corpus", "format_version": FORMAT_VERSION, "embkit_version": __version__,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "vocab_sha256": vocab.sha256(), "vocab_size": len(vocab), "tokens": kept_total,
        "sentences": len(lengths), "vocab_settings": dict(vocab_settings),
        "restricted_from": {"tokens": int(enc.offsets[-1]), "vocab_size": len(enc.vocab),
                            "vocab_sha256": enc.manifest.get("vocab_sha256")},
    })
    with open(directory / "manifest.json", "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)


class _JoinedTokens:
    """Stands for the token array of a :class:`JoinedCorpus`: its length and resident size, no data."""

    dtype = np.dtype(np.int32)

    def __init__(self, parts):
        self.parts = parts

    def __len__(self):
        return sum(len(p.tokens) for p in self.parts)

    @property
    def shape(self):
        """(n_tokens,)."""
        return (len(self),)

    @property
    def nbytes(self):
        """Bytes the parts hold in memory (memory-mapped parts count nothing)."""
        return sum(0 if isinstance(p.tokens, np.memmap) else p.tokens.nbytes for p in self.parts)


_SUMMED = ("raw_tokens", "tokens", "sentences", "lines", "blank_lines", "lines_split", "replaced_invalid_utf8")


class JoinedCorpus(EncodedCorpus):
    """Several encoded corpora with one vocabulary, read one after the other as one corpus.

    Nothing is copied but the sentence offsets: :meth:`read_tokens` reads
    from the part (or parts) a range falls in, so the trainers see one
    corpus whose chunks may span parts (a sentence never does).

    Parameters
    ----------
    parts : sequence of EncodedCorpus
        At least one; all encoded with the same vocabulary (same words in
        the same order) and tokenizer.
    vocab : Vocabulary, optional
        The vocabulary to train with (default: the first part's); it must
        have the parts' words in their order (its counts may differ, e.g.
        the sums over every part).
    vocab_settings : dict, optional
        Recorded in the manifest (default: the first part's).

    Attributes
    ----------
    parts : list of EncodedCorpus
    starts : int64 ndarray, shape (n_parts + 1,)
        Corpus position at which each part starts, then the total.

    Raises
    ------
    EmbkitError
        No part, or parts with different vocabularies or tokenizers.
    """

    def __init__(self, parts, vocab=None, vocab_settings=None):
        self.parts = parts = list(parts)
        if not parts:
            raise CorpusError("a joined corpus needs at least one part")
        words = parts[0].vocab.words
        vocab = parts[0].vocab if vocab is None else vocab
        tokenizers = [p.manifest.get("tokenizer") or {} for p in parts]
        split = [t for t in tokenizers if t.get("kind") != "given"]      # given tokens fit any tokenizer
        for i, part in enumerate(parts):
            if part.vocab.words != words or vocab.words != words:
                raise CorpusError(f"part {i} of a joined corpus has another vocabulary than part 0")
            if split and tokenizers[i].get("kind") != "given" and tokenizers[i] != split[0]:
                raise CorpusError(f"the corpora were tokenised differently ({split[0]} and {tokenizers[i]}); "
                                  "encode them with the same tokenizer settings")
        self._tokenizer = split[0] if split else tokenizers[0]
        sizes = [int(p.offsets[-1]) for p in parts]
        self.starts = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        offsets = np.concatenate([parts[0].offsets[:1]] + [p.offsets[1:] + s for p, s in zip(parts, self.starts)])
        super().__init__(_JoinedTokens(parts), offsets.astype(np.int64), vocab,
                         self._joined_manifest(vocab, vocab_settings))

    def _joined_manifest(self, vocab, vocab_settings):
        first = self.parts[0].manifest
        manifest = {"format": "embkit-corpus", "format_version": FORMAT_VERSION, "embkit_version": __version__,
                    "vocab_sha256": vocab.sha256(), "vocab_size": len(vocab), "types": None,
                    "tokenizer": self._tokenizer, "encoding_errors": first.get("encoding_errors"),
                    "vocab_settings": dict(vocab_settings if vocab_settings is not None
                                           else first.get("vocab_settings") or {}),
                    "sources": [s for p in self.parts for s in p.manifest.get("sources") or []]}
        for k in _SUMMED:
            manifest[k] = sum(int(p.manifest.get(k) or 0) for p in self.parts)
        joined = [{k: (p.manifest.get("terms") or {}).get(k) for k in ("phrases", "terms")} for p in self.parts]
        if first.get("terms") and all(j == joined[0] for j in joined):     # the parts joined terms alike
            manifest["terms"] = {**joined[0], "count": None}
        return manifest

    def __repr__(self):
        return (f"<JoinedCorpus of {len(self.parts)} parts, {int(self.offsets[-1])} tokens, "
                f"{len(self.offsets) - 1} sentences, {len(self.vocab)} words>")

    def read_tokens(self, start, stop):
        """Tokens at corpus positions ``start:stop``, read from the parts they fall in.

        Parameters
        ----------
        start, stop : int
            Corpus positions, ``0 <= start <= stop <= n_tokens``.

        Returns
        -------
        ndarray of int32, shape (stop - start,)
        """
        first = int(np.searchsorted(self.starts, start, side="right")) - 1
        pieces = []
        i = max(first, 0)
        while start < stop and i < len(self.parts):
            base, end = int(self.starts[i]), int(self.starts[i + 1])
            if stop > base and start < end:
                pieces.append(self.parts[i].read_tokens(max(start, base) - base, min(stop, end) - base))
            i += 1
        if len(pieces) == 1:
            return pieces[0]
        return np.concatenate(pieces) if pieces else np.zeros(0, np.int32)
