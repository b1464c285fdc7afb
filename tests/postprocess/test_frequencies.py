"""Word probabilities: model counts, Zipf's law, frequency files (detection, coverage, missing words)."""
import gzip

import numpy as np
import pytest

from embkit import KeyedVectors
from embkit.exceptions import EmbkitError, FormatError
from embkit.postprocess.frequencies import (
    NoCountsError,
    probabilities_with_info,
    read_frequencies,
    word_probabilities,
)


def kv(keys=("the", "cat", "sat", "Paris"), counts=None):
    return KeyedVectors(list(keys), np.eye(len(keys)), counts=counts)


def test_model_counts_and_zipf():
    np.testing.assert_allclose(word_probabilities(kv(counts=[5, 3, 1, 1])), [0.5, 0.3, 0.1, 0.1])
    h = 1 + 1 / 2 + 1 / 3 + 1 / 4
    np.testing.assert_allclose(word_probabilities(kv(), "zipf"), [1 / h, 1 / 2 / h, 1 / 3 / h, 1 / 4 / h])


def test_no_counts_names_both_alternatives():
    for counts in (None, [0, 0, 0, 0]):
        with pytest.raises(NoCountsError) as info:
            word_probabilities(kv(counts=counts))
        msg = str(info.value)
        assert "--freq PATH" in msg and "--freq zipf" in msg and "\n" not in msg


def test_count_file_with_header_missing_word_and_lowercase_fallback(tmp_path):
    f = tmp_path / "counts.tsv"
    f.write_text("word\tcount\nthe\t60\ncat\t20\nsat\t10\nparis\t5\ndog\t2\n")
    table = read_frequencies(f)
    assert table.kind == "count" and len(table) == 5
    p, info = probabilities_with_info(kv(), str(f))
    np.testing.assert_allclose(p, np.array([60, 20, 10, 5]) / 95)          # "Paris" found as "paris"
    assert info["coverage"] == 1.0 and info["kind"] == "count"
    p, info = probabilities_with_info(kv(("the", "cat", "sat", "zebra")), str(f))
    # zebra is missing: it gets the smallest value of the file (2), then all are normalised
    np.testing.assert_allclose(p, np.array([60, 20, 10, 2]) / 92)
    assert info["coverage"] == 0.75 and info["missing"] == 1 and info["fill"] == 2


def test_probability_file_gz_and_spaces(tmp_path):
    f = tmp_path / "p.tsv.gz"
    with gzip.open(f, "wt") as g:
        g.write("the 4.0e-02\ncat\t1.0e-02\nsat\t1.0e-02\nparis\t2e-03\n")
    table = read_frequencies(f)
    assert table.kind == "probability"
    np.testing.assert_allclose(word_probabilities(kv(), f), np.array([40, 10, 10, 2]) / 62)


def test_coverage_below_half_is_an_error_naming_it(tmp_path):
    f = tmp_path / "few.tsv"
    f.write_text("the\t10\nzebra\t3\n")
    with pytest.raises(EmbkitError, match=r"covers 25\.0% of the vocabulary \(1 of 4 words\)"):
        word_probabilities(kv(), f)


@pytest.mark.parametrize("text, lineno, what", [
    ("the\t1\ncat\tmany\n", 2, "expected 'word<TAB>count'"),
    ("the\t1\ncat\t-2\n", 2, "finite number >= 0"),
    ("the\t1\ncat\tnan\n", 2, "finite number >= 0"),
    ("the\nthe\t1\n", 2, None),                                        # header then data: fine
])
def test_malformed_files(tmp_path, text, lineno, what):
    f = tmp_path / "bad.tsv"
    f.write_text(text)
    if what is None:
        assert read_frequencies(f).values == {"the": 1.0}
        return
    with pytest.raises(FormatError, match=what) as info:
        read_frequencies(f)
    assert info.value.lineno == lineno and str(f) in str(info.value)


def test_empty_and_non_utf8_files(tmp_path):
    f = tmp_path / "empty.tsv"
    f.write_text("\n\n")
    with pytest.raises(FormatError, match="no 'word<TAB>count'"):
        read_frequencies(f)
    f.write_bytes(b"the\t1\n\xff\t2\n")
    with pytest.raises(FormatError, match="not UTF-8") as info:
        read_frequencies(f)
    assert info.value.lineno == 2


def test_duplicates_keep_the_first(tmp_path, caplog):
    f = tmp_path / "dup.tsv"
    f.write_text("the\t10\nthe\t99\ncat\t5\n")
    table = read_frequencies(f)
    assert table.values == {"the": 10.0, "cat": 5.0} and table.duplicates == 1
    assert "more than once" in caplog.text


def test_array_weights_and_bad_sources(tmp_path):
    np.testing.assert_allclose(word_probabilities(kv(), [1, 1, 2, 0]), [0.25, 0.25, 0.5, 0])
    with pytest.raises(EmbkitError, match="shape"):
        word_probabilities(kv(), [1, 2])
    with pytest.raises(EmbkitError, match=">= 0"):
        word_probabilities(kv(), [1, -1, 1, 1])
    with pytest.raises(EmbkitError, match="positive total"):
        word_probabilities(kv(), [0, 0, 0, 0])
    with pytest.raises(EmbkitError, match="neither 'model', 'zipf' nor an existing file"):
        word_probabilities(kv(), str(tmp_path / "missing.tsv"))


def test_frequency_files_with_lone_cr_line_ends_read_like_the_others(tmp_path):
    """A CR-only file was one entry holding the whole text (then '0% of the vocabulary covered')."""
    from embkit.postprocess.frequencies import read_frequencies

    path = tmp_path / "cr.tsv"
    path.write_bytes(b"\xef\xbb\xbfword\tcount\rthe\t5\rto\t3\r\nof\t2\r")
    assert read_frequencies(path).values == {"the": 5.0, "to": 3.0, "of": 2.0}
