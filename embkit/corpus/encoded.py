"""The encoded corpus: token ids and sentence offsets, built once and cached.

Every training method reads the same arrays:

* ``tokens`` — int32 ndarray, shape (n_tokens,): vocabulary ids of the
  retained tokens (words below ``min_count`` are dropped), in corpus order.
* ``offsets`` — int64 ndarray, shape (n_sentences + 1,): sentence ``s`` is
  ``tokens[offsets[s]:offsets[s + 1]]``.  A sentence is one non-empty input
  line; a line with more than ``max_sentence_length`` retained tokens is split
  into consecutive pieces of that length (windows never cross a sentence).

Encoding makes one pass over the text (:func:`embkit.corpus.scan.scan`): each
token gets a provisional id in order of first occurrence, the counts come with
the id stream, and the pruned, count-ordered vocabulary is applied to the
stream with NumPy.  The result is stored under ``$EMBKIT_CACHE/corpora/<key>/``
(default ``~/.cache/embkit``) as ``tokens.npy``, ``offsets.npy``,
``vocab.tsv`` and ``manifest.json``, keyed by the input files (path, size,
mtime), the tokenizer and the vocabulary settings, and memory-mapped by later
runs; the least recently used entries are removed when the cache grows beyond
``$EMBKIT_CACHE_SIZE`` (default 10G; see :mod:`embkit.corpus.cache`).
Standard input and sentences given as token lists are encoded in one pass and
never cached.
"""
import datetime
import json
import logging
import os
import weakref
from pathlib import Path

import numpy as np

from .._version import __version__
from ..exceptions import CorpusError, InvalidParameterError, ParameterTypeError
from .cache import cache_key, cached, mark_in_use
from .reading import STDIN, file_signature, is_regular_file
from .scan import Sentences, corpus_source, scan, source_name
from .terms import BreakTokenizer, JoiningTokenizer, TermList, marks_breaks, phrases_settings, phrases_terms, read_terms
from .tokenize import TOKEN_RULES
from .vocab import Vocabulary, empty_vocab_error

log = logging.getLogger(__name__)

FORMAT_VERSION = 1


class _Chunks:
    """Provisional id chunks kept in a temporary file, with the line lengths of each."""

    def __init__(self, directory):
        self.path = Path(directory) / "stream.i32"
        self._f = open(self.path, "wb")
        self.sizes = []
        self.lengths = []

    def __call__(self, ids, lengths):
        ids.tofile(self._f)
        self.sizes.append(len(ids))
        self.lengths.append(lengths)

    def __iter__(self):
        """(ids, line lengths) of each chunk, in order."""
        # plain reads, not a memory map: a chunk's pages are freed once it is processed
        self._f.close()
        with open(self.path, "rb") as f:
            for n, lengths in zip(self.sizes, self.lengths):
                yield np.fromfile(f, dtype=np.int32, count=n), lengths


def _split_lengths(lengths, max_len):
    """Drop empty sentences and split those longer than ``max_len``."""
    lengths = lengths[lengths > 0]
    n_pieces = (lengths + max_len - 1) // max_len
    if n_pieces.size == 0 or n_pieces.max() <= 1:
        return lengths, 0
    out = np.full(int(n_pieces.sum()), max_len, dtype=np.int64)
    last = np.cumsum(n_pieces) - 1
    out[last] = lengths - (n_pieces - 1) * max_len
    return out, int((n_pieces > 1).sum())


def _vocabulary_ids(counted, vocab, vocab_settings, source):
    """(vocabulary, provisional id -> vocabulary id or -1, retained tokens) for a scan."""
    if counted.raw_tokens == 0:
        raise empty_vocab_error(source_name(source), 0, 0, vocab_settings["min_count"])
    if vocab is None:
        vocab, order = Vocabulary.from_scan(counted, vocab_settings["min_count"], vocab_settings["max_vocab_size"],
                                            settings=vocab_settings, source=source_name(source))
        remap = np.full(len(counted.types), -1, dtype=np.int32)
        remap[order] = np.arange(len(order), dtype=np.int32)
        return vocab, remap, vocab.total
    remap = np.array([vocab.index.get(t, -1) for t in counted.types], dtype=np.int32)
    kept_total = int(counted.counts[remap >= 0].sum())
    if kept_total == 0:
        raise CorpusError(f"{source_name(source)}: none of the corpus's {counted.raw_tokens} tokens is in the "
                          "given vocabulary")
    return vocab, remap, kept_total


def _write_tokens(path, chunks, remap, kept_total):
    """Write the retained tokens as a .npy file; return the retained tokens of each line."""
    line_kept = []
    pos = 0
    with open(path, "wb") as out:
        # written with ordinary writes (a writable memory map would keep its dirty pages resident)
        np.lib.format.write_array_header_1_0(
            out, {"descr": np.lib.format.dtype_to_descr(np.dtype(np.int32)), "fortran_order": False,
                  "shape": (kept_total,)})
        for c, lens in chunks:
            ids = remap[c]
            keep = ids >= 0
            kept = ids[keep]
            out.write(kept.tobytes())
            pos += len(kept)
            starts = np.concatenate(([0], np.cumsum(lens)[:-1]))
            line_kept.append(np.add.reduceat(keep, starts, dtype=np.int64))
    assert pos == kept_total
    return np.concatenate(line_kept) if line_kept else np.zeros(0, np.int64)


def _encode_into(source, tokenizer, vocab_settings, encoding_errors, workdir, progress, vocab=None, terms=None):
    """Scan, prune and write tokens.npy/offsets.npy/vocab.tsv/manifest.json into workdir."""
    workdir = Path(workdir)
    chunks = _Chunks(workdir)
    reading = source, tokenizer
    if terms is not None:
        reading = ((_JoinedSentences(source.sentences, source.lowercase, terms), tokenizer)
                   if isinstance(source, Sentences) else (source, JoiningTokenizer(tokenizer, terms)))
    counted = scan(*reading, encoding_errors, chunks, progress)
    vocab, remap, kept_total = _vocabulary_ids(counted, vocab, vocab_settings, source)
    lengths = _write_tokens(workdir / "tokens.npy", chunks, remap, kept_total)
    chunks.path.unlink()
    lengths, n_split = _split_lengths(lengths, vocab_settings["max_sentence_length"])
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    np.save(workdir / "offsets.npy", offsets)
    vocab.save(workdir / "vocab.tsv")
    manifest = {
        "format": "embkit-corpus",
        "format_version": FORMAT_VERSION,
        "embkit_version": __version__,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "vocab_sha256": vocab.sha256(),
        "vocab_size": len(vocab),
        "tokens": kept_total,
        "sentences": len(lengths),
        "lines_split": n_split,
        **counted.stats(),
        "tokenizer": tokenizer.settings(),
        "vocab_settings": vocab_settings,
        "encoding_errors": encoding_errors,
        "sources": ([{"path": "<sentences>"}] if isinstance(source, Sentences)
                    else [{"path": "-"} if f == STDIN else file_signature(f) for f in source]),
    }
    if terms is not None:
        words = set(vocab.words)
        kept = sum(terms.delimiter.join(t) in words for t in terms.terms)
        manifest["terms"] = {**terms.source, "count": len(terms), "delimiter": terms.delimiter,
                             "sha256": terms.sha256(), "in_vocabulary": kept}
    with open(workdir / "manifest.json", "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)


def _report(manifest, source):
    """Warn about what encoding changed in the text (each time the encoding is used, cached or not)."""
    n_split = manifest.get("lines_split") or 0
    if n_split:
        log.warning("%s: %d line(s) longer than max_sentence_length=%d tokens were split into consecutive "
                    "sentences (no token dropped)", source, n_split,
                    (manifest.get("vocab_settings") or {}).get("max_sentence_length"))
    terms = manifest.get("terms") or {}
    if terms.get("in_vocabulary") is not None:
        min_count = (manifest.get("vocab_settings") or {}).get("min_count")
        (log.warning if not terms["in_vocabulary"] else log.info)(
            "%s: %d of the %d terms joined occur at least min_count=%s times%s", source, terms["in_vocabulary"],
            terms["count"], min_count, "" if terms["in_vocabulary"] else
            " (check the terms' case and tokenisation against the corpus's)")
    replaced = manifest.get("replaced_invalid_utf8") or 0
    if replaced:
        log.warning("%s: replaced %d invalid UTF-8 sequence(s) with U+FFFD", source, replaced)


class EncodedCorpus:
    """A corpus as arrays of vocabulary ids, shared by every training method.

    Build one with :meth:`encode` (cached) or open a built one with :meth:`open`;
    the constructor takes arrays that are already consistent and checks
    nothing.  Each parameter is kept as the attribute of the same name.

    Parameters
    ----------
    tokens : ndarray of int32, shape (n_tokens,)
        Retained token ids, each in ``[0, len(vocab))`` (memory-mapped when
        read from the cache: the file is then kept open and marked in use
        for the corpus's lifetime, see
        :func:`~embkit.corpus.cache.mark_in_use`).
    offsets : ndarray of int64, shape (n_sentences + 1,)
        Sentence boundaries into ``tokens``: ``offsets[0] == 0``,
        non-decreasing, ``offsets[-1] == n_tokens``.
    vocab : Vocabulary
        The vocabulary; ``vocab.counts`` are corpus counts.
    manifest : dict
        Statistics (``raw_tokens``, ``tokens``, ``sentences``, ``lines``,
        ``blank_lines``, ``lines_split``, ``types``, ...), the tokenizer and
        vocabulary settings and the source files.
    path : pathlib.Path, optional
        The cache directory, or None for an uncached (stdin) corpus.
    """

    def __init__(self, tokens, offsets, vocab, manifest, path=None):
        self.tokens = tokens
        self.offsets = offsets
        self.vocab = vocab
        self.manifest = manifest
        self.path = path
        self._fd = None
        if isinstance(tokens, np.memmap) and tokens.filename:
            # Kept open for the corpus's lifetime: reads go on even if the cache entry is removed
            # meanwhile (another process's eviction or `embkit cache clear`), and the shared lock
            # tells those to leave the entry alone while it is in use.
            self._fd = os.open(tokens.filename, os.O_RDONLY)
            weakref.finalize(self, os.close, self._fd)
            mark_in_use(self._fd)

    def __repr__(self):
        return (f"<EncodedCorpus {self.manifest.get('tokens')} tokens, {len(self.offsets) - 1} sentences, "
                f"{len(self.vocab)} words>")

    def read_tokens(self, start, stop):
        """Tokens at corpus positions ``start:stop``.

        A cached corpus is read with ordinary file reads rather than through
        its memory map, so training never holds the whole corpus in
        resident memory (it stays in the operating system's page cache).

        Parameters
        ----------
        start, stop : int
            Corpus positions (token indices), ``0 <= start <= stop <= n_tokens``.

        Returns
        -------
        ndarray of int32, shape (stop - start,)
            A fresh C-contiguous array (never a view of the memory map).

        Raises
        ------
        EmbkitError
            The cache file is shorter than its header says, or an id lies
            outside the vocabulary (a damaged cache entry; the message says
            to run ``embkit cache clear``).
        """
        tokens = self.tokens
        if self._fd is not None:
            out = np.empty(stop - start, dtype=np.int32)
            view = memoryview(out).cast("B")
            got, pos = 0, tokens.offset + 4 * start
            while got < out.nbytes:
                n = os.preadv(self._fd, [view[got:]], pos + got)
                if n <= 0:
                    break
                got += n
            if got != out.nbytes:
                raise CorpusError(f"{tokens.filename}: encoded corpus is truncated; run `embkit cache clear` "
                                  "and retry")
        else:
            out = np.ascontiguousarray(tokens[start:stop])
        if out.size and (int(out.min()) < 0 or int(out.max()) >= len(self.vocab)):
            # a damaged cache file must not reach the kernels, which trust their indices
            raise CorpusError(f"{self.path or 'encoded corpus'}: token ids outside the vocabulary of "
                              f"{len(self.vocab)} words (damaged cache); run `embkit cache clear` and retry")
        return out

    @property
    def n_sentences(self):
        """Number of sentences (int)."""
        return len(self.offsets) - 1

    @property
    def raw_tokens(self):
        """Tokens in the text before vocabulary pruning (int)."""
        return int(self.manifest["raw_tokens"])

    def chunks(self, chunk_tokens=8192):
        """Cut the corpus into chunks of whole sentences of about ``chunk_tokens`` tokens.

        A chunk ends at the first sentence boundary at or after each multiple
        of ``chunk_tokens``.  The chunks depend only on the corpus, never on
        the number of threads, so the work (and each chunk's random stream)
        is the same however it is shared out.

        Parameters
        ----------
        chunk_tokens : int
            Target tokens per chunk (>= 1).

        Returns
        -------
        int64 ndarray, shape (n_chunks + 1,)
            Sentence index at which each chunk starts, then ``n_sentences``;
            chunk ``c`` is sentences ``bounds[c]:bounds[c + 1]``.
        """
        offsets = self.offsets
        targets = np.arange(chunk_tokens, int(offsets[-1]), chunk_tokens, dtype=np.int64)
        cuts = np.searchsorted(offsets, targets, side="left")
        return np.unique(np.concatenate(([0], cuts, [len(offsets) - 1]))).astype(np.int64)

    @classmethod
    def open(cls, path, mmap=True):
        """Open an encoded corpus directory.

        Parameters
        ----------
        path : str or os.PathLike
            A directory written by :meth:`encode` (``manifest.json``,
            ``tokens.npy``, ``offsets.npy``, ``vocab.tsv``).
        mmap : bool
            Memory-map ``tokens.npy`` read-only (default) instead of reading
            it into memory; ``offsets.npy`` is always read.

        Returns
        -------
        EncodedCorpus

        Raises
        ------
        EmbkitError
            A missing or unreadable ``manifest.json``, an unknown format
            version, or arrays and vocabulary that disagree with each other
            or with the manifest.
        FormatError
            A malformed ``vocab.tsv``.
        OSError
            ``tokens.npy``, ``offsets.npy`` or ``vocab.tsv`` cannot be read.
        """
        path = Path(path)
        try:
            with open(path / "manifest.json", encoding="utf-8") as f:
                manifest = json.load(f)
        except (OSError, ValueError) as exc:
            raise CorpusError(f"{path}: not an encoded corpus ({exc})") from None
        if manifest.get("format") != "embkit-corpus" or manifest.get("format_version") != FORMAT_VERSION:
            raise CorpusError(f"{path}: unsupported encoded corpus format {manifest.get('format_version')!r}")
        mode = "r" if mmap else None
        tokens = np.load(path / "tokens.npy", mmap_mode=mode)
        offsets = np.load(path / "offsets.npy")
        if (tokens.ndim != 1 or tokens.dtype != np.int32 or offsets.ndim != 1 or offsets.dtype != np.int64
                or len(offsets) < 1 or offsets[0] != 0 or offsets[-1] != len(tokens)
                or (len(offsets) > 1 and np.any(np.diff(offsets) < 0))):
            raise CorpusError(f"{path}: tokens.npy and offsets.npy do not agree (damaged encoded corpus)")
        vocab = Vocabulary.load(path / "vocab.tsv")
        if manifest.get("vocab_sha256") not in (None, vocab.sha256()) or len(vocab) != manifest.get(
                "vocab_size", len(vocab)):
            raise CorpusError(f"{path}: vocab.tsv does not match the manifest (damaged encoded corpus)")
        vocab.settings = manifest.get("vocab_settings", {})
        return cls(tokens, offsets, vocab, manifest, path)

    @classmethod
    def encode(cls, corpus, tokenizer="whitespace", lowercase=False, min_count=5, max_vocab_size=None,
               max_sentence_length=10000, encoding_errors="strict", vocab=None, cache=True,
               cache_dir=None, progress=True, phrases=None, terms=None):
        """Read, count and encode a corpus (or reuse its cached encoding).

        Parameters
        ----------
        corpus : str, os.PathLike, sequence of them, or iterable of token lists
            Files (plain, ``.gz``, ``.bz2``, ``.xz``), directories, glob
            patterns or ``"-"`` (standard input), one sentence per line; or
            sentences already split into tokens (a list of lists of str, as
            gensim takes, or a generator of them; read once, never cached,
            the tokenizer unused).
        tokenizer : {"whitespace", "regex"} or Tokenizer
        lowercase : bool
        min_count : int
            Words seen fewer times are dropped (default 5, as word2vec).
        max_vocab_size : int, optional
            Keep at most this many of the most frequent words.
        max_sentence_length : int
            Longer lines are split into consecutive sentences of this many
            retained tokens (none are dropped; the count is logged).
        encoding_errors : {"strict", "replace"}
            Invalid UTF-8 is an error naming file, line and byte offset, or is
            replaced by U+FFFD and counted.
        vocab : Vocabulary, optional
            Use this vocabulary instead of building one (tokens outside it are
            dropped; ``min_count`` and ``max_vocab_size`` are then ignored).
        cache : bool
            Reuse and store the encoding in the cache directory.
        cache_dir : str or os.PathLike, optional
            Overrides ``$EMBKIT_CACHE``.
        progress : bool
            Show a progress bar while reading.
        phrases : str or os.PathLike, optional
            Join multi-word terms into single tokens (``new_york``): those of
            a phrases file (``embkit phrases``), or ``"auto"`` to detect them
            first with :class:`embkit.Phrases`' defaults.
        terms : str, os.PathLike or TermList, optional
            Join these too: a terms file (one term per line, words separated
            by spaces) or a :class:`~embkit.corpus.terms.TermList`.  See
            :mod:`embkit.corpus.terms` (longest match first, never across
            punctuation); both are part of the cache key.

        Returns
        -------
        EncodedCorpus

        Raises
        ------
        CorpusError
            Missing inputs, invalid UTF-8 (strict), 0 tokens, or no word
            reaching ``min_count``.
        FormatError
            A malformed phrases or terms file (naming file and line).
        """
        source, tok = corpus_source(corpus, tokenizer, lowercase)
        vocab_settings = _vocab_settings(source, min_count, max_vocab_size, max_sentence_length, encoding_errors)
        term_list = None
        if phrases is not None or terms is not None:
            source, term_list = _term_list(source, tok, phrases, terms, dict(
                max_sentence_length=max_sentence_length, encoding_errors=encoding_errors, cache=cache,
                cache_dir=cache_dir, progress=progress))
        # standard input, pipes and devices are read once and never cached (their name says nothing of the data)
        cache = bool(cache) and not isinstance(source, Sentences) and all(is_regular_file(f) for f in source)
        key = _key(source, tok, vocab_settings, encoding_errors, vocab, term_list) if cache else None

        def build(directory):
            _encode_into(source, tok, vocab_settings, encoding_errors, directory, progress, vocab, term_list)

        def load(directory, in_cache):
            enc = cls.open(directory, mmap=in_cache)
            if not in_cache:
                enc.path = None            # the directory is about to go
            return enc

        enc = cached("corpora", key, build, load, cache=cache, root=cache_dir, what="corpus")
        _report(enc.manifest, source_name(source))
        return enc


def _key(source, tok, vocab_settings, encoding_errors, vocab, term_list):
    """The cache key of an encoding: its files' signatures and every setting that changes it."""
    fields = {"v": FORMAT_VERSION, "sources": [file_signature(f) for f in source],
              "tokenizer": tok.settings(), "vocab": vocab_settings, "encoding_errors": encoding_errors,
              "given_vocab": vocab.sha256() if vocab is not None else None, "token_rules": TOKEN_RULES}
    if term_list is not None:          # only then: the keys of corpora without terms stay as they were
        fields["terms"] = term_list.sha256()
        # where the terms came from is recorded in the manifest and checked against the settings, so the same
        # terms from a phrases file and from phrases="auto" are two entries
        fields["terms_from"] = {k: (os.fspath(v) if isinstance(v, os.PathLike) else v)
                                for k, v in sorted(term_list.source.items())}
    return cache_key(fields)


def _vocab_settings(source, min_count, max_vocab_size, max_sentence_length, encoding_errors):
    """The vocabulary settings recorded in the manifest, once checked."""
    if not isinstance(source, Sentences) and STDIN in source and len(source) > 1:
        raise CorpusError("standard input ('-') cannot be combined with files")
    for name, value, low in (("min_count", min_count, 1), ("max_sentence_length", max_sentence_length, 1)):
        if int(value) < low:
            raise InvalidParameterError(f"{name} must be >= {low}, got {value}")
    if max_vocab_size is not None and int(max_vocab_size) < 1:
        raise InvalidParameterError(f"max_vocab_size must be >= 1, got {max_vocab_size}")
    if encoding_errors not in ("strict", "replace"):
        raise InvalidParameterError(f"encoding_errors must be 'strict' or 'replace', got {encoding_errors!r}")
    return {"min_count": int(min_count), "max_vocab_size": None if max_vocab_size is None else int(max_vocab_size),
            "max_sentence_length": int(max_sentence_length)}


class _JoinedSentences(Sentences):
    """Given sentences with a term list's terms joined (after lowercasing)."""

    def __init__(self, sentences, lowercase, terms):
        super().__init__(sentences, lowercase)
        self.terms = terms

    def __iter__(self):
        join = self.terms.join
        for sent in super().__iter__():
            yield join(list(sent))


def _term_list(source, tok, phrases, terms, settings):
    """(source, TermList): the terms of ``phrases`` and ``terms`` (None when there are none).

    Sentences given as a one-shot iterator come back as a list when
    ``phrases="auto"`` (they are read twice).
    """
    found = []
    if phrases is not None:
        if isinstance(phrases, str) and phrases == "auto":
            source, auto = _detected_terms(source, tok, settings)
            found.append(auto)
        elif isinstance(phrases, TermList):              # terms detected already (e.g. over every slice)
            found.append(phrases)
        elif isinstance(phrases, (str, os.PathLike)):
            found.append(phrases_terms(phrases))
            _check_phrases_tokens(phrases, tok)
        else:
            raise ParameterTypeError(f"phrases must be 'auto' or the path of a phrases file, "
                                     f"got {type(phrases).__name__}")
    if terms is not None:
        if isinstance(terms, TermList):
            found.append(terms)
        elif isinstance(terms, (str, os.PathLike)):
            reader = None if isinstance(tok, Sentences) else BreakTokenizer.like(tok) if marks_breaks(tok) else tok
            found.append(read_terms(terms, reader))      # split as the corpus is, breaks included
        else:
            raise ParameterTypeError(f"terms must be the path of a terms file or a TermList, "
                                     f"got {type(terms).__name__}")
    merged = found[0]
    for other in found[1:]:
        merged = merged.merged(other)
    if tok.lowercase:
        merged = merged.lowercased()
    if not len(merged):
        log.warning("no terms to join (%s)", ", ".join(f"{k} {v}" for k, v in merged.source.items()))
        return source, None
    return source, merged


def _check_phrases_tokens(path, tok):
    """Warn when a phrases file was detected on tokens split or cased otherwise than this corpus's."""
    if isinstance(tok, Sentences) or not hasattr(tok, "kind"):
        return
    found = phrases_settings(path)
    theirs = {k: found[k] for k in ("tokenizer", "lowercase") if found.get(k) is not None}
    ours = {"tokenizer": tok.kind, "lowercase": bool(tok.lowercase)}
    differ = {k: v for k, v in theirs.items() if v != ours[k]}
    if differ:
        log.warning("%s was detected with %s but this corpus is read with %s: terms tokenised or cased "
                    "otherwise do not join; read the corpus the same way", path,
                    ", ".join(f"{k}={v!r}" for k, v in theirs.items()),
                    ", ".join(f"{k}={ours[k]!r}" for k in theirs), extra={"params": ("tokenizer", "lowercase")})


def detect_terms(corpus, tokenizer="whitespace", lowercase=False, max_sentence_length=10000,
                 encoding_errors="strict", cache=True, cache_dir=None, progress=True):
    """The terms ``phrases="auto"`` joins, detected once over ``corpus`` (e.g. every slice of an alignment).

    Parameters
    ----------
    corpus : str, os.PathLike, sequence of them, or iterable of token lists
    tokenizer : {"whitespace", "regex"}
    lowercase : bool
    max_sentence_length : int
    encoding_errors : {"strict", "replace"}
    cache : bool
    cache_dir : str or os.PathLike, optional
    progress : bool
        As for :meth:`EncodedCorpus.encode`.

    Returns
    -------
    TermList
        With ``source`` ``{"phrases": "auto"}``: given as ``phrases`` to
        :meth:`EncodedCorpus.encode`, a corpus is encoded (and cached) as
        with ``phrases="auto"``, with these terms.
    """
    source, tok = corpus_source(corpus, tokenizer, lowercase)
    _, found = _detected_terms(source, tok, dict(max_sentence_length=max_sentence_length,
                                                 encoding_errors=encoding_errors, cache=cache, cache_dir=cache_dir,
                                                 progress=progress))
    return found.lowercased() if tok.lowercase else found


def _detected_terms(source, tok, settings):
    """(source, TermList) of the terms that phrase detection with its defaults finds in ``source``."""
    from .. import _params
    from .phrase_counts import DEFAULT_THRESHOLDS, connector_words, detect

    if isinstance(source, Sentences):
        if not isinstance(source.sentences, (list, tuple)):
            source = Sentences(list(source.sentences), source.lowercase)
    elif STDIN in source:
        raise CorpusError("phrases='auto' reads the corpus twice, and standard input can be read only once; "
                          "save it to a file first")
    enc = encode_for_phrases(source, tok, **settings)
    p = {prm.name: prm.default for prm in _params.PHRASES}
    p["threshold"] = DEFAULT_THRESHOLDS[p["scorer"]]
    p["_connectors"] = connector_words(p["connectors"], tok.lowercase)
    found = detect(enc, p, cache=settings["cache"], cache_dir=settings["cache_dir"], progress=settings["progress"])
    log.info("phrases='auto': %d terms detected", len(found.rows))
    return source, TermList([words for words, _, _, _ in found.rows], p["delimiter"], {"phrases": "auto"})


def encode_for_phrases(source, tok, max_sentence_length=10000, encoding_errors="strict", cache=True,
                       cache_dir=None, progress=True):
    """The encoding phrase detection reads: every token kept (``min_count=1``), punctuation marked (regex).

    Parameters
    ----------
    source : list of str or Sentences
        From :func:`~embkit.corpus.scan.corpus_source`.
    tok : Tokenizer
        The tokenizer; a regex one reads the lines with
        :class:`~embkit.corpus.terms.BreakTokenizer`.
    max_sentence_length, encoding_errors, cache, cache_dir, progress
        As for :meth:`EncodedCorpus.encode`.

    Returns
    -------
    EncodedCorpus
    """
    if isinstance(source, Sentences):
        return EncodedCorpus.encode(source, min_count=1, max_sentence_length=max_sentence_length, cache=False,
                          progress=progress)
    reader = BreakTokenizer.like(tok) if marks_breaks(tok) else tok
    return EncodedCorpus.encode(source, tokenizer=reader, lowercase=tok.lowercase, min_count=1,
                      max_sentence_length=max_sentence_length, encoding_errors=encoding_errors, cache=cache,
                      cache_dir=cache_dir, progress=progress)
