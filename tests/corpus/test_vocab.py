"""Vocabulary: order by count then first occurrence, pruning, empty corpora, TSV files (case B16)."""
import pytest

from embkit.corpus.vocab import Vocabulary
from embkit.exceptions import CorpusError, EmbkitError, FormatError

from .helpers import CORPUS, encode, sentences


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


def test_nothing_survives_min_count_names_sizes():
    with pytest.raises(CorpusError) as err:
        encode(CORPUS / "tie_corpus.txt", min_count=5)
    msg = str(err.value)
    assert "12 tokens" in msg and "4 types" in msg and "min_count=5" in msg


@pytest.mark.parametrize("name", ["empty.txt", "only_blank.txt"])
def test_b08_empty_corpus_is_a_clear_error(name):
    with pytest.raises(CorpusError, match=r"only_blank.txt|empty.txt") as err:
        encode(CORPUS / name)
    assert "0 tokens" in str(err.value)


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
