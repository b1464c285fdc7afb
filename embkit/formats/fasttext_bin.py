"""Facebook fastText's ``.bin`` model files (unsupervised skip-gram/CBOW, unquantized): reader and writer.

Layout (little-endian; fastText's ``FastText::saveModel``, file format 12):

* ``int32`` magic 793712314, ``int32`` version (11 and 12 are read, 12 written);
* the arguments: 12 ``int32`` (dim, ws, epoch, minCount, neg, wordNgrams,
  loss, model, bucket, minn, maxn, lrUpdateRate) and a ``float64`` (t);
* the dictionary: ``int32`` size, nwords, nlabels, ``int64`` ntokens,
  pruneidx_size, then ``size`` entries (the UTF-8 word, a NUL byte, an
  ``int64`` count and an ``int8`` type: 0 word, 1 label), then
  ``pruneidx_size`` pairs of ``int32``;
* a ``bool`` (quantized input), the input matrix (``int64`` rows and
  columns, then float32 values): the nwords word rows, then the ``bucket``
  n-gram rows;
* a ``bool`` (quantized output), the output matrix (its nwords rows are the
  context vectors of an unsupervised model).

Reading keeps the words and ignores labels with a warning (fastText puts any
word starting with ``__label__`` among the labels, even when training
unsupervised).  Quantized (``.ftz``) and pruned models are refused.  A word
vector is composed as fastText's ``get_word_vector`` does (see
:mod:`embkit.corpus.subwords`); ``</s>`` is an ordinary word without n-grams.
Writing gives a file Facebook fastText (``fasttext.load_model``) and gensim
(``load_facebook_model``) read with the same vectors.
"""
import logging
import mmap as _mmap
import struct
from pathlib import Path

import numpy as np

from ..corpus.subwords import compose, ngram_csr
from ..exceptions import FormatError
from ._common import SubwordData, VectorData, check_writable, decode_token, first_nonfinite_row, nonfinite_value
from ._sniff import open_read, open_write, split_compression

__all__ = ["NAME", "MAGIC", "VERSION", "read", "write", "token_problem"]

log = logging.getLogger(__name__)

#: The format's name.
NAME = "fasttext-bin"
#: fastText's file magic number (``FASTTEXT_FILEFORMAT_MAGIC_INT32``).
MAGIC = 793712314
#: The file format version written (fastText 0.9's).
VERSION = 12
_VERSIONS_READ = (11, 12)

_ARGS = struct.Struct("<12id")
_ARG_NAMES = ("dim", "ws", "epoch", "minCount", "neg", "wordNgrams", "loss", "model", "bucket", "minn", "maxn",
              "lrUpdateRate", "t")
_DICT_HEAD = struct.Struct("<3i2q")
_ENTRY_TAIL = struct.Struct("<qb")
_MATRIX_HEAD = struct.Struct("<2q")
_MODELS = {1: "fasttext-cbow", 2: "fasttext", 3: "supervised"}
_LOSS_NS = 2
_WRITE_ROWS = 1 << 14


class _Buffer:
    """Reading structures from bytes (a memory map or a decompressed file), tracking the offset."""

    def __init__(self, data, path):
        self.data, self.path, self.pos = data, path, 0

    def take(self, n, what):
        if self.pos + n > len(self.data):
            raise FormatError(self.path, None, f"the file ends inside {what} (byte {self.pos}, "
                                               f"{len(self.data)} bytes in all): truncated?")
        start = self.pos
        self.pos += n
        return start

    def unpack(self, st, what):
        return st.unpack_from(self.data, self.take(st.size, what))

    def matrix(self, what, copy):
        rows, cols = self.unpack(_MATRIX_HEAD, f"the {what} matrix's shape")
        if rows < 0 or cols < 1:
            raise FormatError(self.path, None, f"the {what} matrix has shape ({rows}, {cols})")
        start = self.take(4 * rows * cols, f"the {what} matrix ({rows} x {cols} float32 values)")
        if copy and isinstance(self.data, _mmap.mmap):      # read straight into memory, not through the map
            m = np.fromfile(self.path, dtype="<f4", count=rows * cols, offset=start)
        else:
            m = np.frombuffer(self.data, dtype="<f4", count=rows * cols, offset=start)
            m = np.array(m, dtype=np.float32) if copy else m
        return m.reshape(rows, cols)


def _open_bytes(path, mmap):
    """The file's bytes: memory-mapped when uncompressed, else decompressed into memory."""
    if split_compression(Path(path).name)[1] is None:
        with open(path, "rb") as f:
            if Path(path).stat().st_size == 0:
                return b"", True
            return _mmap.mmap(f.fileno(), 0, access=_mmap.ACCESS_READ), mmap is None
    with open_read(path) as f:
        return f.read(), mmap is None


def read(path, limit=None, mmap=None, unicode_errors="strict"):
    """Read a fastText ``.bin`` model.

    Parameters
    ----------
    path : str or os.PathLike
        ``.gz``, ``.bz2`` and ``.xz`` names are decompressed (into memory).
    limit : int, optional
        Keep only the first ``limit`` words (every n-gram row is kept).
    mmap : {None, "r", "r+", "c"}
        Any value but None keeps the matrices of an uncompressed file
        memory-mapped (read-only) instead of copying them.
    unicode_errors : str
        How to decode words that are not valid UTF-8.

    Returns
    -------
    VectorData
        Composed word vectors, counts, the context matrix (unsupervised
        models), ``meta`` (kind ``"subword"``, model and the file's
        arguments) and ``subword``.

    Raises
    ------
    FormatError
        A wrong magic number or unsupported version, a quantized or pruned
        model, a truncated file, a matrix whose shape disagrees with the
        arguments, a repeated word or a non-finite value; the message names
        the file.
    """
    data, copy = _open_bytes(path, mmap)
    buf = _Buffer(data, path)
    if len(data) < 8:
        raise FormatError(path, None, f"not a fastText .bin file: {len(data)} bytes, too short for its header")
    magic, version = struct.unpack_from("<2i", data, buf.take(8, "the header"))
    if magic != MAGIC:
        raise FormatError(path, None, f"not a fastText .bin file: magic number {magic}, expected {MAGIC}")
    if version not in _VERSIONS_READ:
        raise FormatError(path, None, f"fastText file format version {version} is not supported "
                                      f"(embkit reads versions {', '.join(map(str, _VERSIONS_READ))})")
    args = dict(zip(_ARG_NAMES, buf.unpack(_ARGS, "the model's arguments")))
    if args["dim"] < 1 or args["bucket"] < 0 or args["minn"] < 0 or args["maxn"] < 0:
        raise FormatError(path, None, f"the arguments declare dim {args['dim']}, bucket {args['bucket']}, minn "
                                      f"{args['minn']} and maxn {args['maxn']}; expected dim >= 1 and the rest >= 0")
    keys, counts, nlabels = _read_dictionary(buf, args, limit, unicode_errors)
    n_words = len(counts)
    (quantized,) = struct.unpack_from("<?", data, buf.take(1, "the quantization flag"))
    if quantized:
        raise FormatError(path, None, "a quantized fastText model (.ftz): embkit reads unquantized .bin files; "
                                      "export its vectors with fastText's print-word-vectors instead")
    w_in = buf.matrix("input", copy)
    if w_in.shape != (n_words + args["bucket"], args["dim"]):
        raise FormatError(path, None, f"the input matrix has shape {w_in.shape}, expected ({n_words} words + "
                                      f"{args['bucket']} buckets, dim {args['dim']})")
    (qout,) = struct.unpack_from("<?", data, buf.take(1, "the output quantization flag"))
    context = None
    if not qout:
        w_out = buf.matrix("output", copy)
        if w_out.shape == (n_words, args["dim"]) and args["model"] != 3:
            context = w_out
    keep = len(keys)
    if limit is not None and limit < keep:
        log.warning("%s: the model holds %d words; read only the first %d (limit=%d)", path, keep, limit, limit)
        keep = limit
    keys, counts = keys[:keep], counts[:keep]
    word_rows, ngrams = w_in[:keep], w_in[n_words:]
    bad = first_nonfinite_row(word_rows)
    if bad is not None:
        raise FormatError(path, None, f"the input row of word {keys[bad]!r} (row {bad}) has a non-finite value "
                                      f"({nonfinite_value(word_rows[bad])})")
    minn, maxn = args["minn"], args["maxn"]
    vectors = compose(word_rows, ngrams, *ngram_csr(keys, minn, maxn, args["bucket"]))
    meta = {"kind": "subword", "model": _MODELS.get(args["model"], f"model {args['model']}"),
            "source": {"format": NAME, "version": version, "labels_ignored": nlabels},
            "fasttext_args": {k: (float(v) if k == "t" else int(v)) for k, v in args.items()}}
    return VectorData(keys, vectors, counts=np.asarray(counts, np.int64),
                      context=None if context is None else context[:keep], meta=meta,
                      subword=SubwordData(word_rows, ngrams, minn, maxn))


def _read_dictionary(buf, args, limit, unicode_errors):
    """(words, counts, number of labels) of the dictionary; labels are skipped with a warning."""
    path, data = buf.path, buf.data
    size, nwords, nlabels, ntokens, pruneidx_size = buf.unpack(_DICT_HEAD, "the dictionary's header")
    if nwords < 0 or nlabels < 0 or size != nwords + nlabels:
        raise FormatError(path, None, f"the dictionary declares {size} entries, {nwords} words and {nlabels} "
                                      "labels, which do not add up")
    keys, index, counts = [], {}, []
    for i in range(size):
        end = data.find(b"\0", buf.pos)
        if end < 0:
            raise FormatError(path, None, f"entry {i + 1} of {size} (byte {buf.pos}) has no terminating NUL "
                                          "byte: truncated?")
        raw = bytes(data[buf.pos:end])
        buf.pos = end + 1
        count, kind = buf.unpack(_ENTRY_TAIL, f"entry {i + 1} of the dictionary")
        if kind == 1:
            continue
        if kind != 0 or i >= nwords:
            raise FormatError(path, None, f"entry {i + 1} ({raw[:40]!r}) has type {kind} at position {i}; "
                                          f"expected {nwords} words (type 0) then {nlabels} labels (type 1)")
        word = decode_token(raw, path, None, f"word {i + 1}: ", unicode_errors)
        if word in index:
            raise FormatError(path, None, f"word {word!r} appears twice (entries {index[word] + 1} and {i + 1})")
        index[word] = i
        keys.append(word)
        counts.append(count)
    if pruneidx_size > 0:
        raise FormatError(path, None, "a pruned fastText model (quantized with a cutoff): embkit reads "
                                      "unquantized .bin files only")
    if nlabels:
        log.warning("%s: %d label(s) (words starting with __label__, e.g. from supervised training) ignored; "
                    "the %d words are loaded", path, nlabels, nwords)
    return keys, counts, nlabels


def token_problem(key):
    """Why a fastText ``.bin`` file cannot hold ``key`` (empty, or a NUL character), or None when it can.

    Parameters
    ----------
    key : str

    Returns
    -------
    str or None
    """
    if not key:
        return "it is empty"
    if "\0" in key:
        return "it contains a NUL character, which ends a word in a fastText .bin file"
    return None


def write(data, path):
    """Write a fastText ``.bin`` model, atomically (compressed for ``.gz``, ``.bz2``, ``.xz`` names).

    Subword vectors are written with their n-gram rows; word vectors without
    n-grams become a model with ``minn = maxn = bucket = 0``.  A missing
    output matrix is written as zeros, missing counts as 1.  The arguments
    come from the training parameters in ``data.meta``, else from the
    arguments of the ``.bin`` file the vectors were read from (so a
    ``.bin`` converted to ``.bin`` keeps its header), else fastText's
    defaults.

    Parameters
    ----------
    data : VectorData
    path : str or os.PathLike

    Raises
    ------
    EmbkitError
        A word :func:`token_problem` refuses, or a non-finite value; nothing is written.
    """
    check_writable(data, path, NAME, token_problem)
    sub = data.subword
    n_words, dim = len(data.keys), data.dim
    word_rows = data.vectors if sub is None else sub.word_rows
    ngrams = np.zeros((0, dim), np.float32) if sub is None else sub.ngrams
    counts = np.ones(n_words, np.int64) if data.counts is None else np.asarray(data.counts, np.int64)
    params = data.meta.get("params") or {}
    given = data.meta.get("fasttext_args") or {}       # a model read from a .bin keeps its file's arguments

    def arg(name, param, default):
        return params.get(param, given.get(name, default))

    cbow = data.meta.get("model") in ("cbow", "fasttext-cbow")
    args = (dim, int(arg("ws", "window", 5)), int(arg("epoch", "epochs", 5)), int(arg("minCount", "min_count", 5)),
            int(arg("neg", "negative", 5)), 1, _LOSS_NS, 1 if cbow else 2, int(ngrams.shape[0]),
            0 if sub is None else int(sub.minn), 0 if sub is None else int(sub.maxn),
            int(given.get("lrUpdateRate", 100)), float(arg("t", "sample", 1e-4)))
    with open_write(path) as f:
        f.write(struct.pack("<2i", MAGIC, VERSION))
        f.write(_ARGS.pack(*args))
        f.write(_DICT_HEAD.pack(n_words, n_words, 0, int(counts.sum()), -1))
        f.write(b"".join(key.encode("utf-8") + b"\0" + _ENTRY_TAIL.pack(int(c), 0)
                         for key, c in zip(data.keys, counts.tolist())))
        f.write(b"\0")
        _write_matrix(f, (word_rows, ngrams))
        f.write(b"\0")
        _write_matrix(f, (np.zeros((n_words, dim), np.float32) if data.context is None else data.context,))


def _write_matrix(f, parts):
    """An int64 shape, then the float32 rows of ``parts`` one after the other, a block at a time."""
    f.write(_MATRIX_HEAD.pack(sum(p.shape[0] for p in parts), parts[0].shape[1]))
    for part in parts:
        for start in range(0, part.shape[0], _WRITE_ROWS):
            f.write(np.ascontiguousarray(part[start:start + _WRITE_ROWS], dtype="<f4").tobytes())
