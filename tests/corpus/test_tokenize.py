"""Tokenizers: whitespace and regex splitting, lowercasing, combining marks."""
import pytest

from embkit.corpus.tokenize import Tokenizer
from embkit.exceptions import EmbkitError


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
