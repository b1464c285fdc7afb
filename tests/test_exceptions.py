"""Each error a user can cause is an EmbkitError subclass that is also the matching built-in exception,
and new code raises the specific subclass, not a bare EmbkitError."""
import ast
from pathlib import Path

import numpy as np
import pytest

import embkit
from embkit.evaluation.datasets import dataset_info
from embkit.evaluation.shift import shift_report
from embkit.models.aligned import AlignedSlices
from embkit.postprocess.lexicon import load_lexicon
from embkit.vectors import KeyedVectors

PACKAGE = Path(embkit.__file__).resolve().parent

# Sites that may still raise a bare EmbkitError, as {path relative to embkit/: count}, each with the reason no
# built-in fits.  Empty: every site raises a subclass that is also a ValueError, TypeError, KeyError, OSError...
BARE_EMBKIT_ERROR_ALLOWED = {}


def _kv(words=("king", "queen", "man", "woman")):
    rng = np.random.default_rng(0)
    return KeyedVectors(list(words), rng.normal(size=(len(words), 3)).astype(np.float32))


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("a b c a b c\n" * 20, encoding="utf-8")
    return path


def _aligned():
    return AlignedSlices({"x": _kv(), "y": _kv()})


CASES = {
    "unknown analogy method": (ValueError, lambda t, c: embkit.evaluate_analogies(_kv(), "google", method="3cosfoo")),
    "restrict_vocab=0": (ValueError, lambda t, c: embkit.evaluate_analogies(_kv(), "google", restrict_vocab=0)),
    "unknown oov mode": (ValueError, lambda t, c: embkit.evaluate_similarity(_kv(), "ws353", oov="skip")),
    "retrofit with no such lexicon": (FileNotFoundError, lambda t, c: embkit.retrofit(_kv(), str(t / "nolex"))),
    "read_lexicon of a missing file": (FileNotFoundError, lambda t, c: embkit.read_lexicon(t / "nope.txt")),
    "a directory as a lexicon": (IsADirectoryError, lambda t, c: load_lexicon(t)),
    "save to an unknown suffix": (ValueError, lambda t, c: _kv().save(t / "x.docx")),
    "save onto a directory": (IsADirectoryError, lambda t, c: (t / "adir.vec").mkdir() or _kv().save(t / "adir.vec")),
    "a key with a space to .bin": (ValueError, lambda t, c: _kv(["new york", "b"]).save(t / "ny.bin")),
    "compass with one slice": (ValueError, lambda t, c: embkit.CompassAligner(embkit.SkipGram(dim=4)).fit({"a": c})),
    "shift_scores of an unknown word": (KeyError, lambda t, c: embkit.shift_scores(_aligned(), "x", "y",
                                                                                   words=["king", "zzzz"])),
    "an unknown slice": (KeyError, lambda t, c: _aligned()["z"]),
    "an unknown bundled data set": (KeyError, lambda t, c: dataset_info("nope")),
    "fit on an int": (TypeError, lambda t, c: embkit.SkipGram().fit(42)),
    "fit on a list holding an int": (TypeError, lambda t, c: embkit.SkipGram().fit([str(c), 3])),
    "wv before fit": (AttributeError, lambda t, c: embkit.SkipGram().wv),
    "corpus_ before fit": (AttributeError, lambda t, c: embkit.CBOW().corpus_),
    "training_ before fit": (AttributeError, lambda t, c: embkit.SkipGram().training_),
    "dim given as a str": (TypeError, lambda t, c: embkit.SkipGram(dim="100").fit(c)),
    "norm given as a str": (TypeError, lambda t, c: _kv().get_vector("king", norm="yes")),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_error_is_an_embkit_error_and_the_builtin(name, tmp_path, corpus, monkeypatch):
    builtin, call = CASES[name]
    monkeypatch.chdir(tmp_path)
    with pytest.raises(embkit.EmbkitError) as info:
        call(tmp_path, corpus)
    assert isinstance(info.value, builtin), type(info.value).__mro__
    assert "\n" not in str(info.value) and str(info.value)


def test_messages_say_what_to_do(tmp_path, corpus):
    with pytest.raises(embkit.NotFittedError, match="fit the model first"):
        _ = embkit.SkipGram().wv
    assert not hasattr(embkit.SkipGram(), "wv")                     # still an AttributeError for hasattr
    with pytest.raises(AttributeError, match="has no attribute 'nope'") as info:
        _ = embkit.SkipGram().nope
    assert not isinstance(info.value, embkit.EmbkitError)            # a typo is not a fitting problem
    with pytest.raises(embkit.ParameterTypeError, match="a corpus is a file path, a list of paths.*got int"):
        embkit.SkipGram().fit(42)
    with pytest.raises(embkit.ParameterTypeError, match=r"dim must be an integer in \[1, 2147483647\], got '100'"):
        embkit.SkipGram(dim="100").fit(corpus)
    with pytest.raises(embkit.InvalidParameterError) as info:        # out of range: not a TypeError
        embkit.SkipGram(dim=0).fit(corpus)
    assert not isinstance(info.value, TypeError)
    with pytest.raises(embkit.MissingFileError, match="nope.txt") as info:
        embkit.read_lexicon(tmp_path / "nope.txt")
    assert info.value.filename == str(tmp_path / "nope.txt")
    with pytest.raises(KeyError) as info:
        embkit.shift_scores(_aligned(), "x", "y", words=["king", "zzzz"])
    assert str(info.value) == "not in slice 'x' (4 words): 'zzzz'" and info.value.key == "zzzz"


def test_shift_report_with_an_unknown_word_is_a_key_error():
    """What `embkit shift --words union,zzzz` runs (the command line prints it on one line, exit 1)."""
    with pytest.raises(embkit.KeyNotFoundError) as info:
        shift_report(_aligned(), words=["king", "zzzz"])
    assert str(info.value) == "not in slice 'x' (4 words): 'zzzz'"


def test_clone_is_public():
    est = embkit.SkipGram(dim=7, window=2)
    copy = embkit.clone(est)
    assert copy is not est and copy.get_params() == est.get_params()


def _bare_embkit_errors():
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        n = sum(1 for node in ast.walk(tree) if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
                and isinstance(node.exc.func, ast.Name) and node.exc.func.id == "EmbkitError")
        if n:
            found[path.relative_to(PACKAGE).as_posix()] = n
    return found


def test_no_new_bare_embkit_error():
    """New code raises the subclass that fits (InvalidParameterError, KeyNotFoundError, MissingFileError, ...)."""
    found = _bare_embkit_errors()
    grown = {f: n for f, n in found.items() if n > BARE_EMBKIT_ERROR_ALLOWED.get(f, 0)}
    assert not grown, f"raise EmbkitError(...) in {grown}: raise the subclass that is also the fitting built-in"
