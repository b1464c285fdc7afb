"""One pass over a corpus: what a corpus argument is, its tokens as first-seen ids, and mergeable counts.

A corpus is files (plain or compressed, directories, glob patterns, ``"-"``
for standard input; see :mod:`embkit.corpus.reading`) or sentences already
split into tokens (:class:`Sentences`).  :func:`scan` reads it once: every
token gets a provisional id, the index of its type in order of first
occurrence, and the ids go, a chunk of whole lines at a time, to an optional
sink (the encoder spills them to disk).  The result, a :class:`ScanResult`,
holds the types in order of first occurrence, their counts and the reading
statistics.

Shards: a corpus scanned in consecutive pieces gives, once the results are
merged in text order (``first.merge(second)``), the same types in the same
order, the same counts and the same statistics as one scan of the whole, so
the vocabulary built from it (by count, ties by first occurrence) is the same.
"""
import itertools
import logging
import os
from array import array

import numpy as np

from .._progress import bars_and_logs, progress_bar
from ..exceptions import CorpusError, ParameterTypeError
from .reading import STDIN, DecodeStats, expand_inputs, iter_lines
from .tokenize import make_tokenizer

log = logging.getLogger(__name__)

SPILL_TOKENS = 1 << 20
"""Tokens collected before a chunk goes to the sink (chunks end at line ends)."""


class Sentences:
    """Sentences already split into tokens, a corpus that needs no tokenizer.

    Parameters
    ----------
    sentences : iterable of sequences of str
        Read once, in order (a generator will do).
    lowercase : bool
        Lowercase every token.
    """

    def __init__(self, sentences, lowercase=False):
        self.sentences = sentences
        self.lowercase = bool(lowercase)

    def settings(self):
        """The tokenizer settings recorded in manifests (kind ``"given"``)."""
        return {"kind": "given", "lowercase": self.lowercase, "pattern": None}

    def __iter__(self):
        lower = self.lowercase
        for i, sent in enumerate(self.sentences):
            if isinstance(sent, (str, bytes)) or not isinstance(sent, (list, tuple)):
                raise CorpusError(f"sentence {i}: expected a list of str tokens, got {type(sent).__name__} "
                                  f"{_short(sent)}")
            for j, t in enumerate(sent):
                if not isinstance(t, str):
                    raise CorpusError(f"sentence {i}, token {j}: expected str, got {type(t).__name__} {_short(t)}")
                if not t or "\t" in t or "\n" in t or "\r" in t:
                    raise CorpusError(f"sentence {i}, token {j}: {_short(t)} is empty or holds a tab or line "
                                      "break, which no token may")
                if not t.isascii():
                    try:
                        t.encode("utf-8")
                    except UnicodeEncodeError:
                        raise CorpusError(f"sentence {i}, token {j}: {_short(t)} cannot be written as UTF-8 "
                                          "(a lone surrogate)") from None
                    if "\ufeff" in t:
                        raise CorpusError(f"sentence {i}, token {j}: {_short(t)} holds U+FEFF (a byte-order "
                                          "mark), which no token may")
            yield [t.lower() for t in sent] if lower else sent


def _short(value):
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class _PathIterator(list):
    """Paths from a one-shot iterator whose first item was already read."""


def _as_sentences(corpus):
    """``corpus`` as :class:`Sentences` when it holds token lists, else None.

    A list, tuple or iterator whose first item is a list or tuple is taken
    for sentences; anything else (paths, ``"-"``) is left to
    :func:`~embkit.corpus.reading.expand_inputs` (a one-shot iterator of
    paths comes back as a list, since its first item was read).

    Raises
    ------
    CorpusError
        A NumPy array, or an empty iterator.
    """
    if isinstance(corpus, Sentences):
        return corpus
    if isinstance(corpus, np.ndarray):
        raise CorpusError("a NumPy array is not a corpus: pass file paths, or sentences as lists of str tokens")
    if isinstance(corpus, (str, bytes, os.PathLike, dict)) or not hasattr(corpus, "__iter__"):
        return None
    if isinstance(corpus, (list, tuple)):
        return Sentences(corpus) if corpus and isinstance(corpus[0], (list, tuple)) else None
    it = iter(corpus)
    if it is not corpus:       # a re-iterable collection other than list/tuple: peek without consuming
        first = next(iter(corpus), None)
        return Sentences(corpus) if isinstance(first, (list, tuple)) else None
    first = next(it, None)
    if first is None:
        raise CorpusError("the corpus iterator is empty")
    rest = itertools.chain([first], it)
    if isinstance(first, (list, tuple)):
        return Sentences(rest)
    return _PathIterator(rest)


def _words_hint(corpus):
    """A hint when a missing 'file' looks like a list of words rather than paths."""
    if isinstance(corpus, (list, tuple)) and len(corpus) > 1 and all(
            isinstance(x, str) and os.sep not in x and "." not in x and not os.path.exists(x) for x in corpus[:20]):
        return ("; to train on words in memory, pass sentences as lists of tokens, "
                "e.g. [['the', 'cat', 'sat'], ...]")
    return ""


def corpus_source(corpus, tokenizer="whitespace", lowercase=False):
    """What to scan: the input files or the given sentences, and the tokenizer.

    Parameters
    ----------
    corpus : str, os.PathLike, sequence of them, or iterable of token lists
        See :meth:`embkit.EncodedCorpus.encode`.
    tokenizer : {"whitespace", "regex"} or Tokenizer
        Checked even for sentences, which it does not split (a warning says
        so when it is not the default).
    lowercase : bool

    Returns
    -------
    source : list of str or Sentences
        File paths (``"-"`` for standard input), or the sentences.
    tokenizer : Tokenizer or Sentences
        What splits the lines; for sentences, the sentences themselves
        (their ``settings()`` describe them).

    Raises
    ------
    CorpusError
        Missing inputs (with a hint when they look like words), a NumPy array
        or an empty iterator.
    EmbkitError
        An unknown tokenizer.
    """
    sentences = _as_sentences(corpus)
    if isinstance(sentences, Sentences):
        make_tokenizer(tokenizer, lowercase)     # validates the setting, though given tokens are not split
        if tokenizer != "whitespace":
            log.warning("tokenizer=%r is not used: the sentences are already split into tokens", tokenizer)
        source = Sentences(sentences.sentences, lowercase or sentences.lowercase)
        return source, source
    tok = make_tokenizer(tokenizer, lowercase)
    paths = list(sentences) if sentences is not None else corpus
    if not isinstance(paths, (str, os.PathLike)):
        iterable = hasattr(paths, "__iter__") and not isinstance(paths, (bytes, dict))
        bad = next((x for x in paths if not isinstance(x, (str, os.PathLike))), None) if iterable else paths
        if not iterable or bad is not None:
            raise ParameterTypeError("a corpus is a file path, a list of paths, an EncodedCorpus or sentences as "
                                     f"lists of str tokens, got {type(bad).__name__}", param="corpus")
    try:
        files = expand_inputs(paths)
    except CorpusError as exc:
        hint = _words_hint(corpus)
        if isinstance(exc, OSError):        # a missing input stays a FileNotFoundError too
            raise type(exc)(exc.errno, exc.strerror, exc.filename, message=str(exc) + hint) from None
        raise CorpusError(str(exc) + hint) from None
    return files, tok


def source_name(source):
    """How messages name a corpus.

    Parameters
    ----------
    source : list of str or Sentences
        From :func:`corpus_source` (a non-empty list of paths, ``"-"`` for
        standard input).

    Returns
    -------
    str
        ``"<sentences>"``, ``"<stdin>"``, the one file's path, or the first
        path followed by ``" (+N files)"``.
    """
    if isinstance(source, Sentences):
        return "<sentences>"
    if source == [STDIN]:
        return "<stdin>"
    return source[0] if len(source) == 1 else f"{source[0]} (+{len(source) - 1} files)"


class ScanResult:
    """Types, counts and reading statistics from one pass over a corpus or a shard of one.

    Parameters
    ----------
    types : list of str
        Distinct tokens in order of first occurrence.
    counts : array_like of int, shape (n_types,)
        Occurrences of each type.
    raw_tokens, lines, blank_lines, replaced_invalid_utf8 : int
        Tokens read; lines read (sentences given); lines without a token;
        invalid UTF-8 sequences replaced by U+FFFD.

    Attributes
    ----------
    types : list of str
    counts : ndarray of int64, shape (n_types,)
    raw_tokens, lines, blank_lines, replaced_invalid_utf8 : int
    """

    def __init__(self, types, counts, raw_tokens=0, lines=0, blank_lines=0, replaced_invalid_utf8=0):
        self.types = list(types)
        self.counts = np.asarray(counts, dtype=np.int64).reshape(-1)
        if len(self.types) != len(self.counts):
            raise ValueError(f"{len(self.types)} types but {len(self.counts)} counts")
        self.raw_tokens = int(raw_tokens)
        self.lines = int(lines)
        self.blank_lines = int(blank_lines)
        self.replaced_invalid_utf8 = int(replaced_invalid_utf8)
        self._index = None

    def __repr__(self):
        return f"<ScanResult {self.raw_tokens} tokens of {len(self.types)} types, {self.lines} lines>"

    def stats(self):
        """The statistics recorded in manifests.

        Returns
        -------
        dict
            ``raw_tokens``, ``lines``, ``blank_lines``,
            ``replaced_invalid_utf8`` and ``types`` (the number of types).
        """
        return {"raw_tokens": self.raw_tokens, "lines": self.lines, "blank_lines": self.blank_lines,
                "replaced_invalid_utf8": self.replaced_invalid_utf8, "types": len(self.types)}

    def merge(self, other):
        """The result of scanning this text followed by ``other``'s.

        Parameters
        ----------
        other : ScanResult
            The scan of the text that comes right after this one.

        Returns
        -------
        ScanResult
            This result's types, then ``other``'s new types in their order of
            first occurrence; counts and statistics summed.  Merging is
            associative (shards may be merged pairwise in any grouping) but not
            commutative: the order of the text decides ties in the vocabulary.
        """
        new = [t for t in other.types if t not in self.index]
        merged = ScanResult(self.types + new, np.concatenate((self.counts, np.zeros(len(new), np.int64))),
                            self.raw_tokens + other.raw_tokens, self.lines + other.lines,
                            self.blank_lines + other.blank_lines,
                            self.replaced_invalid_utf8 + other.replaced_invalid_utf8)
        merged.counts[other.id_map(merged)] += other.counts
        return merged

    @property
    def index(self):
        """Type to provisional id (dict), built on first use (``types`` is not to be changed)."""
        if self._index is None:
            self._index = {t: i for i, t in enumerate(self.types)}
        return self._index

    def id_map(self, merged):
        """For each of this result's provisional ids, the id of the same type in ``merged``.

        Parameters
        ----------
        merged : ScanResult
            A result that holds every type of this one (a merge including it).

        Returns
        -------
        ndarray of int64, shape (n_types,)
            Applied to an id stream of this shard (``id_map[ids]``), gives
            the ids of ``merged``.
        """
        index = merged.index
        return np.fromiter((index[t] for t in self.types), dtype=np.int64, count=len(self.types))


def _token_lines(source, tokenizer, encoding_errors, stats):
    """Token lists of every line: files through the tokenizer, or given sentences."""
    if isinstance(source, Sentences):
        for sent in source:
            stats.lines += 1
            yield sent
        return
    for path in source:
        for _, text in iter_lines(path, encoding_errors, stats):
            yield tokenizer(text)


class _FirstSeenIds(dict):
    """token -> provisional id, assigned in order of first occurrence."""

    def __missing__(self, key):
        value = self[key] = len(self)
        return value


def scan(source, tokenizer=None, encoding_errors="strict", sink=None, progress=False):
    """Read a corpus once: count its types and pass its tokens, as provisional ids, to ``sink``.

    Parameters
    ----------
    source : list of str or Sentences
        From :func:`corpus_source`.
    tokenizer : Tokenizer, optional
        Splits each line (unused for sentences).
    encoding_errors : {"strict", "replace"}
        See :func:`~embkit.corpus.reading.iter_lines`.
    sink : callable, optional
        Called as ``sink(ids, lengths)`` for consecutive chunks of whole
        non-blank lines, in order: ``ids`` an int32 ndarray of provisional
        ids (indices into ``types``), ``lengths`` an int64 ndarray of the
        tokens of each line.  Without a sink the ids are only counted.
    progress : bool
        Show a progress bar (tokens read).

    Returns
    -------
    ScanResult

    Raises
    ------
    CorpusError
        Invalid UTF-8 (strict), undecompressible input or bad sentences.
    """
    ids = _FirstSeenIds()
    getid = ids.__getitem__
    stats = DecodeStats()
    counts = np.zeros(0, dtype=np.int64)
    buf, lengths = array("i"), array("q")
    raw_tokens = blank = 0
    bar = progress_bar(progress, desc="reading corpus", unit=" tok", unit_scale=True, leave=False)

    def flush():
        nonlocal counts, raw_tokens
        chunk = np.frombuffer(buf, dtype=np.int32)
        raw_tokens += len(chunk)
        counts = np.concatenate((counts, np.zeros(len(ids) - len(counts), np.int64)))
        counts += np.bincount(chunk, minlength=len(ids)).astype(np.int64, copy=False)
        if sink is not None:
            sink(chunk, np.frombuffer(lengths, dtype=np.int64))
        if bar is not None:
            bar.update(len(chunk))

    with bars_and_logs():
        try:
            for toks in _token_lines(source, tokenizer, encoding_errors, stats):
                if not toks:
                    blank += 1
                    continue
                buf.extend(map(getid, toks))
                lengths.append(len(toks))
                if len(buf) >= SPILL_TOKENS:
                    flush()
                    buf, lengths = array("i"), array("q")
            if len(buf):
                flush()
        finally:
            if bar is not None:
                bar.close()
    return ScanResult(list(ids), counts, raw_tokens, stats.lines, blank, stats.replaced)


__all__ = ["Sentences", "ScanResult", "corpus_source", "scan", "source_name", "SPILL_TOKENS"]
