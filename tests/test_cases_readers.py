"""Cases from real bug reports (../shared/cases) about readers, named after each case.

B23 and B25 are also covered by test_evaluation.py and test_datasets.py; here
each reads the case's own input and checks what its expect.md asks of the
readers, plus the headline numbers.
"""
from pathlib import Path

import numpy as np
import pytest

from embkit import io
from embkit.corpus.vocab import Vocabulary
from embkit.evaluation import evaluate_analogies, evaluate_similarity
from embkit.evaluation.datasets import read_analogies, read_similarity
from embkit.exceptions import FormatError
from embkit.vectors import KeyedVectors

FIXTURES = Path(__file__).parent / "fixtures"
EVAL = FIXTURES / "eval"


# -- B13: a word that looks like a fastText label ------------------------------------------------------

def test_b13_label_like_word_is_an_ordinary_word():
    """``the __label__x sat on the mat`` x5: ``__label__x`` is counted like any other word."""
    vocab = Vocabulary.build(str(FIXTURES / "corpus" / "b13_label_like.txt"), min_count=5)
    assert dict(zip(vocab.words, vocab.counts.tolist())) == {"the": 10, "__label__x": 5, "sat": 5, "on": 5,
                                                             "mat": 5}


@pytest.mark.parametrize("name", ["b13.vec", "b13.bin", "b13.embkit"])
def test_b13_written_vectors_hold_a_row_for_the_label_like_word(tmp_path, name):
    """The header count equals the rows written and the vocabulary size, with a row for ``__label__x``."""
    vocab = Vocabulary.build(str(FIXTURES / "corpus" / "b13_label_like.txt"), min_count=5)
    kv = KeyedVectors(vocab.words, np.arange(len(vocab) * 4, dtype=np.float32).reshape(-1, 4),
                      counts=vocab.counts)
    io.save(kv, tmp_path / name)
    if name.endswith(".vec"):
        lines = (tmp_path / name).read_text(encoding="utf-8").splitlines()
        assert lines[0] == "5 4" and len(lines) == 6 and lines[2].startswith("__label__x ")
    back = io.load(tmp_path / name)
    assert back.index_to_key == ["the", "__label__x", "sat", "on", "mat"]
    assert np.array_equal(back["__label__x"], kv["__label__x"])


# -- B23: analogy files --------------------------------------------------------------------------------

def test_b23_section_headers_are_never_questions():
    data = read_analogies(EVAL / "questions.txt")
    assert data.sections == ["capital-common-countries", "family"]
    assert len(data) == 7
    assert not any(w.startswith(":") for q in data.questions for w in (q.a, q.b, q.c, q.d))
    assert (data.questions[0].a, data.questions[0].section) == ("Paris", "capital-common-countries")


def test_b23_totals_are_micro_averaged_with_coverage():
    r = evaluate_analogies(io.load(EVAL / "analogy.vec"), EVAL / "questions.txt")
    assert (r["correct"], r["answered"], r["total"], r["accuracy"]) == (4, 5, 7, 0.8)
    assert r["coverage"] == pytest.approx(5 / 7) and r["accuracy_oov_as_wrong"] == pytest.approx(4 / 7)


# -- B25: word-pair files -------------------------------------------------------------------------------

def test_b25_tab_and_space_separated_pairs_read_the_same():
    tab, space = read_similarity(EVAL / "pairs_tab.txt"), read_similarity(EVAL / "pairs_space.txt")
    assert tab.pairs == space.pairs == [("cat", "dog", 9.0), ("car", "bus", 8.0), ("dog", "bus", 3.0),
                                        ("cat", "car", 1.0), ("cat", "unicorn", 5.0)]


def test_b25_comma_separated_file_has_zero_valid_pairs_and_names_line_1():
    with pytest.raises(FormatError) as info:
        read_similarity(EVAL / "pairs_bad.txt")
    assert info.value.lineno == 1 and "0 valid pairs" in str(info.value)


def test_b25_scores_drop_oov_pairs():
    r = evaluate_similarity(io.load(EVAL / "sim.vec"), EVAL / "pairs_space.txt")
    assert r["spearman"] == pytest.approx(0.4, abs=1e-12) and r["pearson"] == pytest.approx(0.537190, abs=5e-7)
    assert (r["pairs_used"], r["pairs_total"], r["oov_share"]) == (4, 5, pytest.approx(0.2))
