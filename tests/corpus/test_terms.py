"""Terms as single tokens: term lists, longest match, break marks, term and phrases files, encoding with terms."""
import json

import numpy as np
import pytest

import embkit
from embkit.corpus.cache import cache_key
from embkit.corpus.encoded import FORMAT_VERSION
from embkit.corpus.reading import file_signature
from embkit.corpus.terms import (
    BREAK,
    BreakTokenizer,
    JoiningTokenizer,
    TermList,
    phrases_terms,
    read_phrases,
    read_terms,
)
from embkit.corpus.tokenize import TOKEN_RULES, Tokenizer
from embkit.exceptions import CorpusError, EmbkitError, FormatError, InvalidParameterError

TERMS = TermList([["new", "york"], ["new", "york", "city"], ["york", "city", "hall"], ["hot", "dog"]])


@pytest.mark.parametrize("tokens, joined", [
    ("i love new york city hall", ["i", "love", "new_york_city", "hall"]),    # the longest match at "new" wins
    ("new york state", ["new_york", "state"]),
    ("old york city hall", ["old", "york_city_hall"]),
    ("new new york", ["new", "new_york"]),
    ("new", ["new"]),
    ("hot dog hot dog", ["hot_dog", "hot_dog"]),
    ("", []),
])
def test_longest_match_first(tokens, joined):
    assert TERMS.join(tokens.split()) == joined


def test_breaks_stop_a_match_and_are_dropped():
    assert TERMS.join(["new", BREAK, "york"]) == ["new", BREAK, "york"]
    split = JoiningTokenizer(Tokenizer("regex", lowercase=True), TERMS)
    assert split("New York, City hall; a hot-dog and a hot dog.") == ["new_york", "city", "hall", "a", "hot-dog",
                                                                     "and", "a", "hot_dog"]
    plain = JoiningTokenizer(Tokenizer("whitespace"), TERMS)
    assert plain("new york, city") == ["new", "york,", "city"] and plain.settings() == Tokenizer().settings()


@pytest.mark.parametrize("line", ["Bank of England (BoE), 1694: «the Old Lady».", "naïve café – déjà vu!",
                                  "don't-stop  rock-'n'-roll", "", "...", "a"])
def test_break_tokenizer_keeps_the_regex_tokens(line):
    plain = Tokenizer("regex", lowercase=True)
    marked = BreakTokenizer.like(plain)
    assert [t for t in marked(line) if t != BREAK] == plain(line)
    assert marked.settings() == {**plain.settings(), "breaks": True}
    with pytest.raises(EmbkitError, match="only by the regex tokenizer"):
        BreakTokenizer("whitespace")


def test_break_tokenizer_marks_punctuation_between_tokens():
    assert BreakTokenizer()("new york, times (daily)") == ["new", "york", BREAK, "times", BREAK, "daily", BREAK]


def test_term_list_digest_ignores_order_and_duplicates():
    a = TermList([["a", "b"], ["c", "d"], ["a", "b"]])
    b = TermList([("c", "d"), ("a", "b")])
    assert a.sha256() == b.sha256() and len(a) == 2
    assert TermList([["a", "b"]], delimiter="+").sha256() != TermList([["a", "b"]]).sha256()
    with pytest.raises(EmbkitError, match="two or more words"):
        TermList([["solo"]])
    with pytest.raises(EmbkitError, match="not a word"):
        TermList([["a", "b c"]])
    with pytest.raises(EmbkitError, match="one delimiter"):
        a.merged(TermList([["x", "y"]], delimiter="+"))


def test_terms_file(tmp_path):
    path = tmp_path / "terms.txt"
    path.write_text("# domain terms\nNew York\n\nhabeas  corpus\nmachine learning\nnew york\n", encoding="utf-8")
    terms = read_terms(path, Tokenizer("whitespace", lowercase=True))
    assert terms.terms == [("habeas", "corpus"), ("machine", "learning"), ("new", "york")]
    assert terms.source == {"terms": str(path)}
    assert read_terms(path).terms[-1] == ("new", "york") and ("New", "York") in read_terms(path).terms
    for text, lineno, message in [("a b\nsolo\n", 2, "a term needs two or more words"),
                                  ("a b\nnew_york\t3\t0.9\n", 2, "holds a tab"),
                                  ("a b\n, ;\n", 2, "a term needs two or more words")]:
        path.write_text(text, encoding="utf-8")
        with pytest.raises(FormatError, match=rf"terms.txt, line {lineno}: {message}") as err:
            read_terms(path, Tokenizer("regex"))
        assert err.value.lineno == lineno
    path.write_bytes(b"caf\xe9 au lait\n")
    with pytest.raises(FormatError, match="not UTF-8"):
        read_terms(path)


@pytest.mark.parametrize("row, message", [
    ("new_york\t3", "expected 'term<TAB>count<TAB>score', found 2 field"),
    ("new york", "goes to --terms"),
    ("newyork\t3\t0.5", "not a multi-word term"),
    ("new__york\t3\t0.5", "not a multi-word term"),
    ("new_york\tthree\t0.5", "count 'three' is not an integer"),
    ("new_york\t-1\t0.5", "negative count"),
    ("new_york\t3\thigh", "score 'high' is not a number"),
    ("new_york\t3\tnan", "not finite"),
])
def test_malformed_phrases_files_name_file_and_line(tmp_path, row, message):
    path = tmp_path / "p.tsv"
    path.write_text(f"# comment\nhot_dog\t5\t0.9\n{row}\n", encoding="utf-8")
    with pytest.raises(FormatError, match=rf"p.tsv, line 3: .*{message}") as err:
        read_phrases(path)
    assert err.value.lineno == 3


def test_phrases_file_delimiter_from_its_settings_line(tmp_path):
    path = tmp_path / "p.tsv"
    path.write_text('# settings: {"delimiter": "+"}\nhot+dog\t5\t0.9\n\nbank+of+england\t3\t0.5\n')
    assert phrases_terms(path).terms == [("bank", "of", "england"), ("hot", "dog")]
    path.write_text("# settings: {broken\nhot_dog\t5\t0.9\n")
    with pytest.raises(FormatError, match="line 1: the '# settings:' line is not a JSON object"):
        read_phrases(path)


def _write(tmp_path, text, name="c.txt"):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return str(tmp_path / name)


CORPUS = "I love New York city.\nNew York, City hall\nthe hot dog stand\nnew york\n" * 3


def test_encoding_joins_terms_and_keys_the_cache_by_them(tmp_path):
    corpus = _write(tmp_path, CORPUS)
    plain = embkit.EncodedCorpus.encode(corpus, tokenizer="regex", lowercase=True, min_count=1, progress=False)
    tok = Tokenizer("regex", lowercase=True)
    # the key of a corpus without terms is the one earlier versions computed: their cache entries stay valid
    assert plain.path.name == cache_key({"v": FORMAT_VERSION, "sources": [file_signature(corpus)],
                                         "tokenizer": tok.settings(), "encoding_errors": "strict", "given_vocab": None,
                                         "vocab": {"min_count": 1, "max_vocab_size": None,
                                                   "max_sentence_length": 10000}, "token_rules": TOKEN_RULES})
    assert "terms" not in plain.manifest
    terms = _write(tmp_path, "new york city\nnew york\nhot dog\n", "terms.txt")
    joined = embkit.EncodedCorpus.encode(corpus, tokenizer="regex", lowercase=True, min_count=1, terms=terms,
                                         progress=False)
    assert joined.path != plain.path
    assert dict(zip(joined.vocab.words, joined.vocab.counts.tolist())) == {
        "new_york": 6, "city": 3, "new_york_city": 3, "hall": 3, "i": 3, "love": 3, "the": 3, "hot_dog": 3,
        "stand": 3}                                          # "new york, city": no term across the comma
    assert joined.manifest["terms"]["terms"] == terms and joined.manifest["terms"]["count"] == 3
    # 3 x (new york city: 2 fewer tokens; new york, new york, hot dog: 1 fewer each)
    assert joined.manifest["tokens"] == plain.manifest["tokens"] - 15 and joined.raw_tokens == plain.raw_tokens - 15
    again = embkit.EncodedCorpus.encode(corpus, tokenizer="regex", lowercase=True, min_count=1, terms=terms,
                                        progress=False)
    assert again.path == joined.path
    _write(tmp_path, "new york\nhot dog\n", "terms.txt")
    other = embkit.EncodedCorpus.encode(corpus, tokenizer="regex", lowercase=True, min_count=1, terms=terms,
                                        progress=False)
    assert other.path not in (joined.path, plain.path) and "new_york_city" not in other.vocab


def test_phrases_and_terms_together_and_sentences(tmp_path):
    phrases = _write(tmp_path, "# settings: {\"delimiter\": \"_\"}\nhot_dog\t3\t0.9\n", "p.tsv")
    terms = _write(tmp_path, "New York\n", "t.txt")
    sentences = [["I", "love", "New", "York"], ["a", "hot", "dog"]]
    enc = embkit.EncodedCorpus.encode(sentences, lowercase=True, min_count=1, phrases=phrases, terms=terms,
                                      progress=False)
    assert enc.vocab.words == ["i", "love", "new_york", "a", "hot_dog"]
    assert enc.manifest["terms"]["phrases"] == phrases and enc.manifest["terms"]["terms"] == terms
    with pytest.raises(EmbkitError, match="phrases must be 'auto' or the path"):
        embkit.EncodedCorpus.encode(sentences, min_count=1, phrases=3, progress=False)


def test_phrases_auto_detects_then_joins(tmp_path):
    corpus = _write(tmp_path, "new york is big\ni love new york\nbig apple\n" * 5)
    enc = embkit.EncodedCorpus.encode(corpus, min_count=1, phrases="auto", progress=False)
    # every pair scores 1 or close (each word keeps its company); pass 2 joins them into 4-word terms, and
    # joining takes the longest term at each position
    assert set(enc.vocab.words) == {"new_york_is_big", "i_love_new_york", "big_apple"}
    assert enc.manifest["terms"]["phrases"] == "auto"
    gen = embkit.EncodedCorpus.encode((s.split() for s in ["new york is big", "i love new york"] * 5), min_count=1,
                                      phrases="auto", progress=False)
    assert "new_york" in gen.vocab                           # a one-shot iterator is read once for each step
    with pytest.raises(CorpusError, match="standard input can be read only once"):
        embkit.EncodedCorpus.encode("-", phrases="auto", progress=False)


def test_models_train_on_joined_terms(tmp_path):
    corpus = _write(tmp_path, CORPUS * 3)
    terms = _write(tmp_path, "new york\nhot dog\n", "terms.txt")
    m = embkit.SkipGram(dim=4, epochs=1, min_count=1, threads=1, tokenizer="regex", lowercase=True, terms=terms,
                        progress=False).fit(corpus)
    assert "new_york" in m.wv and "hot_dog" in m.wv and "york" not in m.wv
    assert m.wv.meta["params"]["terms"] == terms and m.wv.meta["params"]["phrases"] is None
    assert m.wv.meta["corpus"]["sources"][0]["path"].endswith("c.txt")
    again = embkit.SkipGram(dim=4, epochs=1, min_count=1, threads=1, tokenizer="regex", lowercase=True,
                            progress=False).fit(m.corpus_)          # the encoded corpus brings its terms
    assert again.wv.meta["params"]["terms"] == terms
    with pytest.raises(InvalidParameterError, match=r"phrases='p.tsv' \(the corpus has None\)"):
        embkit.SkipGram(phrases="p.tsv", progress=False).fit(
            embkit.EncodedCorpus.encode(corpus, min_count=1, progress=False))
    plain = embkit.SkipGram(dim=4, epochs=1, min_count=1, threads=1, seed=3, progress=False).fit(corpus)
    none = embkit.SkipGram(dim=4, epochs=1, min_count=1, threads=1, seed=3, phrases=None, terms=None,
                           progress=False).fit(corpus)
    assert np.array_equal(plain.wv.vectors, none.wv.vectors)
    meta = json.loads(json.dumps(plain.wv.meta["params"]))
    assert meta["phrases"] is None and meta["terms"] is None


def test_a_term_with_inner_punctuation_is_reported(tmp_path, caplog):
    """A listed term the tokenizer breaks inside (u.s. government) can never join: one warning names it."""
    path = tmp_path / "terms.txt"
    path.write_text("new york\nu.s. government\nhot dog\ne.g. this one\n", encoding="utf-8")
    terms = read_terms(path, BreakTokenizer("regex", lowercase=True))
    assert ("new", "york") in terms.terms and len(terms) == 4
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == [f"{path}, line 2: 'u.s. government' holds punctuation the tokenizer breaks terms at, so it "
                        "never joins (and 1 more such terms)"]


def test_a_phrases_file_detected_on_other_tokens_is_reported(tmp_path, caplog):
    """--phrases FILE detected with --tokenizer regex --lowercase, used on a whitespace, cased reading: a warning."""
    corpus = _write(tmp_path, CORPUS)
    phrases = _write(tmp_path, '# settings: {"delimiter": "_", "lowercase": true, "tokenizer": "regex"}\n'
                               "new_york\t6\t0.9\n", "p.tsv")
    embkit.EncodedCorpus.encode(corpus, tokenizer="regex", lowercase=True, min_count=1, phrases=phrases,
                                progress=False)
    assert not [r for r in caplog.records if r.levelname == "WARNING"]
    embkit.EncodedCorpus.encode(corpus, min_count=1, phrases=phrases, progress=False)
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == [f"{phrases} was detected with tokenizer='regex', lowercase=True but this corpus is read "
                        "with tokenizer='whitespace', lowercase=False: terms tokenised or cased otherwise do not "
                        "join; read the corpus the same way"]


def test_encoding_reports_a_term_the_regex_tokenizer_breaks(tmp_path, caplog):
    """--terms with 'u.s. government' and --tokenizer regex: the term cannot join, and encoding says so."""
    corpus = _write(tmp_path, "the u.s. government said\nthe us government\n" * 3)
    terms = _write(tmp_path, "u.s. government\nus government\n", "terms.txt")
    enc = embkit.EncodedCorpus.encode(corpus, tokenizer="regex", lowercase=True, min_count=1, terms=terms,
                                      progress=False)
    assert "us_government" in enc.vocab and "s_government" not in enc.vocab
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("line 1: 'u.s. government' holds punctuation the tokenizer breaks terms at" in w for w in warnings)


def test_encoding_counts_the_terms_that_occur(tmp_path, caplog):
    """How many listed terms made it into the vocabulary is recorded and said; none at all is a warning."""
    import logging
    corpus = _write(tmp_path, CORPUS)
    terms = _write(tmp_path, "new york\nhot dog\nbig apple\n", "terms.txt")
    with caplog.at_level(logging.INFO, logger="embkit"):
        enc = embkit.EncodedCorpus.encode(corpus, tokenizer="regex", lowercase=True, min_count=1, terms=terms,
                                          progress=False)
    assert enc.manifest["terms"]["in_vocabulary"] == 2
    assert any(r.getMessage().endswith("2 of the 3 terms joined occur at least min_count=1 times")
               for r in caplog.records)
    upper = _write(tmp_path, "NEW YORK\n", "upper.txt")                   # cased terms, cased reading: no match
    embkit.EncodedCorpus.encode(corpus, min_count=1, terms=upper, progress=False)
    assert any(r.levelname == "WARNING" and "0 of the 1 terms joined" in r.getMessage() for r in caplog.records)


def test_same_terms_from_a_file_and_from_auto_are_two_cache_entries(tmp_path):
    """The manifest records where terms came from, and training checks it: a phrases file and phrases='auto'
    that give the same terms must not share a cache entry (the second was refused as 'settings disagree')."""
    from embkit.corpus.encoded import detect_terms
    corpus = _write(tmp_path, "new york is big\nin new york today\n" * 10)
    auto = detect_terms(corpus, progress=False)
    rows = "".join(f"{'_'.join(t)}\t5\t0.9\n" for t in auto.terms)
    phrases = _write(tmp_path, rows, "p.tsv")
    from_file = embkit.EncodedCorpus.encode(corpus, min_count=1, phrases=phrases, progress=False)
    from_auto = embkit.EncodedCorpus.encode(corpus, min_count=1, phrases="auto", progress=False)
    assert from_file.path != from_auto.path
    assert from_file.manifest["terms"]["phrases"] == phrases and from_auto.manifest["terms"]["phrases"] == "auto"
    model = embkit.SkipGram(min_count=1, dim=4, epochs=1, threads=1, phrases="auto", progress=False).fit(corpus)
    assert model.wv.index_to_key == from_auto.vocab.words and any("_" in w for w in model.wv.index_to_key)
