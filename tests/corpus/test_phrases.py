"""Phrase detection: hand-computed counts and scores, passes, connectors, breaks, caching, output, bad input."""
import logging
import math

import numpy as np
import pytest

import embkit
from embkit.corpus.cache import cache_entries
from embkit.corpus.phrases import Phrases
from embkit.corpus.terms import read_phrases
from embkit.exceptions import CorpusError, EmbkitError, FormatError, InvalidParameterError, MemoryBudgetError

# new 3, york 4, is 2, big/city/i/love/old 1: N = 14 tokens
NEW_YORK = "new york is big\nnew york city\ni love new york\nyork is old\n"


def _fit(corpus, tmp_path=None, **params):
    """Phrases fitted on ``corpus``: text written to tmp_path/c.txt first when tmp_path is given."""
    if tmp_path is not None:
        (tmp_path / "c.txt").write_text(corpus, encoding="utf-8")
        corpus = str(tmp_path / "c.txt")
    return Phrases(progress=False, **params).fit(corpus)


def test_npmi_by_hand(tmp_path):
    ph = _fit(NEW_YORK, tmp_path, min_count=2, connectors="none", passes=1, threshold=0.0)
    # words below min_count are breaks: the candidates are new_york (3 times) and york_is (2)
    # npmi = log(p(ab) / (p(a) p(b))) / -log p(ab), p(x) = count / 14
    new_york = math.log((3 / 14) / ((3 / 14) * (4 / 14))) / -math.log(3 / 14)      # = ln 3.5 / ln(14/3)
    york_is = math.log((2 / 14) / ((4 / 14) * (2 / 14))) / -math.log(2 / 14)       # = ln 3.5 / ln 7
    assert [(t, c) for t, c, _ in ph.phrases_] == [("new_york", 3), ("york_is", 2)]
    assert [s for _, _, s in ph.phrases_] == pytest.approx([new_york, york_is], abs=1e-12)
    assert new_york == pytest.approx(0.8132474, abs=1e-7) and york_is == pytest.approx(0.6437928, abs=1e-7)
    assert ph.passes_[0]["tokens"] == 14 and ph.passes_[0]["candidates"] == 2


def test_word2vec_score_by_hand_with_delta(tmp_path):
    ph = _fit(NEW_YORK, tmp_path, min_count=2, connectors="none", passes=1, scorer="word2vec", threshold=0.0)
    # (count(ab) - delta) / (count(a) count(b)) * N with delta = min_count = 2:
    # new_york (3 - 2) / (3 * 4) * 14 = 7/6; york_is (2 - 2) / (4 * 2) * 14 = 0, not above the threshold 0
    assert ph.phrases_ == [("new_york", 3, pytest.approx(7 / 6, abs=1e-12))]
    default = _fit(NEW_YORK, tmp_path, min_count=2, connectors="none", passes=1, scorer="word2vec")
    assert default.settings_["threshold"] == 100.0 and default.phrases_ == []       # word2phrase's threshold


def test_default_threshold_is_per_scorer_and_out_of_range_values_are_refused():
    assert Phrases().check_params()["threshold"] == 0.5
    assert Phrases(scorer="word2vec").check_params()["threshold"] == 100.0
    for params in ({"threshold": 1.0}, {"threshold": 1.5}, {"threshold": -1.5}, {"scorer": "word2vec", "threshold": -1},
                   {"threshold": float("nan")}, {"passes": 0}, {"max_len": 1}, {"min_count": 0},
                   {"delimiter": ""}, {"delimiter": "a b"}, {"scorer": "pmi"}, {"connectors": 3}):
        with pytest.raises(InvalidParameterError) as err:
            Phrases(**params).check_params()
        assert err.value.param == next(iter(params)) or "threshold" in str(err.value)


def test_passes_build_three_word_terms(tmp_path):
    corpus = "new york times\n" * 6 + "bad times\n" * 6 + "new ideas\n" * 6
    ph = _fit(corpus, tmp_path, min_count=3, connectors="none", passes=2)
    # pass 1, N = 42: new 12, york 6, times 12, bad 6, ideas 6; each pair 6 times: npmi = ln 3.5 / ln 7
    # joined left to right: "new_york times", "bad_times", "new_ideas"; pass 2, N = 24: (new_york, times) 6
    # times, npmi = ln((6/24) / ((6/24)(6/24))) / -ln(6/24) = 1
    pass1 = math.log(3.5) / math.log(7)
    assert ph.phrases_ == [("new_york_times", 6, pytest.approx(1.0)), ("bad_times", 6, pytest.approx(pass1)),
                           ("new_ideas", 6, pytest.approx(pass1)), ("new_york", 6, pytest.approx(pass1)),
                           ("york_times", 6, pytest.approx(pass1))]
    assert [r["tokens"] for r in ph.passes_] == [42, 24] and [r["terms"] for r in ph.passes_] == [4, 1]
    one = _fit(corpus, tmp_path, min_count=3, connectors="none", passes=1)
    assert [t for t, _, _ in one.phrases_] == ["bad_times", "new_ideas", "new_york", "york_times"]
    short = _fit(corpus, tmp_path, min_count=3, connectors="none", passes=2, max_len=2)
    assert [t for t, _, _ in short.phrases_] == [t for t, _, _ in one.phrases_]         # 3 words > max_len


def test_connectors_join_through_function_words(tmp_path):
    corpus = "the bank of england raised rates\n" * 5 + "a bank of england\n" * 5
    found = {t for t, _, _ in _fit(corpus, tmp_path, min_count=5, threshold=0.0).phrases_}
    assert "bank_of_england" in found and not {"the_bank", "bank_of", "of_england"} & found
    plain = {t for t, _, _ in _fit(corpus, tmp_path, min_count=5, threshold=0.0, connectors="none").phrases_}
    assert "bank_of_england" not in plain and {"bank_of", "of_england"} <= plain
    (tmp_path / "conn.txt").write_text("# connectors\nof\n\n")
    for connectors in (["of"], str(tmp_path / "conn.txt")):
        found = {t for t, _, _ in _fit(corpus, tmp_path, min_count=5, threshold=0.0, connectors=connectors).phrases_}
        assert "bank_of_england" in found and "the_bank" in found          # "the" is a word here
    (tmp_path / "bad.txt").write_text("of\nin the\n")
    with pytest.raises(FormatError, match=r"bad.txt, line 2: expected one connector word per line"):
        _fit(corpus, tmp_path, connectors=str(tmp_path / "bad.txt"))
    with pytest.raises(EmbkitError, match="neither 'default', 'none' nor an existing file"):
        _fit(corpus, tmp_path, connectors="nosuchfile")


def test_no_candidate_spans_a_rare_word_a_line_end_or_punctuation(tmp_path):
    rare = "".join(f"new r{i} york\n" for i in range(6))             # r0..r5 once each: breaks at min_count 2
    lines = "new\nyork\n" * 6
    assert _fit(rare + lines, tmp_path, min_count=2).phrases_ == []
    # a corpus encoded for training drops the rare words, which would make "new york" adjacent
    enc = embkit.EncodedCorpus.encode(str(tmp_path / "c.txt"), min_count=2, progress=False)
    assert enc.tokens[:2].tolist() == [enc.vocab["new"], enc.vocab["york"]]
    punct = "New, York (the city).\n" * 6 + "new york: big\n" * 3
    found = _fit(punct, tmp_path, min_count=2, tokenizer="regex", lowercase=True, threshold=-0.99)
    assert [(t, c) for t, c, _ in found.phrases_ if t == "new_york"] == [("new_york", 3)]
    assert found.settings_["breaks"] is True
    spaced = _fit(punct, tmp_path, min_count=2, tokenizer="whitespace", lowercase=True, threshold=-0.99)
    assert "new,_york" in {t for t, _, _ in spaced.phrases_}    # whitespace tokens keep their punctuation


def test_sentences_in_memory_and_an_encoded_corpus(tmp_path):
    sentences = [["new", "york", "is", "big"], ["i", "love", "new", "york"]] * 5
    ph = Phrases(min_count=5, progress=False).fit(sentences)
    assert ("new_york", 10) in [(t, c) for t, c, _ in ph.phrases_]
    enc = embkit.EncodedCorpus.encode(sentences, min_count=1, progress=False)
    assert Phrases(min_count=5, progress=False).fit(enc).phrases_ == ph.phrases_
    pruned = embkit.EncodedCorpus.encode(sentences, min_count=6, progress=False)
    with pytest.raises(EmbkitError, match="needs every token of the corpus.*min_count=6"):
        Phrases(progress=False).fit(pruned)


def test_saved_file_is_reproducible_and_reads_back(tmp_path):
    ph = _fit(NEW_YORK, tmp_path, min_count=2, connectors="none", threshold=0.0)
    ph.save(tmp_path / "a.tsv")
    again = _fit(NEW_YORK, tmp_path, min_count=2, connectors="none", threshold=0.0)
    again.save(tmp_path / "b.tsv")
    text = (tmp_path / "a.tsv").read_text(encoding="utf-8")
    assert text == (tmp_path / "b.tsv").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "# embkit phrases: term<TAB>count<TAB>score, best first"
    assert lines[1].startswith('# settings: {"breaks": false, "connectors": "none", "delimiter": "_"')
    assert lines[2] == "# corpus: c.txt; 14 tokens; 2 terms"
    assert lines[3:] == ["new_york\t3\t0.813247", "york_is\t2\t0.643793"]
    rows, delimiter = read_phrases(tmp_path / "a.tsv")
    assert delimiter == "_" and rows == [("new_york", 3, 0.813247), ("york_is", 2, 0.643793)]
    dashed = _fit(NEW_YORK, tmp_path, min_count=2, connectors="none", threshold=0.0, delimiter="+")
    dashed.save(tmp_path / "d.tsv")
    assert read_phrases(tmp_path / "d.tsv") == ([("new+york", 3, 0.813247), ("york+is", 2, 0.643793)], "+")
    assert [w for w in dashed.term_list().terms] == [("new", "york"), ("york", "is")]


def test_words_holding_the_delimiter_are_never_part_of_a_term(tmp_path):
    ph = _fit("new_town york\n" * 5 + "old town\n" * 5, tmp_path, min_count=5, threshold=-0.9)
    assert [t for t, _, _ in ph.phrases_] == ["old_town"]


def test_counts_are_cached_per_pass_and_keyed_by_the_settings(tmp_path, caplog):
    (tmp_path / "c.txt").write_text("new york times\n" * 6 + "bad times\n" * 6 + "new ideas\n" * 6)
    corpus = str(tmp_path / "c.txt")          # written once: rewriting it would be another corpus to the cache
    first = _fit(corpus, min_count=3, connectors="none")
    assert len(cache_entries(kind="phrases")) == 2                       # one entry per pass
    with caplog.at_level(logging.INFO, logger="embkit"):
        again = _fit(corpus, min_count=3, connectors="none")
    assert again.phrases_ == first.phrases_ and caplog.text.count("using cached phrase count") == 2
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="embkit"):
        assert _fit(corpus, min_count=3, connectors="none", threshold=0.7).phrases_ == []
    assert caplog.text.count("using cached phrase count") == 1      # pass 1 reused, and nothing for a pass 2
    _fit(corpus, min_count=4, connectors="none")
    assert len(cache_entries(kind="phrases")) == 4        # min_count changes every count
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="embkit"):
        _fit(corpus, min_count=3, connectors="none", cache=False)
    assert "using cached" not in caplog.text and len(cache_entries(kind="phrases")) == 4


def test_a_memory_bound_prunes_the_rarest_candidates(tmp_path, caplog):
    rng = np.random.default_rng(0)
    words = np.array([f"w{i}" for i in range(1500)])
    lines = [" ".join(words[rng.integers(0, 1500, 30)]) for _ in range(8000)] + ["alpha beta"] * 200
    (tmp_path / "c.txt").write_text("\n".join(lines) + "\n")
    free = Phrases(min_count=20, progress=False).fit(str(tmp_path / "c.txt"))
    with caplog.at_level(logging.WARNING, logger="embkit"):
        bounded = Phrases(min_count=20, max_memory="2700K", progress=False).fit(str(tmp_path / "c.txt"))
    assert "candidates seen fewer than" in caplog.text and bounded.passes_[0]["pruned_below"] >= 2
    assert free.passes_[0]["pruned_below"] == 0 and free.passes_[0]["candidates"] > 131072
    assert bounded.phrases_[0][:2] == free.phrases_[0][:2] == ("alpha_beta", 200)
    with pytest.raises(MemoryBudgetError, match="needs at least"):
        Phrases(max_memory="1M", progress=False).fit(str(tmp_path / "c.txt"))


def test_empty_corpus_and_missing_files(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(CorpusError, match="0 tokens"):
        Phrases(progress=False).fit(str(tmp_path / "empty.txt"))
    with pytest.raises(CorpusError, match="no such file"):
        Phrases(progress=False).fit(str(tmp_path / "missing.txt"))
    with pytest.raises(EmbkitError, match="has not found any terms yet"):
        Phrases().save(tmp_path / "p.tsv")


def test_a_damaged_count_entry_is_counted_again(tmp_path, caplog):
    (tmp_path / "c.txt").write_text(NEW_YORK)
    first = _fit(str(tmp_path / "c.txt"), min_count=2, connectors="none", passes=1, threshold=0.0)
    (entry,) = cache_entries(kind="phrases")
    np.save(entry["path"] / "pairs.npy", np.array([-5, 10**12], np.int64))
    with caplog.at_level(logging.WARNING, logger="embkit"):
        again = _fit(str(tmp_path / "c.txt"), min_count=2, connectors="none", passes=1, threshold=0.0)
    assert "ignoring unreadable cached phrase counts" in caplog.text and again.phrases_ == first.phrases_
