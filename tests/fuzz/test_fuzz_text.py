"""Fuzzing the text readers: the vocabulary TSV, evaluation data sets (analogies, word pairs) and corpora
(plain and compressed, both tokenizers).

Every generated or mutated input either reads, and then writes and reads
back to the same content, or raises an EmbkitError whose one-line message
names the file; never another exception, a warning, or an allocation the
input's size does not justify.
"""
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from embkit.corpus.tokenize import Tokenizer
from embkit.corpus.vocab import Vocabulary
from embkit.evaluation.datasets import read_analogies, read_similarity
from embkit.evaluation.similarity import evaluate_similarity
from embkit.exceptions import EmbkitError
from embkit.vectors import KeyedVectors

from ._tools import compress, documented, mutated, workdir

Tokenizer("regex")("é")     # builds the regex tokenizer's table of combining marks once, outside any deadline

WORD = st.text(st.characters(exclude_categories=("Cs", "Zs", "Zl", "Zp", "Cc")), min_size=1, max_size=6)
SCORES = st.one_of(st.floats(allow_nan=False, allow_infinity=False),
                   st.sampled_from([1e308, -1e308, 5e-324, 0.0, 10.0]))


def _named(result, path):
    if isinstance(result, EmbkitError):
        assert path.name in str(result), str(result)
        return False
    return True


@given(words=st.lists(WORD, max_size=6, unique=True), counts=st.lists(st.integers(0, 2**63 - 1), min_size=6),
       data=st.data())
def test_vocabulary_tsv(words, counts, data):
    with workdir() as where:
        path = where / "vocab.tsv"
        text = "".join(f"{w}\t{c}\n" for w, c in zip(words, counts)).encode("utf-8")
        raw = data.draw(mutated(text))
        path.write_bytes(raw)
        vocab = documented(lambda: Vocabulary.load(path), len(raw))
        if _named(vocab, path):
            assert all(w and "\t" not in w and "\n" not in w and "\ufeff" not in w for w in vocab.words)
            vocab.save(where / "again.tsv")
            back = Vocabulary.load(where / "again.tsv")
            assert back.words == vocab.words and np.array_equal(back.counts, vocab.counts)


@given(questions=st.lists(st.tuples(WORD, WORD, WORD, WORD), max_size=5),
       section=st.none() | WORD, data=st.data())
def test_analogy_file(questions, section, data):
    with workdir() as where:
        path = where / "questions.txt"
        head = f": {section}\n" if section else ""
        text = (head + "".join(" ".join(q) + "\n" for q in questions)).encode("utf-8")
        raw = data.draw(mutated(text))
        path.write_bytes(raw)
        found = documented(lambda: read_analogies(path), len(raw))
        if _named(found, path):
            again = where / "again.txt"
            lines, current = [], None
            for q in found.questions:
                if q.section != current:
                    lines.append(f": {q.section}")
                    current = q.section
                lines.append(f"{q.a} {q.b} {q.c} {q.d}")
            again.write_text("\n".join(lines) + "\n", encoding="utf-8")
            assert read_analogies(again).questions == found.questions


@given(pairs=st.lists(st.tuples(WORD, WORD, SCORES), max_size=6), tab=st.booleans(), data=st.data())
def test_similarity_file_and_its_scores(pairs, tab, data):
    with workdir() as where:
        path = where / "pairs.txt"
        sep = "\t" if tab else " "
        text = "".join(f"{a}{sep}{b}{sep}{s!r}\n" for a, b, s in pairs).encode("utf-8")
        raw = data.draw(mutated(text))
        path.write_bytes(raw)
        found = documented(lambda: read_similarity(path), len(raw))
        if not _named(found, path):
            return
        again = where / "again.txt"
        again.write_text("".join(f"{a} {b} {s!r}\n" for a, b, s in found.pairs), encoding="utf-8")
        assert read_similarity(again).pairs == found.pairs
        words = sorted({w for a, b, _ in found.pairs for w in (a, b)})
        rng = np.random.default_rng(0)
        kv = KeyedVectors(words, rng.standard_normal((len(words), 3)).astype(np.float32))
        result = documented(lambda: evaluate_similarity(kv, found), len(raw))
        if not isinstance(result, EmbkitError):
            for key in ("spearman", "pearson"):
                assert result[key] is None or -1 <= result[key] <= 1


@given(lines=st.lists(st.lists(WORD, max_size=5), max_size=6), suffix=st.sampled_from(["", ".gz", ".bz2", ".xz"]),
       damage_compressed=st.booleans(), tokenizer=st.sampled_from(["whitespace", "regex"]),
       lowercase=st.booleans(), data=st.data())
def test_corpus(lines, suffix, damage_compressed, tokenizer, lowercase, data):
    with workdir() as where:
        text = "".join(" ".join(line) + "\n" for line in lines).encode("utf-8")
        raw = compress(text, suffix)
        raw = data.draw(mutated(raw)) if damage_compressed and suffix else compress(data.draw(mutated(text)), suffix)
        path = where / f"corpus.txt{suffix}"
        path.write_bytes(raw)
        vocab = documented(lambda: Vocabulary.build(str(path), tokenizer=tokenizer, lowercase=lowercase,
                                                    min_count=1), max(len(raw), len(text)) * 2)
        if _named(vocab, path):
            assert all(w and w == w.strip() and not any(c.isspace() for c in w) and "\ufeff" not in w
                       for w in vocab.words)
            assert int(vocab.counts.sum()) >= len(vocab) >= 1
            vocab.save(where / "vocab.tsv")
            back = Vocabulary.load(where / "vocab.tsv")
            assert back.words == vocab.words and np.array_equal(back.counts, vocab.counts)
