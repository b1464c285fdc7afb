"""The encoded corpus: token ids and sentence offsets, built once and cached.

Every training method reads the same arrays:

* ``tokens`` — int32 ndarray, shape (n_tokens,): vocabulary ids of the
  retained tokens (words below ``min_count`` are dropped), in corpus order.
* ``offsets`` — int64 ndarray, shape (n_sentences + 1,): sentence ``s`` is
  ``tokens[offsets[s]:offsets[s + 1]]``.  A sentence is one non-empty input
  line; a line with more than ``max_sentence_length`` retained tokens is split
  into consecutive pieces of that length (windows never cross a sentence).

Encoding makes one pass over the text: each token gets a provisional id in
order of first occurrence, the counts come from the id stream, and the
pruned, count-ordered vocabulary is applied to the stream with NumPy.  The
result is stored under ``$EMBKIT_CACHE/corpora/<key>/`` (default
``~/.cache/embkit``) as ``tokens.npy``, ``offsets.npy``, ``vocab.tsv`` and
``manifest.json``, keyed by the input files (path, size, mtime), the
tokenizer and the vocabulary settings, and memory-mapped by later runs; the
least recently used entries are removed when the cache grows beyond
``$EMBKIT_CACHE_SIZE`` (default 10G; see :mod:`embkit.corpus.cache`).
Standard input is encoded in one pass and never cached.
"""
import datetime
import hashlib
import itertools
import json
import logging
import os
import shutil
import tempfile
import weakref
from array import array
from pathlib import Path

import numpy as np

from .._atomic import atomic_dir
from .._version import __version__
from .cache import cache_limit, cache_root, evict, mark_used
from ..exceptions import CorpusError, EmbkitError
from .reading import STDIN, DecodeStats, expand_inputs, file_signature, is_regular_file, iter_lines
from .tokenize import make_tokenizer
from .vocab import Vocabulary, empty_vocab_error

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
_SPILL_TOKENS = 1 << 20




class _FirstSeenIds(dict):
    """token -> provisional id, assigned in order of first occurrence."""

    def __missing__(self, key):
        value = self[key] = len(self)
        return value


def _progress(progress, desc):
    if not progress:
        return None
    from tqdm.auto import tqdm
    return tqdm(desc=desc, unit=" tok", unit_scale=True, leave=False, mininterval=0.5, disable=None)


class Sentences:
    """Sentences already split into tokens, for :meth:`EncodedCorpus.encode`.

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
        """The tokenizer settings recorded in the manifest."""
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
            yield [t.lower() for t in sent] if lower else sent


def _words_hint(corpus):
    """A hint when a missing 'file' looks like a list of words rather than paths."""
    if isinstance(corpus, (list, tuple)) and len(corpus) > 1 and all(
            isinstance(x, str) and os.sep not in x and "." not in x and not os.path.exists(x) for x in corpus[:20]):
        return ("; to train on words in memory, pass sentences as lists of tokens, "
                "e.g. [['the', 'cat', 'sat'], ...]")
    return ""


def _short(value):
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def as_sentences(corpus):
    """``corpus`` as :class:`Sentences` when it holds token lists, else None.

    A list, tuple or iterator whose first item is a list or tuple is taken
    for sentences; anything else (paths, ``"-"``) is left to
    :func:`~embkit.corpus.reading.expand_inputs`.
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


class _PathIterator(list):
    """Paths from a one-shot iterator whose first item was already read."""


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


def _scan(files, tokenizer, encoding_errors, sink, progress):
    """One pass over the text: provisional ids into ``sink``, per-line lengths.

    Returns (types, line_lengths per spilled chunk, stats dict).
    """
    ids = _FirstSeenIds()
    getid = ids.__getitem__
    buf = array("i")
    lengths = array("q")
    chunk_lengths = []
    stats = DecodeStats()
    blank = 0
    raw_tokens = 0
    bar = _progress(progress, "reading corpus")
    reported = 0
    for toks in _token_lines(files, tokenizer, encoding_errors, stats):
        if not toks:
            blank += 1
            continue
        buf.extend(map(getid, toks))
        lengths.append(len(toks))
        if len(buf) >= _SPILL_TOKENS:
            raw_tokens += len(buf)
            sink(np.frombuffer(buf, dtype=np.int32))
            chunk_lengths.append(np.frombuffer(lengths, dtype=np.int64))
            buf, lengths = array("i"), array("q")
            if bar is not None:
                bar.update(raw_tokens - reported)
                reported = raw_tokens
    if len(buf):
        raw_tokens += len(buf)
        sink(np.frombuffer(buf, dtype=np.int32))
        chunk_lengths.append(np.frombuffer(lengths, dtype=np.int64))
    if bar is not None:
        bar.update(raw_tokens - reported)
        bar.close()
    types = list(ids)
    info = {"raw_tokens": raw_tokens, "lines": stats.lines, "blank_lines": blank,
            "replaced_invalid_utf8": stats.replaced, "types": len(types)}
    return types, chunk_lengths, info


class _Chunks:
    """Provisional id chunks kept in a temporary file."""

    def __init__(self, directory):
        self.path = Path(directory) / "stream.i32"
        self._f = open(self.path, "wb")
        self.sizes = []

    def __call__(self, arr):
        arr.tofile(self._f)
        self.sizes.append(len(arr))

    def __iter__(self):
        # plain reads, not a memory map: a chunk's pages are freed once it is processed
        self._f.close()
        with open(self.path, "rb") as f:
            for n in self.sizes:
                yield np.fromfile(f, dtype=np.int32, count=n)


def _source_name(files):
    if isinstance(files, Sentences):
        return "<sentences>"
    return "<stdin>" if files == [STDIN] else (files[0] if len(files) == 1 else f"{files[0]} (+{len(files) - 1} files)")


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


def _encode_into(files, tokenizer, vocab_settings, encoding_errors, workdir, progress, vocab=None):
    """Scan, prune and write tokens.npy/offsets.npy/vocab.tsv/manifest.json into workdir."""
    workdir = Path(workdir)
    chunks = _Chunks(workdir)
    types, chunk_lengths, info = _scan(files, tokenizer, encoding_errors, chunks, progress)
    source = _source_name(files)
    min_count = vocab_settings["min_count"]
    n_types = len(types)
    counts = np.zeros(n_types, dtype=np.int64)
    for c in chunks:
        counts += np.bincount(c, minlength=n_types)
    if info["raw_tokens"] == 0:
        raise empty_vocab_error(source, 0, 0, min_count)
    if vocab is None:
        vocab, order = Vocabulary.from_counts(types, counts, min_count, vocab_settings["max_vocab_size"],
                                              settings=vocab_settings)
        if len(vocab) == 0:
            raise empty_vocab_error(source, info["raw_tokens"], n_types, min_count)
        remap = np.full(n_types, -1, dtype=np.int32)
        remap[order] = np.arange(len(order), dtype=np.int32)
        kept_total = int(vocab.counts.sum())
    else:
        remap = np.array([vocab.index.get(t, -1) for t in types], dtype=np.int32)
        kept_total = int(counts[remap >= 0].sum())
        if kept_total == 0:
            raise CorpusError(f"{source}: none of the corpus's {info['raw_tokens']} tokens is in the given vocabulary")

    line_kept = []
    pos = 0
    with open(workdir / "tokens.npy", "wb") as out:
        # written with ordinary writes (a writable memory map would keep its dirty pages resident)
        np.lib.format.write_array_header_1_0(
            out, {"descr": np.lib.format.dtype_to_descr(np.dtype(np.int32)), "fortran_order": False,
                  "shape": (kept_total,)})
        for c, lens in zip(chunks, chunk_lengths):
            ids = remap[c]
            keep = ids >= 0
            kept = ids[keep]
            out.write(kept.tobytes())
            pos += len(kept)
            starts = np.concatenate(([0], np.cumsum(lens)[:-1]))
            line_kept.append(np.add.reduceat(keep, starts, dtype=np.int64))
    assert pos == kept_total
    chunks.path.unlink()
    lengths = np.concatenate(line_kept) if line_kept else np.zeros(0, np.int64)
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
        **info,
        "tokenizer": tokenizer.settings(),
        "vocab_settings": vocab_settings,
        "encoding_errors": encoding_errors,
        "sources": ([{"path": "<sentences>"}] if isinstance(files, Sentences)
                    else [{"path": "-"} if f == STDIN else file_signature(f) for f in files]),
    }
    with open(workdir / "manifest.json", "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)


def _report(manifest, source):
    """Warn about what encoding changed in the text (each time the encoding is used, cached or not)."""
    n_split = manifest.get("lines_split") or 0
    if n_split:
        log.warning("%s: %d line(s) longer than max_sentence_length=%d tokens were split into consecutive "
                    "sentences (no token dropped)", source, n_split,
                    (manifest.get("vocab_settings") or {}).get("max_sentence_length"))
    replaced = manifest.get("replaced_invalid_utf8") or 0
    if replaced:
        log.warning("%s: replaced %d invalid UTF-8 sequence(s) with U+FFFD", source, replaced)


def _lock_shared(fd):
    try:
        import fcntl
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except (ImportError, OSError):
        pass   # no flock here, or an eviction holds it right now: reads still work through the open file


class EncodedCorpus:
    """A corpus as arrays of vocabulary ids, shared by every training method.

    Build one with :meth:`encode` (cached) or open a built one with :meth:`open`.

    Attributes
    ----------
    tokens : ndarray of int32, shape (n_tokens,)
        Retained token ids (memory-mapped when read from the cache).
    offsets : ndarray of int64, shape (n_sentences + 1,)
        Sentence boundaries into ``tokens``.
    vocab : Vocabulary
        The vocabulary; ``vocab.counts`` are corpus counts.
    manifest : dict
        Statistics (``raw_tokens``, ``tokens``, ``sentences``, ``lines``,
        ``blank_lines``, ``lines_split``, ``types``, ...), the tokenizer and
        vocabulary settings and the source files.
    path : pathlib.Path or None
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
            _lock_shared(self._fd)

    def __repr__(self):
        return (f"<EncodedCorpus {self.manifest.get('tokens')} tokens, {len(self.offsets) - 1} sentences, "
                f"{len(self.vocab)} words>")

    def read_tokens(self, start, stop):
        """Tokens at corpus positions ``start:stop`` as an int32 ndarray.

        A cached corpus is read with ordinary file reads rather than through
        its memory map, so training never holds the whole corpus in
        resident memory (it stays in the operating system's page cache).
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
                raise EmbkitError(f"{tokens.filename}: encoded corpus is truncated; run `embkit cache clear` "
                                  "and retry")
        else:
            out = np.ascontiguousarray(tokens[start:stop])
        if out.size and (int(out.min()) < 0 or int(out.max()) >= len(self.vocab)):
            # a damaged cache file must not reach the kernels, which trust their indices
            raise EmbkitError(f"{self.path or 'encoded corpus'}: token ids outside the vocabulary of "
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

        Raises
        ------
        EmbkitError
            Missing files, or an unknown format version.
        """
        path = Path(path)
        try:
            with open(path / "manifest.json", encoding="utf-8") as f:
                manifest = json.load(f)
        except (OSError, ValueError) as exc:
            raise EmbkitError(f"{path}: not an encoded corpus ({exc})") from None
        if manifest.get("format") != "embkit-corpus" or manifest.get("format_version") != FORMAT_VERSION:
            raise EmbkitError(f"{path}: unsupported encoded corpus format {manifest.get('format_version')!r}")
        mode = "r" if mmap else None
        tokens = np.load(path / "tokens.npy", mmap_mode=mode)
        offsets = np.load(path / "offsets.npy")
        if (tokens.ndim != 1 or tokens.dtype != np.int32 or offsets.ndim != 1 or offsets.dtype != np.int64
                or len(offsets) < 1 or offsets[0] != 0 or offsets[-1] != len(tokens)
                or (len(offsets) > 1 and np.any(np.diff(offsets) < 0))):
            raise EmbkitError(f"{path}: tokens.npy and offsets.npy do not agree (damaged encoded corpus)")
        vocab = Vocabulary.load(path / "vocab.tsv")
        if manifest.get("vocab_sha256") not in (None, vocab.sha256()) or len(vocab) != manifest.get(
                "vocab_size", len(vocab)):
            raise EmbkitError(f"{path}: vocab.tsv does not match the manifest (damaged encoded corpus)")
        vocab.settings = manifest.get("vocab_settings", {})
        return cls(tokens, offsets, vocab, manifest, path)

    @classmethod
    def encode(cls, corpus, tokenizer="whitespace", lowercase=False, min_count=5, max_vocab_size=None,
               max_sentence_length=10000, encoding_errors="strict", vocab=None, cache=True,
               cache_dir=None, progress=True):
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

        Returns
        -------
        EncodedCorpus

        Raises
        ------
        CorpusError
            Missing inputs, invalid UTF-8 (strict), 0 tokens, or no word
            reaching ``min_count``.
        """
        sentences = as_sentences(corpus)
        if isinstance(sentences, Sentences):
            make_tokenizer(tokenizer, lowercase)     # validates the setting, though given tokens are not split
            if tokenizer != "whitespace":
                log.warning("tokenizer=%r is not used: the sentences are already split into tokens", tokenizer)
            tok = Sentences(sentences.sentences, lowercase or sentences.lowercase)
            files = tok
        else:
            tok = make_tokenizer(tokenizer, lowercase)
            try:
                files = expand_inputs(list(sentences) if sentences is not None else corpus)
            except CorpusError as exc:
                raise CorpusError(str(exc) + _words_hint(corpus)) from None
        if files is not tok and STDIN in files and len(files) > 1:
            raise CorpusError("standard input ('-') cannot be combined with files")
        for name, value, low in (("min_count", min_count, 1), ("max_sentence_length", max_sentence_length, 1)):
            if int(value) < low:
                raise EmbkitError(f"{name} must be >= {low}, got {value}")
        if max_vocab_size is not None and int(max_vocab_size) < 1:
            raise EmbkitError(f"max_vocab_size must be >= 1, got {max_vocab_size}")
        if encoding_errors not in ("strict", "replace"):
            raise EmbkitError(f"encoding_errors must be 'strict' or 'replace', got {encoding_errors!r}")
        vocab_settings = {"min_count": int(min_count),
                          "max_vocab_size": None if max_vocab_size is None else int(max_vocab_size),
                          "max_sentence_length": int(max_sentence_length)}
        # standard input, pipes and devices are read once and never cached (their name says nothing of the data)
        if files is tok or not cache or not all(is_regular_file(f) for f in files):
            tmp = tempfile.mkdtemp(prefix="embkit-corpus-")
            try:
                _encode_into(files, tok, vocab_settings, encoding_errors, tmp, progress, vocab)
                enc = cls.open(tmp, mmap=False)
                enc.tokens = np.array(enc.tokens)
                enc.path = None
                _report(enc.manifest, _source_name(files))
                return enc
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        key_src = {"v": FORMAT_VERSION, "sources": [file_signature(f) for f in files],
                   "tokenizer": tok.settings(), "vocab": vocab_settings, "encoding_errors": encoding_errors,
                   "given_vocab": vocab.sha256() if vocab is not None else None}
        key = hashlib.sha256(json.dumps(key_src, sort_keys=True).encode()).hexdigest()[:24]
        root = Path(cache_dir) if cache_dir is not None else cache_root()
        target = root / "corpora" / key
        limit = cache_limit()   # a bad $EMBKIT_CACHE_SIZE fails before any work
        if (target / "manifest.json").exists():
            try:
                enc = cls.open(target)
            except (EmbkitError, OSError, ValueError) as exc:
                log.warning("ignoring unreadable cached corpus %s (%s)", target, exc)
            else:
                mark_used(target)
                log.info("using cached encoded corpus %s", target)
                _report(enc.manifest, _source_name(files))
                evict(root, limit, keep=target)
                return enc
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            log.warning("cache directory %s is not writable (%s); encoding without caching", root, exc)
            return cls.encode(corpus, tok, False, min_count, max_vocab_size, max_sentence_length,
                              encoding_errors, vocab, cache=False, progress=progress)
        with atomic_dir(target) as tmp:
            _encode_into(files, tok, vocab_settings, encoding_errors, tmp, progress, vocab)
        enc = cls.open(target)
        _report(enc.manifest, _source_name(files))
        evict(root, limit, keep=target)
        return enc


def scan_counts(corpus, tokenizer="whitespace", lowercase=False, min_count=5, max_vocab_size=None,
                encoding_errors="strict", progress=True):
    """Count a corpus in one pass and return its pruned :class:`Vocabulary`."""
    tok = make_tokenizer(tokenizer, lowercase)
    files = expand_inputs(corpus)
    counts = {}
    with tempfile.TemporaryDirectory(prefix="embkit-vocab-") as tmp:
        chunks = _Chunks(tmp)
        types, _, info = _scan(files, tok, encoding_errors, chunks, progress)
        total = np.zeros(len(types), dtype=np.int64)
        for c in chunks:
            total += np.bincount(c, minlength=len(types))
    settings = {"min_count": int(min_count), "max_vocab_size": max_vocab_size}
    vocab, _ = Vocabulary.from_counts(types, total, min_count, max_vocab_size, settings=settings)
    if len(vocab) == 0:
        raise empty_vocab_error(_source_name(files), info["raw_tokens"], len(types), min_count)
    del counts
    return vocab
