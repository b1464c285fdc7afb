"""Corpus reading, tokenization, vocabulary and the encoded-corpus cache (cases B07, B08, B10, B16)."""
import bz2
import gzip
import io
import lzma
import os
import re
import sys

import numpy as np
import pytest

from embkit.corpus.encoded import EncodedCorpus, cache_root
from embkit.corpus.reading import expand_inputs, iter_lines
from embkit.corpus.tokenize import Tokenizer
from embkit.corpus.vocab import Vocabulary
from embkit.exceptions import CorpusError, EmbkitError, FormatError

from conftest import FIXTURES

CORPUS = FIXTURES / "corpus"


def encode(path, **kw):
    kw.setdefault("min_count", 1)
    kw.setdefault("progress", False)
    return EncodedCorpus.encode(str(path), **kw)


def sentences(enc):
    words = enc.vocab.words
    return [[words[i] for i in enc.tokens[a:b]] for a, b in zip(enc.offsets[:-1], enc.offsets[1:])]


def test_b07_bom_crlf_tabs_and_spaces_make_no_tokens():
    enc = encode(CORPUS / "ws_corpus.txt")
    assert dict(zip(enc.vocab.words, enc.vocab.counts.tolist())) == {"alpha": 2, "beta": 2, "gamma": 2}
    assert len(enc.tokens) == 6 and enc.raw_tokens == 6
    assert sentences(enc) == [["alpha", "beta", "gamma"], ["beta", "alpha"], ["gamma"]]
    assert enc.manifest["blank_lines"] == 1


def test_lone_cr_ends_a_line_and_bom_only_at_file_start(tmp_path):
    p = tmp_path / "cr.txt"
    p.write_bytes(b"\xef\xbb\xbfa b\rc\r\nd \xef\xbb\xbfe\n")
    assert [t for _, t in iter_lines(str(p))] == ["a b", "c", "d \ufeffe"]
    enc = encode(p)
    assert sentences(enc) == [["a", "b"], ["c"], ["d", "\ufeffe"]]


def test_b08_blank_lines_are_neither_errors_nor_sentences():
    enc = encode(CORPUS / "blank_lines.txt")
    assert dict(zip(enc.vocab.words, enc.vocab.counts.tolist())) == {"the": 2, "cat": 1, "dog": 1}
    assert enc.n_sentences == 2 and len(enc.tokens) == 4


@pytest.mark.parametrize("name", ["empty.txt", "only_blank.txt"])
def test_b08_empty_corpus_is_a_clear_error(name):
    with pytest.raises(CorpusError, match=r"only_blank.txt|empty.txt") as err:
        encode(CORPUS / name)
    assert "0 tokens" in str(err.value)


def test_nothing_survives_min_count_names_sizes():
    with pytest.raises(CorpusError) as err:
        encode(CORPUS / "tie_corpus.txt", min_count=5)
    msg = str(err.value)
    assert "12 tokens" in msg and "4 types" in msg and "min_count=5" in msg


def test_b10_long_line_is_split_not_cut():
    enc = encode(CORPUS / "long_line.txt")
    assert enc.raw_tokens == 10003 and len(enc.tokens) == 10003
    assert np.diff(enc.offsets).tolist() == [10000, 3]
    assert enc.manifest["lines_split"] == 1
    enc = encode(CORPUS / "long_line.txt", max_sentence_length=4000)
    assert np.diff(enc.offsets).tolist() == [4000, 4000, 2003]


def test_b16_ties_ordered_by_first_occurrence():
    enc = encode(CORPUS / "tie_corpus.txt")
    assert enc.vocab.words == ["delta", "alpha", "charlie", "bravo"]
    assert enc.vocab.counts.tolist() == [3, 3, 3, 3]


def test_order_by_count_then_first_occurrence(tmp_path):
    p = tmp_path / "c.txt"
    p.write_text("b a c\nc a d d\nd\n", encoding="utf-8")
    v = encode(p).vocab
    # d 3, then a and c (2 each; a seen first), then b 1
    assert v.words == ["d", "a", "c", "b"] and v.counts.tolist() == [3, 2, 2, 1]
    v = encode(p, max_vocab_size=2).vocab
    assert v.words == ["d", "a"]
    enc = encode(p, min_count=2)
    assert enc.vocab.words == ["d", "a", "c"]
    # 'b' is dropped from the stream; sentence boundaries stay
    assert sentences(enc) == [["a", "c"], ["c", "a", "d", "d"], ["d"]]
    assert enc.raw_tokens == 8 and len(enc.tokens) == 7


@pytest.mark.parametrize("opener,suffix", [(gzip.open, ".gz"), (bz2.open, ".bz2"), (lzma.open, ".xz")])
def test_compressed_inputs(tmp_path, opener, suffix):
    p = tmp_path / f"c.txt{suffix}"
    with opener(p, "wb") as f:
        f.write("x y\r\nz x\n".encode())
    enc = encode(p)
    assert sentences(enc) == [["x", "y"], ["z", "x"]]


_COMPRESS = {"gzip": gzip.compress, "bzip2": bz2.compress, "xz": lzma.compress}


@pytest.mark.parametrize("kind", sorted(_COMPRESS))
def test_compressed_data_without_a_suffix_is_recognised(tmp_path, kind):
    p = tmp_path / "corpus"
    p.write_bytes(_COMPRESS[kind]("x y\nz x\n".encode()))
    assert sentences(encode(p)) == [["x", "y"], ["z", "x"]]


@pytest.mark.parametrize("kind", sorted(_COMPRESS))
def test_compressed_stdin_is_recognised(monkeypatch, kind):
    data = _COMPRESS[kind]("a b a\nb c\n".encode())
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data))))
    enc = EncodedCorpus.encode("-", min_count=1, progress=False)
    assert enc.vocab.words == ["a", "b", "c"] and enc.manifest["raw_tokens"] == 5


def test_text_starting_like_a_magic_number_stays_text(tmp_path):
    p = tmp_path / "c.txt"
    p.write_text("BZh9 is not bzip2\n", encoding="utf-8")
    assert sentences(encode(p)) == [["BZh9", "is", "not", "bzip2"]]


def test_directories_and_globs(tmp_path):
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "b.txt").write_text("b\n")
    (tmp_path / "d" / "sub" / "a.txt").write_text("a\n")
    (tmp_path / "d" / ".hidden").write_text("h\n")
    files = expand_inputs([str(tmp_path / "d")])
    assert [os.path.basename(f) for f in files] == ["b.txt", "a.txt"]
    files = expand_inputs([str(tmp_path / "d" / "**" / "*.txt")])
    assert sorted(os.path.basename(f) for f in files) == ["a.txt", "b.txt"]
    with pytest.raises(CorpusError, match="no such file"):
        expand_inputs([str(tmp_path / "missing.txt")])
    with pytest.raises(CorpusError, match="matches no file"):
        expand_inputs([str(tmp_path / "*.nothing")])


def test_stdin_is_encoded_without_cache(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"a b a\nb c\n")))
    enc = EncodedCorpus.encode("-", min_count=1, progress=False)
    assert enc.path is None and enc.vocab.words == ["a", "b", "c"]
    assert not (cache_root() / "corpora").exists() or not any((cache_root() / "corpora").iterdir())


def test_invalid_utf8_names_file_line_and_offset(tmp_path, caplog):
    p = tmp_path / "bad.txt"
    p.write_bytes(b"good line\nab \xff cd\n")
    with pytest.raises(CorpusError) as err:
        encode(p)
    msg = str(err.value)
    assert "bad.txt" in msg and "line 2" in msg and "byte offset 13" in msg and "0xff" in msg
    with caplog.at_level("WARNING", logger="embkit"):
        enc = encode(p, encoding_errors="replace")
    assert enc.manifest["replaced_invalid_utf8"] == 1
    assert f"{p}: replaced 1 invalid UTF-8 sequence(s) with U+FFFD" in caplog.text
    assert "\ufffd" in enc.vocab.words


def test_cache_is_reused_and_keyed_by_file_version(tmp_path):
    p = tmp_path / "c.txt"
    p.write_text("a b c a\n", encoding="utf-8")
    first = encode(p)
    assert first.path is not None and str(first.path).startswith(str(cache_root()))
    assert isinstance(first.tokens, np.memmap)
    again = encode(p)
    assert again.path == first.path
    assert encode(p, lowercase=True).path != first.path
    assert encode(p, min_count=2).path != first.path
    p.write_text("a b c a d\n", encoding="utf-8")
    os.utime(p, ns=(1, 1))
    changed = encode(p)
    assert changed.path != first.path and "d" in changed.vocab
    # nothing is written beside the input
    assert sorted(x.name for x in tmp_path.iterdir()) == ["c.txt"]


def test_manifest_records_sources_and_settings(tmp_path):
    p = tmp_path / "c.txt"
    p.write_text("a b\n\nb\n", encoding="utf-8")
    m = encode(p, tokenizer="regex", lowercase=True).manifest
    assert m["raw_tokens"] == 3 and m["tokens"] == 3 and m["sentences"] == 2 and m["lines"] == 3
    assert m["tokenizer"]["kind"] == "regex" and m["tokenizer"]["lowercase"] is True
    assert m["sources"][0]["size"] == 7 and m["sources"][0]["path"] == str(p)
    assert len(m["vocab_sha256"]) == 64


def test_tokenizers():
    assert Tokenizer()("  a\tb  c ") == ["a", "b", "c"]
    assert Tokenizer("regex", lowercase=True)("Don't stop-gap, U.S. war!") == ["don't", "stop-gap", "u", "s", "war"]
    with pytest.raises(EmbkitError):
        Tokenizer("nltk")


def test_regex_tokenizer_keeps_combining_marks_inside_words():
    tok = Tokenizer("regex", lowercase=True)
    # Devanagari vowel signs and virama, a decomposed accent, Turkish dotted capital I lowercased
    assert tok("हिन्दी भाषा, cafe\u0301 İstanbul") == ["हिन्दी", "भाषा", "cafe\u0301", "i\u0307stanbul"]
    assert tok("Plain ASCII: state-of-the-art isn't hard") == ["plain", "ascii", "state-of-the-art", "isn't", "hard"]


def test_vocabulary_tsv_round_trip_and_errors(tmp_path):
    v = Vocabulary(["the", "cat"], [5, 2])
    v.save(tmp_path / "v.tsv")
    assert (tmp_path / "v.tsv").read_text() == "the\t5\ncat\t2\n"
    w = Vocabulary.load(tmp_path / "v.tsv")
    assert w.words == v.words and w.counts.tolist() == [5, 2] and w.sha256() == v.sha256()
    (tmp_path / "bad.tsv").write_text("the\t5\ncat two\n")
    with pytest.raises(FormatError, match=r"bad.tsv, line 2"):
        Vocabulary.load(tmp_path / "bad.tsv")
    (tmp_path / "dup.tsv").write_text("the\t5\nthe\t2\n")
    with pytest.raises(FormatError, match=r"line 2: duplicate"):
        Vocabulary.load(tmp_path / "dup.tsv")
    with pytest.raises(EmbkitError):
        Vocabulary(["a\tb"], [1]).save(tmp_path / "x.tsv")
    assert not (tmp_path / "x.tsv").exists()


# ------------------------------------------------------------------ in-memory sentences

def test_token_lists_are_encoded_in_memory():
    sents = [["b", "a", "b"], [], ["c", "a", "b"]]
    enc = EncodedCorpus.encode(sents, min_count=1, progress=False)
    assert enc.path is None
    assert enc.vocab.words == ["b", "a", "c"] and enc.vocab.counts.tolist() == [3, 2, 1]
    assert sentences(enc) == [["b", "a", "b"], ["c", "a", "b"]]
    assert enc.manifest["blank_lines"] == 1 and enc.manifest["lines"] == 3
    assert enc.manifest["sources"] == [{"path": "<sentences>"}]
    assert enc.manifest["tokenizer"] == {"kind": "given", "lowercase": False, "pattern": None}
    assert not (cache_root() / "corpora").exists() or not any((cache_root() / "corpora").iterdir())


def test_token_list_generator_and_lowercase():
    gen = (s.split() for s in ["The cat", "the Dog the"])
    enc = EncodedCorpus.encode(gen, min_count=1, lowercase=True, progress=False)
    assert enc.vocab.words == ["the", "cat", "dog"] and enc.vocab.counts.tolist() == [3, 1, 1]


@pytest.mark.parametrize("corpus, message", [
    ([["a", "b"], "c d"], "sentence 1: expected a list of str tokens, got str 'c d'"),
    ([["a", 3]], "sentence 0, token 1: expected str, got int 3"),
    (iter([]), "the corpus iterator is empty"),
    ([["a", ""]], "sentence 0, token 1: '' is empty or holds a tab or line break"),
    ([["a"], ["b\tc"]], "sentence 1, token 0: 'b\\tc' is empty or holds a tab or line break"),
])
def test_bad_token_lists(corpus, message):
    with pytest.raises(CorpusError, match=re.escape(message)):
        EncodedCorpus.encode(corpus, min_count=1, progress=False)


def test_iterator_of_paths_still_means_files(tmp_path):
    (tmp_path / "a.txt").write_text("x y\n")
    enc = EncodedCorpus.encode(iter([str(tmp_path / "a.txt")]), min_count=1, progress=False)
    assert sentences(enc) == [["x", "y"]]


# ------------------------------------------------------------------ pipes and damaged caches

def _fifo_with(tmp_path, data):
    import threading
    path = tmp_path / "fifo"
    os.mkfifo(path)

    def writer():
        with open(path, "wb") as f:
            for i in range(0, len(data), 1000):      # in small pieces, as a slow producer would
                f.write(data[i:i + 1000])

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    return path, t


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize("compress", [None, gzip.compress])
def test_named_pipe_is_read_whole_and_not_cached(tmp_path, compress):
    text = "".join(f"{i} x\n" for i in range(20000)).encode()
    path, t = _fifo_with(tmp_path, compress(text) if compress else text)
    enc = encode(path)
    t.join(5)
    assert enc.manifest["raw_tokens"] == 40000 and enc.path is None
    assert enc.vocab.words[0] == "x" and len(enc.vocab) == 20001
    assert not (cache_root() / "corpora").exists() or not any((cache_root() / "corpora").iterdir())


def test_damaged_cache_entries_are_errors_not_crashes(tmp_path):
    p = tmp_path / "c.txt"
    p.write_text("a b c\nb c\n" * 10)
    enc = encode(p)
    where = enc.path
    del enc
    tokens = np.load(where / "tokens.npy")
    tokens[3] = 2**31 - 1
    np.save(where / "tokens.npy", tokens)
    enc = encode(p)
    with pytest.raises(EmbkitError, match=r"token ids outside the vocabulary of 3 words \(damaged cache\)"):
        enc.read_tokens(0, 10)
    offsets = np.load(where / "offsets.npy")
    offsets[-1] += 5
    np.save(where / "offsets.npy", offsets)
    with pytest.raises(EmbkitError, match="do not agree"):
        EncodedCorpus.open(where)


def test_token_lists_still_check_the_tokenizer_setting():
    with pytest.raises(EmbkitError, match="bogus"):
        EncodedCorpus.encode([["a"]], tokenizer="bogus", min_count=1, progress=False)


def test_a_file_rewritten_with_the_same_size_and_mtime_is_encoded_again(tmp_path):
    p = tmp_path / "c.txt"
    p.write_text("alpha betaa gamma\n" * 10)
    os.utime(p, ns=(10**18, 10**18))
    first = encode(p)
    q = tmp_path / "other.txt"
    q.write_text("delta epsil zetaa\n" * 10)                  # same size
    os.replace(q, p)
    os.utime(p, ns=(10**18, 10**18))                           # same mtime, as `cp -p` or `touch -d` leave it
    second = encode(p)
    assert first.vocab.words == ["alpha", "betaa", "gamma"] and second.vocab.words == ["delta", "epsil", "zetaa"]


def test_dev_stdin_is_never_cached(tmp_path, monkeypatch):
    p = tmp_path / "c.txt"
    p.write_text("a b\n")
    with open(p, "rb") as f:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(f)))
        enc = encode("/dev/fd/%d" % f.fileno())
    assert enc.path is None and enc.vocab.words == ["a", "b"]


@pytest.mark.parametrize("corpus, message", [
    (["the", "cat", "sat"], "pass sentences as lists of tokens"),
    (np.array([["a", "b"]]), "a NumPy array is not a corpus"),
    ([["a", "b\ud800"]], "sentence 0, token 1: 'b\\ud800' cannot be written as UTF-8"),
])
def test_library_corpus_mistakes_get_clear_errors(corpus, message):
    with pytest.raises(CorpusError, match=re.escape(message)):
        EncodedCorpus.encode(corpus, min_count=1, progress=False)


def test_damaged_cached_vocabulary_is_noticed_and_rebuilt(tmp_path, caplog):
    p = tmp_path / "c.txt"
    p.write_text("a b c\nb c\n" * 10)
    where = encode(p).path
    with open(where / "vocab.tsv", "r+b") as f:
        f.write(b"q")                               # still a valid TSV: "q<TAB>20"
    with pytest.raises(EmbkitError, match="vocab.tsv does not match the manifest"):
        EncodedCorpus.open(where)
    with caplog.at_level("WARNING", logger="embkit"):
        enc = encode(p)                             # ignored and encoded again
    assert "ignoring unreadable cached corpus" in caplog.text and enc.vocab.words == ["b", "c", "a"]


def test_vector_files_are_recognised_and_text_is_not(tmp_path):
    from embkit.corpus.reading import looks_like_vectors

    rows = "\n".join(f"w{i} " + " ".join(f"{0.1 * (i + j):.4f}" for j in range(12)) for i in range(5)) + "\n"
    cases = {
        "glove.txt": (rows, True),
        "w2v.vec": ("5 12\n" + rows, True),
        "text.txt": ("the cat sat on the mat\nand the dog too\nthird line\n", False),
        "numbers.txt": ("year 1990 1991 1992 1993 1994 1995 1996 1997 1998 1999 2000\n" * 3, False),
        "two_ints.txt": ("12 apostles\nand more text\n", False),
    }
    for name, (text, expected) in cases.items():
        (tmp_path / name).write_text(text)
        assert looks_like_vectors(str(tmp_path / name)) is expected, name
