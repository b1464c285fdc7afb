"""Detected terms against gold lists, and analogy/similarity data sets whose words are _-joined terms."""
from pathlib import Path

import pytest

import embkit
from embkit.evaluation import available_datasets, dataset_info, evaluate_analogies, evaluate_similarity
from embkit.evaluation.phrases import evaluate_phrases, load_gold
from embkit.exceptions import EmbkitError, FormatError

TERMS = Path(__file__).parent / "fixtures" / "terms"


def test_precision_at_k_by_hand():
    r = evaluate_phrases(TERMS / "phrases.tsv", gold=TERMS / "gold.txt", top=[1, 2, 4, 10])
    # ranked: new_york (gold), bank_of_england, hot_dog (gold), big_apple_pie; gold: new_york, hot_dog, apple_pie
    assert [(p["k"], p["ranked"], p["hits"], p["precision"]) for p in r["precision"]] == [
        (1, 1, 1, 1.0), (2, 2, 1, 0.5), (4, 4, 2, 0.5), (10, 4, 2, 0.5)]
    assert (r["terms"], r["gold_size"], r["found"]) == (4, 3, 2) and r["found_share"] == pytest.approx(2 / 3)
    assert [p["k"] for p in evaluate_phrases(TERMS / "phrases.tsv", gold=TERMS / "gold.txt")["precision"]] == [
        100, 1000, 10000]


def test_rows_are_ranked_by_score_lowercased_and_joined_with_underscores():
    rows = [("hot+dog", 3, 0.1), ("New+York", 9, 0.9), ("big+apple+pie", 2, 0.5)]
    ph = type("Fitted", (), {"phrases_": rows, "settings_": {"delimiter": "+"}})()
    r = evaluate_phrases(ph, gold=TERMS / "gold.txt", top=2)
    assert r["precision"] == [{"k": 2, "ranked": 2, "hits": 1, "precision": 0.5}] and r["found"] == 2
    assert evaluate_phrases([("hot_dog", 1, 0.3), ("new_york", 1, 0.2)], gold=TERMS / "gold.txt",
                            top=1)["precision"][0]["hits"] == 1


def test_bundled_wordnet_gold_list():
    assert available_datasets("terms") == ["wordnet_multiword"]
    name, gold = load_gold("wordnet")
    assert name == "wordnet" and len(gold) == dataset_info("wordnet_multiword")["items"] == 64188
    assert {"new_york", "hot_dog", "bank_of_england", "prisoner_of_war"} <= gold and "big_apple_pie" not in gold
    r = evaluate_phrases(TERMS / "phrases.tsv", top=4)
    assert r["precision"][0]["hits"] == 3 and r["gold"] == "wordnet" and r["gold_size"] == 64188


def test_bad_gold_and_phrases_files(tmp_path):
    with pytest.raises(EmbkitError, match="unknown gold list 'nosuch'"):
        evaluate_phrases(TERMS / "phrases.tsv", gold="nosuch")
    (tmp_path / "g.txt").write_text("# nothing\nsolo\n")
    with pytest.raises(FormatError, match="g.txt: no multi-word term"):
        load_gold(tmp_path / "g.txt")
    (tmp_path / "p.tsv").write_text("new_york\t3\t0.5\nbad row\n")
    with pytest.raises(FormatError, match=r"p.tsv, line 2: expected 'term<TAB>count<TAB>score'"):
        evaluate_phrases(tmp_path / "p.tsv", gold=TERMS / "gold.txt")
    with pytest.raises(EmbkitError, match="top must be a positive integer"):
        evaluate_phrases(TERMS / "phrases.tsv", gold=TERMS / "gold.txt", top=0)


def test_analogies_and_similarity_with_joined_terms():
    kv = embkit.load(str(TERMS / "terms.vec"))
    r = evaluate_analogies(kv, str(TERMS / "questions.txt"))
    # usa : new_york :: france : ?  new_york - usa + france = (0, 1, 1) = paris
    assert (r["correct"], r["answered"], r["total"]) == (1, 1, 1)
    s = evaluate_similarity(kv, str(TERMS / "pairs.txt"))
    # the scores follow the cosines: new_york/big_apple .998 > hot_dog/sausage .996 > paris/france .707 >
    # new_york/paris .5 > usa/sausage .287 > new_york/hot_dog .139
    assert s["spearman"] == pytest.approx(1.0) and s["pairs_used"] == 6 and not s["oov"]
    assert kv.most_similar("new_york", topn=1)[0][0] == "big_apple"


def test_terms_alone_and_bad_rows(tmp_path):
    """evaluate_phrases takes terms alone (best first); anything else names the bad entry, not a raw TypeError."""
    gold = tmp_path / "gold.txt"
    gold.write_text("new york\nhot dog\n", encoding="utf-8")
    r = evaluate_phrases(["new_york", "big_apple", "hot_dog"], gold=gold, top=[1, 2, 3])
    assert [p["hits"] for p in r["precision"]] == [1, 1, 2] and r["found"] == 2
    with pytest.raises(embkit.EmbkitError, match=r"found the entry \('new_york', 3\)") as err:
        evaluate_phrases([("new_york", 3)], gold=gold)
    assert isinstance(err.value, TypeError)


def test_gold_list_errors_name_the_line_or_the_directory(tmp_path):
    """A Latin-1 gold file names the line of the first bad byte; a directory says it is one."""
    gold = tmp_path / "latin.txt"
    gold.write_bytes(b"new york\nhot dog\ncaf\xe9 au lait\n")
    with pytest.raises(FormatError, match=r"latin.txt, line 3: not UTF-8 \(byte 0xe9\)"):
        load_gold(gold)
    with pytest.raises(EmbkitError, match="is a directory; the gold list is a file"):
        load_gold(tmp_path)
