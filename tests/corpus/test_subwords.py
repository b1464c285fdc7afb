"""fastText's character n-grams and hashing (cases B20, B22), the word -> n-gram CSR and the composition."""
from pathlib import Path

import numpy as np
import pytest

from embkit.corpus.subwords import (
    EOS,
    char_ngrams,
    compose,
    count_ngrams,
    ft_hash,
    input_rows,
    ngram_buckets,
    ngram_csr,
)

CASES = Path(__file__).resolve().parents[2].parent / "shared" / "cases"

# case B22: n-gram, fastText's h, h % 2,000,000 (verified there against fastText 0.9.3's subword ids)
B22 = [("<ab", 1218209508, 209508), ("ab>", 1699241756, 1241756), ("<gł", 3275252115, 1252115),
       ("gło", 1060739402, 739402), ("łow", 3012722452, 722452), ("<日本", 3018758587, 758587),
       ("日本語", 308035559, 35559), ("本語>", 2567674355, 1674355), ("<😀a", 2505197561, 1197561),
       ("😀a>", 2040221999, 221999)]
# a plain FNV-1a over unsigned bytes (fastText#539's bug) gives these buckets instead: they must differ
PLAIN_FNV = {"<gł": 646547, "gło": 140490, "łow": 1934356, "<日本": 991675, "日本語": 1733351, "本語>": 1974515,
             "<😀a": 917497, "😀a>": 1727407}

WORDS = ["ab", "xy", "głowa", "日本語", "😀a", "the", "naïve", "ñandú", "a", "", "café", "aaaa", "Straße", "ǅemal",
         "𝔘𝔫𝔦", "e\u0301te"]


@pytest.mark.parametrize("ngram, h, row", B22)
def test_b22_fasttext_hash_with_sign_extended_bytes(ngram, h, row):
    """Case B22: FNV-1a with each byte sign-extended from int8, so bucket ids equal fastText's."""
    assert ft_hash(ngram) == ft_hash(ngram.encode("utf-8")) == h
    assert h % 2_000_000 == row
    if ngram in PLAIN_FNV:
        assert row != PLAIN_FNV[ngram]


def test_b22_file_matches_the_table():
    path = CASES / "B22" / "ngrams.txt"
    if not path.exists():
        pytest.skip("../shared/cases is not available")
    assert path.read_text(encoding="utf-8").split() == [g for g, _, _ in B22]


def test_hash_by_hand():
    # one byte 'a' (0x61): (2166136261 ^ 0x61) * 16777619 mod 2**32
    assert ft_hash(b"a") == ((2166136261 ^ 0x61) * 16777619) % 2**32 == 3826002220
    # one byte 0xC5 is sign-extended to 0xFFFFFFC5 before the XOR
    assert ft_hash(b"\xc5") == ((2166136261 ^ 0xFFFFFFC5) * 16777619) % 2**32
    assert ft_hash(b"") == 2166136261


def test_b20_ngrams_of_short_words():
    """Case B20: the whole <word> counts when its length is in range; too short words have none."""
    assert char_ngrams("xy", 3, 6) == ["<xy", "<xy>", "xy>"]
    assert char_ngrams("ab", 3, 6) == ["<ab", "<ab>", "ab>"]
    assert char_ngrams("xy", 5, 5) == []           # '<xy>' has 4 characters
    assert char_ngrams("xyz", 5, 5) == ["<xyz>"]
    assert char_ngrams("ox", 5, 5) == []
    assert ngram_buckets("xy", 5, 5, 100) == []


def test_ngrams_count_code_points_not_bytes():
    # 'ł' is two bytes, '😀' four: n-grams never cut a character
    assert char_ngrams("gł", 3, 3) == ["<gł", "gł>"]
    assert char_ngrams("😀", 3, 3) == ["<😀>"]
    assert char_ngrams("日本語", 3, 4) == ["<日本", "<日本語", "日本語", "日本語>", "本語>"]


def test_order_duplicates_and_edge_rules():
    # by start position, then length; a repeated n-gram is kept each time
    assert char_ngrams("aaaa", 3, 3) == ["<aa", "aaa", "aaa", "aa>"]
    # minn=1: single characters, but never a lone '<' or '>'
    assert char_ngrams("ab", 1, 2) == ["<a", "a", "ab", "b", "b>"]
    assert char_ngrams("ab", 0, 1) == ["a", "b"]
    assert char_ngrams("ab", 3, 0) == [] and char_ngrams("ab", 4, 3) == []
    assert char_ngrams(EOS, 3, 6) == []            # fastText gives its end-of-line word no n-gram


@pytest.mark.parametrize("minn, maxn", [(3, 6), (1, 1), (1, 3), (5, 5), (2, 8), (0, 2), (4, 3), (3, 0)])
def test_csr_equals_the_word_by_word_rule(minn, maxn):
    words = WORDS + [EOS]
    indptr, ids = ngram_csr(words, minn, maxn, 1000)
    assert indptr.dtype == np.int64 and ids.dtype == np.int64 and indptr[0] == 0
    for i, w in enumerate(words):
        assert ids[indptr[i]:indptr[i + 1]].tolist() == ngram_buckets(w, minn, maxn, 1000), w
    exact = sum(len(char_ngrams(w, minn, maxn)) for w in WORDS)
    if minn >= 2:
        assert count_ngrams(WORDS, minn, maxn) == exact
    else:       # an upper bound: it counts the lone '<' and '>' that are left out
        assert count_ngrams(WORDS, minn, maxn) >= exact


def test_csr_in_blocks(monkeypatch):
    import embkit.corpus.subwords as sw

    monkeypatch.setattr(sw, "_BLOCK_WORDS", 3)
    indptr, ids = ngram_csr(WORDS, 3, 6, 2_000_000)
    assert [ids[indptr[i]:indptr[i + 1]].tolist() for i in range(len(WORDS))] == \
        [ngram_buckets(w, 3, 6, 2_000_000) for w in WORDS]
    assert ngram_csr([], 3, 6, 10)[0].tolist() == [0]


def test_matches_gensim():
    ft = pytest.importorskip("gensim.models.fasttext_inner")
    for w in WORDS:
        assert char_ngrams(w, 3, 6) == [b.decode("utf-8") for b in ft.compute_ngrams_bytes(w, 3, 6)]
        assert [ft_hash(g) for g in char_ngrams(w, 3, 6)] == \
            [ft.ft_hash_bytes(b) for b in ft.compute_ngrams_bytes(w, 3, 6)]


def test_input_rows():
    indptr = np.array([0, 2, 2, 3])
    ids = np.array([5, 1, 0])
    row_ptr, rows = input_rows(indptr, ids, 3)
    assert row_ptr.tolist() == [0, 3, 4, 6]
    assert rows.tolist() == [0, 8, 4, 1, 2, 3]


def test_compose_is_the_mean_of_row_and_ngrams():
    word_rows = np.array([[1.0, 2.0], [3.0, 3.0], [0.5, 0.5]], np.float32)
    ngrams = np.array([[10.0, 0.0], [0.0, 10.0], [1.0, 1.0]], np.float32)
    indptr = np.array([0, 2, 2, 5])
    ids = np.array([0, 1, 2, 2, 0])
    out = compose(word_rows, ngrams, indptr, ids)
    assert out.dtype == np.float32
    # (1,2)+(10,0)+(0,10) = (11,12), /3; a word without n-grams keeps its row; (0.5+1+1+10, 0.5+1+1+0)/4
    np.testing.assert_array_equal(out, np.array([[11 / 3, 4.0], [3.0, 3.0], [12.5 / 4, 2.5 / 4]], np.float32))
    assert compose(word_rows, ngrams, indptr, ids, out=word_rows) is word_rows


def test_row_shifts_by_hand():
    """A word's composite vector moves by sum(m^2)/n times e when each of its n listed rows gains e (m: repeats)."""
    from embkit.corpus.subwords import row_shifts
    row_ptr = np.array([0, 3, 7, 8])
    rows = np.array([0, 10, 11,     1, 12, 12, 13,     2])
    np.testing.assert_allclose(row_shifts(row_ptr, rows), [1.0, (1 + 4 + 1) / 4, 1.0])
    # the definition: add e to each listed entry, then take the mean over the list
    w = np.zeros((14, 2))
    for i in range(row_ptr[1], row_ptr[2]):
        w[rows[i]] += [1.0, 2.0]
    np.testing.assert_allclose(w[rows[row_ptr[1]:row_ptr[2]]].mean(axis=0), [1.5, 3.0])
