"""Corpus sources (files or token lists) and the one pass over them: counts that merge across shards."""
import re

import numpy as np
import pytest

from embkit.corpus import scan as scan_module
from embkit.corpus.cache import cache_root
from embkit.corpus.encoded import EncodedCorpus
from embkit.corpus.scan import ScanResult, corpus_source, scan
from embkit.corpus.vocab import Vocabulary
from embkit.exceptions import CorpusError, EmbkitError

from .helpers import sentences


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


def test_token_lists_still_check_the_tokenizer_setting():
    with pytest.raises(EmbkitError, match="bogus"):
        EncodedCorpus.encode([["a"]], tokenizer="bogus", min_count=1, progress=False)


@pytest.mark.parametrize("corpus, message", [
    (["the", "cat", "sat"], "pass sentences as lists of tokens"),
    (np.array([["a", "b"]]), "a NumPy array is not a corpus"),
    ([["a", "b\ud800"]], "sentence 0, token 1: 'b\\ud800' cannot be written as UTF-8"),
])
def test_library_corpus_mistakes_get_clear_errors(corpus, message):
    with pytest.raises(CorpusError, match=re.escape(message)):
        EncodedCorpus.encode(corpus, min_count=1, progress=False)


# ------------------------------------------------------------------ one pass, merged across shards

SHARD_A = "b a c\nc a d d\n\nx \xff y\n"
SHARD_B = "d\ne b f\n\n\ny x \xff g\n"


def _scan_files(*paths, **kw):
    source, tok = corpus_source([str(p) for p in paths])
    return scan(source, tok, encoding_errors="replace", **kw)


def _assert_same(got, want):
    assert got.types == want.types
    assert got.counts.tolist() == want.counts.tolist() and got.counts.dtype == np.int64
    assert got.stats() == want.stats()


@pytest.fixture
def halves(tmp_path):
    a, b, whole = tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "whole.txt"
    a.write_bytes(SHARD_A.encode("latin-1"))
    b.write_bytes(SHARD_B.encode("latin-1"))
    whole.write_bytes((SHARD_A + SHARD_B).encode("latin-1"))
    return a, b, whole


def test_scan_counts_types_in_order_of_first_occurrence(halves):
    a, _, _ = halves
    got = _scan_files(a)
    assert got.types == ["b", "a", "c", "d", "x", "\ufffd", "y"]
    assert got.counts.tolist() == [1, 2, 2, 2, 1, 1, 1]
    assert got.stats() == {"raw_tokens": 10, "lines": 4, "blank_lines": 1, "replaced_invalid_utf8": 1, "types": 7}


@pytest.mark.parametrize("spill", [3, 1 << 20])
def test_merging_the_scans_of_two_halves_equals_scanning_the_whole(halves, monkeypatch, spill):
    monkeypatch.setattr(scan_module, "SPILL_TOKENS", spill)      # counts also add up across spilled chunks
    a, b, whole = halves
    whole_scan = _scan_files(whole)
    merged = _scan_files(a).merge(_scan_files(b))
    _assert_same(merged, whole_scan)
    _assert_same(_scan_files(a, b), whole_scan)                 # two files in one scan: the same again
    # by hand: d 3 times; b, a, c, x, U+FFFD and y twice, in order of first occurrence; e, f, g once
    assert merged.types == ["b", "a", "c", "d", "x", "\ufffd", "y", "e", "f", "g"]
    assert merged.counts.tolist() == [2, 2, 2, 3, 2, 2, 2, 1, 1, 1]
    assert merged.stats() == {"raw_tokens": 18, "lines": 9, "blank_lines": 3, "replaced_invalid_utf8": 2,
                              "types": 10}
    v_merged, _ = Vocabulary.from_scan(merged, min_count=2)
    v_whole = Vocabulary.build(str(whole), min_count=2, encoding_errors="replace", progress=False)
    assert v_merged.words == v_whole.words == ["d", "b", "a", "c", "x", "\ufffd", "y"]
    assert v_merged.counts.tolist() == v_whole.counts.tolist() == [3, 2, 2, 2, 2, 2, 2]


def test_merge_order_decides_ties_and_grouping_does_not(tmp_path):
    parts = []
    for i, text in enumerate(["x y\n", "y x z\n", "z w\n"]):
        p = tmp_path / f"{i}.txt"
        p.write_text(text)
        parts.append(_scan_files(p))
    a, b, c = parts
    assert a.merge(b).types == ["x", "y", "z"] and b.merge(a).types == ["y", "x", "z"]
    left, right = a.merge(b).merge(c), a.merge(b.merge(c))
    _assert_same(left, right)
    _assert_same(left, _scan_files(*sorted(tmp_path.iterdir())))
    assert left.counts.tolist() == [2, 2, 2, 1]
    assert a.merge(ScanResult([], [])).types == a.types             # an empty shard changes nothing


def test_id_map_turns_shard_id_streams_into_the_merged_ids(halves, monkeypatch):
    monkeypatch.setattr(scan_module, "SPILL_TOKENS", 4)
    a, b, whole = halves

    def ids_of(*paths):
        got = []
        result = _scan_files(*paths, sink=lambda ids, lengths: got.append((ids.copy(), lengths.copy())))
        return result, np.concatenate([i for i, _ in got]), np.concatenate([n for _, n in got])

    sa, ia, la = ids_of(a)
    sb, ib, lb = ids_of(b)
    sw, iw, lw = ids_of(whole)
    merged = sa.merge(sb)
    assert np.concatenate((sa.id_map(merged)[ia], sb.id_map(merged)[ib])).tolist() == iw.tolist()
    assert np.concatenate((la, lb)).tolist() == lw.tolist() == [3, 4, 3, 1, 3, 4]   # blank lines have no entry
    assert [sw.types[i] for i in iw[:7]] == ["b", "a", "c", "c", "a", "d", "d"]


def test_vocabulary_build_and_encode_share_the_scan(tmp_path):
    p = tmp_path / "c.txt"
    p.write_text("b a c\nc a d d\nd\n", encoding="utf-8")
    v = Vocabulary.build(str(p), min_count=2, progress=False)
    enc = EncodedCorpus.encode(str(p), min_count=2, progress=False)
    assert v.words == enc.vocab.words == ["d", "a", "c"] and v.counts.tolist() == enc.vocab.counts.tolist()
    # token lists too (the parameters are those of encode)
    v = Vocabulary.build([["b", "a", "b"], [], ["c", "a", "b"]], min_count=1, progress=False)
    assert v.words == ["b", "a", "c"] and v.counts.tolist() == [3, 2, 1]
    with pytest.raises(CorpusError, match="0 tokens"):
        Vocabulary.build([[], []], min_count=1, progress=False)
