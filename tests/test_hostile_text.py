"""Hostile input to the text readers (what fuzzing found): corpora, vocabularies and evaluation data sets.

Each fault's quoted input is kept as a test: U+FEFF inside a corpus or at
the start of a vocab.tsv, invalid UTF-8 late in a data set, similarity
scores near 1e308, damaged compressed corpora.
"""
import bz2
import gzip
import lzma
import warnings

import numpy as np
import pytest

from embkit import io
from embkit.corpus.encoded import EncodedCorpus
from embkit.corpus.tokenize import Tokenizer
from embkit.corpus.vocab import Vocabulary
from embkit.evaluation import evaluate_similarity
from embkit.evaluation.datasets import read_analogies, read_similarity
from embkit.exceptions import CorpusError, FormatError
from embkit.vectors import KeyedVectors

BOM_CORPUS = b"a b\n\xef\xbb\xbfa b\nc \xef\xbb\xbf d\n"


# -- 9. U+FEFF is never part of a token -----------------------------------------------------------------

@pytest.mark.parametrize("tokenizer", ["whitespace", "regex"])
def test_bom_inside_a_corpus_makes_no_token(tmp_path, tokenizer):
    """Issue input ``b"a b\\n\\xef\\xbb\\xbfa b\\nc \\xef\\xbb\\xbf d\\n"`` gave the words ``\\ufeffa`` and
    ``\\ufeff`` (files joined with ``cat``)."""
    path = tmp_path / "joined.txt"
    path.write_bytes(BOM_CORPUS)
    vocab = Vocabulary.build(str(path), tokenizer=tokenizer, min_count=1)
    assert dict(zip(vocab.words, vocab.counts.tolist())) == {"a": 2, "b": 2, "c": 1, "d": 1}
    enc = EncodedCorpus.encode(str(path), tokenizer=tokenizer, min_count=1, progress=False)
    assert enc.vocab.words == ["a", "b", "c", "d"] and enc.raw_tokens == 6


@pytest.mark.parametrize("tokenizer", ["whitespace", "regex"])
def test_a_bom_never_splits_or_ends_a_token(tokenizer):
    tok = Tokenizer(tokenizer, lowercase=True)
    assert tok("\ufeffNew\ufeff \ufeff \u00e9t\ufeffe\ufeff") == ["new", "été"[:1] + "te"]


def test_bom_free_corpora_tokenize_as_before():
    line = "x\u00a0y \t z\u3000w caf\u00e9 \u0915\u093f"
    assert Tokenizer("whitespace")(line) == line.split()
    assert Tokenizer("regex")(line) == ["x", "y", "z", "w", "café", "\u0915\u093f"]


def test_the_encoded_corpus_cache_knows_the_token_rules(tmp_path, monkeypatch):
    """Entries encoded under the old rules (a BOM kept inside tokens) are not reused."""
    from embkit.corpus import encoded

    path = tmp_path / "joined.txt"
    path.write_bytes(BOM_CORPUS)
    first = EncodedCorpus.encode(str(path), min_count=1, progress=False)
    with monkeypatch.context() as patched:
        patched.setattr(encoded, "TOKEN_RULES", 1)
        other = EncodedCorpus.encode(str(path), min_count=1, progress=False)
    assert first.path != other.path
    again = EncodedCorpus.encode(str(path), min_count=1, progress=False)
    assert again.path == first.path


def test_given_sentences_may_not_hold_a_bom():
    with pytest.raises(CorpusError, match="sentence 1, token 0: .* holds U\\+FEFF"):
        Vocabulary.build([["a"], ["\ufeffa"]], min_count=1)


def test_vocab_tsv_starting_with_a_bom(tmp_path):
    """Issue input: a ``vocab.tsv`` starting with a BOM turned its first key into ``'\\ufeffa'``."""
    path = tmp_path / "vocab.tsv"
    path.write_bytes(b"\xef\xbb\xbfa\t3\nb\t2\n")
    assert Vocabulary.load(path).words == ["a", "b"]
    model = tmp_path / "m.embkit"
    io.save(KeyedVectors(["a", "b"], np.ones((2, 2), np.float32), counts=[3, 2]), model)
    (model / "vocab.tsv").write_bytes(b"\xef\xbb\xbfa\t3\nb\t2\n")
    assert io.load(model).index_to_key == ["a", "b"]


@pytest.mark.parametrize("name", ["v.vec", "v.bin", "v.embkit"])
def test_writers_refuse_a_key_holding_a_bom(tmp_path, name):
    kv = KeyedVectors(["\ufeffa", "b"], np.ones((2, 2), np.float32))
    with pytest.raises(Exception, match="U\\+FEFF"):
        io.save(kv, tmp_path / name)


@pytest.mark.parametrize("name, body", [("v.vec", "2 1\n\ufeffa 1\nb\ufeff 2\n"),
                                        ("v.bin", b"2 1\n\xef\xbb\xbfa \0\0\x80?\nb\xef\xbb\xbf \0\0\0@\n")])
def test_vector_readers_drop_a_bom_inside_tokens(tmp_path, name, body):
    path = tmp_path / name
    path.write_bytes(body.encode() if isinstance(body, str) else body)
    assert io.load(path).index_to_key == ["a", "b"]


def test_vocabulary_load_refuses_counts_out_of_range_and_invalid_utf8(tmp_path):
    cases = {b"a\t" + str(2**63).encode() + b"\n": "too large", b"\xffa\t1\n": "not valid UTF-8",
             b"a\t1_0\n": "not an integer", b"a\t 5\n": "not an integer", b"a\r\t5\n": "carriage return"}
    for body, message in cases.items():
        (tmp_path / "v.tsv").write_bytes(body)
        with pytest.raises(FormatError, match=message) as info:
            Vocabulary.load(tmp_path / "v.tsv")
        assert info.value.lineno == 1


# -- 8. invalid UTF-8 late in a data set ---------------------------------------------------------------

@pytest.mark.parametrize("reader, line", [(read_similarity, b"cat dog 1\n"), (read_analogies, b"a b c d\n")])
def test_invalid_utf8_after_8_kb_names_line_and_file_offset(tmp_path, reader, line):
    """Issue: invalid UTF-8 after the first 8 KB reported ``not UTF-8 text (invalid start byte at byte
    5065)``: no line, and an offset counted from a decode buffer, not the file."""
    path = tmp_path / "late.txt"
    path.write_bytes(line * 1000 + b"x y \xff\n")
    with pytest.raises(FormatError) as info:
        reader(path)
    assert info.value.lineno == 1001
    assert f"byte offset {len(line) * 1000 + 4}" in str(info.value) and "0xff" in str(info.value)


def test_data_set_offsets_count_bom_and_lone_cr_lines(tmp_path):
    path = tmp_path / "cr.txt"
    path.write_bytes(b"\xef\xbb\xbfa b 1\rc d 2\r\ne\xef\xbb\xbf f 3\ng h \xc3\n")
    with pytest.raises(FormatError) as info:
        read_similarity(path)
    assert info.value.lineno == 4 and "byte offset 29" in str(info.value)      # 3 + 5 + 1 + 5 + 2 + 8 + 1 + 4
    path.write_bytes(b"\xef\xbb\xbfa b 1\rc d 2\r\ne\xef\xbb\xbf f 3\n")
    assert read_similarity(path).pairs == [("a", "b", 1.0), ("c", "d", 2.0), ("e", "f", 3.0)]


# -- 11. similarity scores near 1e308 -----------------------------------------------------------------

def test_similarity_scores_of_1e308_give_correlations_without_warnings(tmp_path):
    """Issue: numpy RuntimeWarning lines leaked to stderr for similarity scores of +-1e308."""
    path = tmp_path / "huge.txt"
    path.write_text("a b 1e308\na c -1e308\nb c 1e308\nc d 0\n")
    kv = KeyedVectors(["a", "b", "c", "d"], np.array([[1, 0], [0.6, 0.8], [0, 1], [-1, 0.2]], np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = evaluate_similarity(kv, path)
    scaled = evaluate_similarity(kv, [("a", "b", 1), ("a", "c", -1), ("b", "c", 1), ("c", "d", 0)])
    assert r["spearman"] == pytest.approx(scaled["spearman"]) and r["pearson"] == pytest.approx(scaled["pearson"])


# -- B1. damaged compressed corpora ---------------------------------------------------------------------

MODULES = {".gz": gzip, ".bz2": bz2, ".xz": lzma}


@pytest.mark.parametrize("kind", ["truncated", "corrupt-middle", "not-compressed"])
@pytest.mark.parametrize("suffix", [".gz", ".bz2", ".xz"])
def test_damaged_compressed_corpus_names_the_file(tmp_path, suffix, kind):
    rng = np.random.default_rng(1)
    text = "\n".join(" ".join(f"w{i}" for i in rng.integers(0, 5000, 12)) for _ in range(3000)).encode()
    packed = MODULES[suffix].compress(text)
    half = len(packed) // 2
    data = {"truncated": packed[:half], "not-compressed": text,
            "corrupt-middle": packed[:half] + bytes(b ^ 0xA5 for b in packed[half:half + 64]) + packed[half + 64:]}
    path = tmp_path / f"corpus.txt{suffix}"
    path.write_bytes(data[kind])
    with pytest.raises(CorpusError) as info:
        Vocabulary.build(str(path), min_count=1)
    assert str(path) in str(info.value) and "\n" not in str(info.value)
