"""Vocabulary: the words kept for training, with their corpus counts.

Order: by count, descending; words with equal counts keep the order of their
first occurrence in the corpus.  This rule is stable across runs, platforms
and ``PYTHONHASHSEED`` values (gensim orders ties by hash order or the
reverse of first occurrence; word2vec.c by an unstable ``qsort``).
"""
import hashlib

import numpy as np

from ..exceptions import CorpusError, FormatError, InvalidDataError
from ..formats._sniff import open_sniffed, reports_damage, text_output
from .scan import corpus_source, scan, source_name

_MAX_COUNT = 2**63 - 1


class Vocabulary:
    """Words with counts, most frequent first.

    Parameters
    ----------
    words : sequence of str
        Unique words in vocabulary order.
    counts : array_like of int, shape (n_words,)
        Corpus count of each word.
    settings : dict, optional
        How the vocabulary was made (``min_count``, ``max_vocab_size``, ...).

    Attributes
    ----------
    words : list of str
    counts : ndarray of int64, shape (n_words,)
    index : dict
        Word to row index.

    Raises
    ------
    EmbkitError
        Duplicate words or a length mismatch.
    """

    def __init__(self, words, counts, settings=None):
        self.words = list(words)
        self.counts = np.asarray(counts, dtype=np.int64).reshape(-1)
        if len(self.words) != len(self.counts):
            raise InvalidDataError(f"{len(self.words)} words but {len(self.counts)} counts")
        self.index = {w: i for i, w in enumerate(self.words)}
        if len(self.index) != len(self.words):
            seen = set()
            dup = next(w for w in self.words if w in seen or seen.add(w))
            raise InvalidDataError(f"duplicate word in vocabulary: {dup!r}")
        self.settings = dict(settings or {})

    def __len__(self):
        return len(self.words)

    def __contains__(self, word):
        return word in self.index

    def __getitem__(self, word):
        return self.index[word]

    def __repr__(self):
        return f"<Vocabulary of {len(self)} words, {self.total} tokens>"

    @property
    def total(self):
        """Sum of the counts (int)."""
        return int(self.counts.sum())

    def sha256(self):
        """SHA-256 hex digest of the words and counts in order."""
        h = hashlib.sha256()
        for w, c in zip(self.words, self.counts.tolist()):
            h.update(f"{w}\t{c}\n".encode("utf-8"))
        return h.hexdigest()

    @classmethod
    def from_counts(cls, types, counts, min_count=5, max_vocab_size=None, settings=None):
        """Prune and order counted types.

        Parameters
        ----------
        types : sequence of str
            Distinct tokens in order of first occurrence.
        counts : ndarray of int64, shape (n_types,)
            Their counts.
        min_count : int
            Drop words seen fewer times.
        max_vocab_size : int, optional
            Keep at most this many of the most frequent words (after
            ``min_count``; ties broken by first occurrence).
        settings : dict, optional
            Recorded as the vocabulary's ``settings``.

        Returns
        -------
        vocab : Vocabulary
            Possibly empty (:meth:`from_scan` turns that into an error).
        order : ndarray of int64, shape (n_words,)
            For each vocabulary row, its index in ``types``.
        """
        counts = np.asarray(counts, dtype=np.int64)
        order = np.lexsort((np.arange(len(counts)), -counts))
        order = order[counts[order] >= min_count]
        if max_vocab_size is not None:
            order = order[:max_vocab_size]
        return cls([types[i] for i in order.tolist()], counts[order], settings), order

    @classmethod
    def from_scan(cls, counted, min_count=5, max_vocab_size=None, settings=None, source="corpus"):
        """The vocabulary of a scanned corpus.

        Parameters
        ----------
        counted : embkit.corpus.scan.ScanResult
            Types in order of first occurrence with their counts (one scan,
            or the merged scans of consecutive shards).
        min_count, max_vocab_size
            As for :meth:`from_counts`.
        settings : dict, optional
            Recorded as :attr:`settings`.
        source : str
            How error messages name the corpus.

        Returns
        -------
        vocab : Vocabulary
        order : ndarray of int64, shape (n_words,)
            For each vocabulary row, its index in ``counted.types``.

        Raises
        ------
        CorpusError
            An empty corpus, or no word reaching ``min_count``.
        """
        vocab, order = cls.from_counts(counted.types, counted.counts, min_count, max_vocab_size, settings=settings)
        if len(vocab) == 0:
            raise empty_vocab_error(source, counted.raw_tokens, len(counted.types), min_count)
        return vocab, order

    @classmethod
    def build(cls, corpus, tokenizer="whitespace", lowercase=False, min_count=5, max_vocab_size=None,
              encoding_errors="strict", progress=True):
        """Count a corpus in one pass and return its vocabulary.

        Parameters
        ----------
        corpus : str, os.PathLike, sequence of them, or iterable of token lists
            Files (plain, ``.gz``, ``.bz2``, ``.xz``), directories, glob
            patterns or ``"-"`` (standard input), one sentence per line; or
            sentences already split into tokens.  As for
            :meth:`embkit.EncodedCorpus.encode`.
        tokenizer : {"whitespace", "regex"} or Tokenizer
            How lines are split (unused for sentences given as tokens).
        lowercase : bool
            Lowercase every line (or given token) first.
        min_count : int
            Words seen fewer times are dropped (default 5, as word2vec).
        max_vocab_size : int, optional
            Keep at most this many of the most frequent words (ties broken
            by first occurrence).
        encoding_errors : {"strict", "replace"}
            Invalid UTF-8 is an error naming file, line and byte offset, or
            is replaced by U+FFFD and counted.
        progress : bool
            Show a progress bar (tokens read).

        Returns
        -------
        Vocabulary

        Raises
        ------
        CorpusError
            Missing inputs, invalid UTF-8 (strict), an empty corpus, or no
            word reaching ``min_count``.
        EmbkitError
            An unknown tokenizer.
        """
        source, tok = corpus_source(corpus, tokenizer, lowercase)
        counted = scan(source, tok, encoding_errors, progress=progress)
        settings = {"min_count": int(min_count), "max_vocab_size": max_vocab_size}
        vocab, _ = cls.from_scan(counted, min_count, max_vocab_size, settings=settings, source=source_name(source))
        return vocab

    def save(self, path):
        """Write ``word<TAB>count`` lines (UTF-8) atomically.

        Parameters
        ----------
        path : str or os.PathLike
            The file to write (replaced only once complete; nothing is left
            under that name when a word cannot be written).

        Raises
        ------
        EmbkitError
            An empty word, or a word containing a tab, newline, carriage
            return or U+FEFF (which :meth:`load` drops); a ``path`` that is
            a directory, a device, pipe or socket, or in a directory that
            does not exist (see :mod:`embkit._outputs`).
        """
        with text_output(path, what="a vocabulary") as f:          # vocab.tsv.gz: compressed
            for w, c in zip(self.words, self.counts.tolist()):
                if "\t" in w or "\n" in w or "\r" in w or "\ufeff" in w or not w:
                    raise InvalidDataError(f"cannot write word {w!r} to a TSV vocabulary")
                f.write(f"{w}\t{c}\n")

    @classmethod
    def load(cls, path):
        """Read a vocabulary written by :meth:`save`.

        U+FEFF (a byte-order mark) is dropped wherever it stands.

        Parameters
        ----------
        path : str or os.PathLike
            A UTF-8 file of ``word<TAB>count`` lines, in vocabulary order.

        Returns
        -------
        Vocabulary
            With empty ``settings``.

        Raises
        ------
        FormatError
            A line that is not ``word<TAB>count`` with a count from 0 to
            2**63 - 1 in ASCII digits, invalid UTF-8, or a duplicate word;
            the message names file and line.
        FileAccessError
            When the file cannot be read (missing: also a FileNotFoundError).
        """
        return cls(*_read_vocab(path))


@reports_damage
def _read_vocab(path):
    """(words, counts) of a ``word<TAB>count`` file, plain or compressed; see :meth:`Vocabulary.load`."""
    words, counts, seen = [], [], set()
    f, to_close = open_sniffed(path, checked=True)      # plain or compressed (vocab -o vocab.tsv.gz)
    try:
        for lineno, raw in enumerate(f, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise FormatError(path, lineno, f"not valid UTF-8 ({exc.reason} at byte {exc.start} "
                                                f"of the line)") from None
            line = line.rstrip("\n").replace("\ufeff", "")
            parts = line.split("\t")
            if len(parts) != 2 or not parts[0] or "\r" in parts[0]:
                raise FormatError(path, lineno, f"expected 'word<TAB>count' (a word without carriage "
                                                f"returns), found {line[:60]!r}")
            word, count = parts[0], parts[1].rstrip("\r")
            if count.startswith("-") and count[1:].isascii() and count[1:].isdigit():
                raise FormatError(path, lineno, f"negative count {count[:30]}")
            if not (count.isascii() and count.isdigit()):
                raise FormatError(path, lineno, f"count is not an integer: {count[:30]!r}")
            if len(count.lstrip("0")) > 19 or int(count) > _MAX_COUNT:
                raise FormatError(path, lineno, f"count {count[:30]}{'...' if len(count) > 30 else ''} "
                                                f"is too large (at most {_MAX_COUNT})")
            if word in seen:
                raise FormatError(path, lineno, f"duplicate word {word!r}")
            seen.add(word)
            words.append(word)
            counts.append(int(count))
    finally:
        for handle in to_close:
            handle.close()
    return words, counts


def empty_vocab_error(source, raw_tokens, n_types, min_count, max_vocab_size=None):
    """The error to raise when pruning leaves no word.

    Parameters
    ----------
    source : str
        How the message names the corpus (see
        :func:`~embkit.corpus.scan.source_name`).
    raw_tokens : int
        Tokens read from the corpus; 0 gives the "0 tokens" message.
    n_types : int
        Distinct tokens read.
    min_count : int
        The threshold no word reached.
    max_vocab_size : int, optional
        Accepted for symmetry with the pruning settings; the message does
        not use it (``max_vocab_size >= 1`` alone never empties a
        vocabulary).

    Returns
    -------
    CorpusError
        Not raised: the caller raises it.
    """
    if raw_tokens == 0:
        return CorpusError(f"{source}: the corpus contains 0 tokens (nothing to train on)")
    return CorpusError(
        f"{source}: no word occurs at least min_count={min_count} times "
        f"(the corpus has {raw_tokens} tokens of {n_types} types); lower --min-count (min_count= in Python)")
