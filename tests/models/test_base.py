"""The estimators' base class: signatures from the table, get/set_params, clone, repr, unknown keywords."""
import inspect

import numpy as np
import pytest

import embkit
from embkit import _params
from embkit._params import Param
from embkit.exceptions import EmbkitError, InvalidParameterError, NotFittedError, UnknownParameterError
from embkit.models._base import Estimator, clone

ESTIMATORS = [embkit.SkipGram, embkit.CBOW, embkit.Word2Vec]


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_signature_is_explicit_and_follows_the_table(cls):
    params = inspect.signature(cls.__init__).parameters
    assert all(p.kind is p.POSITIONAL_OR_KEYWORD for p in params.values())
    names = [n for n in params if n != "self"]
    assert names == [p.name for p in cls._param_table]
    assert {n: params[n].default for n in names} == _params.defaults(cls._param_table)
    assert ("sg" in names) == (cls is embkit.Word2Vec)


def test_positional_arguments_keep_their_order():
    m = embkit.SkipGram(50, 3, 7)
    assert (m.dim, m.window, m.negative) == (50, 3, 7)
    w = embkit.Word2Vec(False, 20)
    assert (w.sg, w.dim, w.model_name) == (False, 20, "cbow")
    assert embkit.SkipGram().sg is True and embkit.CBOW().sg is False
    assert embkit.SkipGram().model_name == "sgns" and embkit.CBOW().model_name == "cbow"


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_get_params_and_clone(cls):
    init = np.zeros((3, 4), np.float32)
    m = cls(dim=4, epochs=2, init_in=init, tokenizer="regex")
    p = m.get_params()
    assert list(p) == [q.name for q in cls._param_table]
    assert p["dim"] == 4 and p["epochs"] == 2 and p["init_in"] is init and p["window"] == 5
    copy = type(m)(**m.get_params())
    assert type(copy) is cls and copy is not m and copy.get_params() == p
    other = clone(m)
    assert type(other) is cls and other.get_params(deep=False) == p
    assert m.get_params(deep=False) == p          # nothing nested in these estimators


def test_clone_leaves_out_fitted_state(tmp_path):
    m = embkit.SkipGram(dim=4, epochs=1, min_count=1, threads=1, progress=False).fit([["a", "b", "c"]] * 5)
    assert hasattr(m, "wv") and hasattr(m, "training_")
    c = clone(m)
    assert not hasattr(c, "wv") and not hasattr(c, "training_") and c.get_params() == m.get_params()


def test_set_params_stores_values_unchanged_and_fit_validates():
    m = embkit.CBOW()
    assert m.set_params(dim=7, window="wide") is m
    assert m.dim == 7 and m.window == "wide"       # stored as given, like __init__
    with pytest.raises(InvalidParameterError, match="window must be an integer"):
        m.check_params()
    with pytest.raises(InvalidParameterError, match="window"):
        m.fit("this-file-does-not-exist.txt")      # parameters are checked before the corpus is read


def test_init_does_no_validation():
    m = embkit.SkipGram(dim=-3, ns_exponent="x", threads=0)
    assert (m.dim, m.ns_exponent, m.threads) == (-3, "x", 0)


@pytest.mark.parametrize("kwargs, expected", [
    ({"vector_size": 100}, "'vector_size' (embkit calls it 'dim')"),
    ({"workers": 4}, "'workers' (embkit calls it 'threads')"),
    ({"iter": 3}, "'iter' (embkit calls it 'epochs')"),
    ({"max_final_vocab": 10}, "'max_final_vocab' (embkit calls it 'max_vocab_size')"),
    ({"min_n": 3}, "'min_n' (a FastText parameter, for subword n-grams)"),
    ({"hs": 1}, "hierarchical softmax is not supported"),
    ({"sg": 0}, "use CBOW for CBOW"),
    ({"sentences": [["a"]]}, "pass the corpus to fit()"),
    ({"windw": 3}, "did you mean 'window'?"),
    ({"zzz": 1}, "its parameters are: dim, window,"),
])
def test_unknown_keywords_name_the_embkit_parameter(kwargs, expected):
    with pytest.raises(UnknownParameterError) as err:
        embkit.SkipGram(**kwargs)
    assert isinstance(err.value, TypeError) and isinstance(err.value, EmbkitError)
    msg = str(err.value)
    assert msg.startswith("SkipGram has no parameter") and expected in msg and "\n" not in msg
    with pytest.raises(UnknownParameterError, match="SkipGram has no parameter"):
        embkit.SkipGram().set_params(**kwargs)


def test_unknown_keywords_are_all_named():
    with pytest.raises(UnknownParameterError) as err:
        embkit.Word2Vec(vector_size=10, workers=2, dim=5)
    msg = str(err.value)
    assert "'vector_size' (embkit calls it 'dim')" in msg and "'workers' (embkit calls it 'threads')" in msg
    assert "sg" not in embkit.CBOW().get_params()
    with pytest.raises(UnknownParameterError, match="use SkipGram for skip-gram"):
        embkit.CBOW(sg=1)


def test_repr_shows_the_parameters_that_differ_from_their_defaults():
    assert repr(embkit.SkipGram()) == "SkipGram()"
    assert repr(embkit.SkipGram(dim=50, epochs=3)) == "SkipGram(dim=50, epochs=3)"
    assert repr(embkit.Word2Vec(sg=False, window=8)) == "Word2Vec(sg=False, window=8)"
    assert repr(embkit.CBOW(sample=1e-3, lowercase=True)) == "CBOW(lowercase=True)"
    assert repr(embkit.CBOW(init_out=np.zeros((4, 3)))) == "CBOW(init_out=<ndarray of shape (4, 3)>)"
    assert repr(embkit.SkipGram(shrink_windows=1)) == "SkipGram(shrink_windows=1)"   # 1 is not the default True


class _Inner(Estimator):
    _param_table = (Param("k", "int", 1, 0, 10), Param("name", "choice", "a", choices=("a", "b")))


class _Outer(Estimator):
    _param_table = (Param("inner", "vectors"), Param("n", "int", 2, 0, 5))


def test_nested_parameters_deep_get_and_set():
    outer = _Outer(inner=_Inner(k=3))
    assert outer.get_params() == {"inner": outer.inner, "inner__k": 3, "inner__name": "a", "n": 2}
    assert outer.get_params(deep=False) == {"inner": outer.inner, "n": 2}
    outer.set_params(inner__k=7, n=4)
    assert outer.inner.k == 7 and outer.n == 4
    with pytest.raises(UnknownParameterError, match="_Outer has no parameter 'nope__k'"):
        outer.set_params(nope__k=1)
    assert repr(outer) == "_Outer(inner=_Inner(k=7), n=4)"
    assert _Inner(k=11).get_params() == {"k": 11, "name": "a"}
    with pytest.raises(InvalidParameterError, match=r"k must be an integer in \[0, 10\], got 11"):
        _Inner(k=11).check_params()


def test_a_subclass_with_var_keywords_is_refused():
    with pytest.raises(TypeError, match="Loose.__init__ must list its parameters explicitly"):
        class Loose(Estimator):
            def __init__(self, **kwargs):
                pass


@pytest.mark.parametrize("cls", [embkit.SkipGram, embkit.Word2Vec, embkit.FastText, embkit.GloVe, embkit.Phrases])
def test_a_corpus_given_to_the_constructor_is_named(cls, tmp_path):
    """gensim's Model(sentences) habit: a corpus as first positional argument says it goes to fit()."""
    sentences = [["new", "york"], ["machine", "learning"]]
    for corpus in (sentences, "corpus.txt", tmp_path / "corpus.txt", iter(sentences)):
        with pytest.raises(UnknownParameterError, match=r"a corpus goes to fit\(\)") as info:
            cls(corpus)
        assert isinstance(info.value, TypeError) and isinstance(info.value, EmbkitError)
    with pytest.raises(UnknownParameterError, match=r"first argument is min_count, got list"):
        embkit.Phrases(sentences, min_count=1)
    assert embkit.SkipGram(50).dim == 50            # numbers still go in order


def test_every_vector_model_saves_its_vectors(tmp_path):
    """save() comes from one place for every model that fits word vectors (PPMI-SVD had none)."""
    corpus = tmp_path / "c.txt"
    corpus.write_text("the cat sat on the mat\nthe dog sat on the log\n" * 5)
    for est in (embkit.SkipGram(dim=4, epochs=1), embkit.GloVe(dim=4, epochs=1), embkit.PPMISVD(dim=2, window=2),
                embkit.FastText(dim=4, epochs=1, bucket=50)):
        est.set_params(min_count=1, threads=1, progress=False)
        with pytest.raises(NotFittedError):
            est.save(tmp_path / "early.vec")
        out = tmp_path / f"{type(est).__name__}.vec"
        assert est.fit(str(corpus)).save(out) is est
        assert embkit.load(out).index_to_key == est.wv.index_to_key
