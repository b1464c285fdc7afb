"""The parameter tables: bounds on every number, type checks, meta.json's params."""
import numpy as np
import pytest

import embkit
from embkit import _params
from embkit._params import INT32_MAX, INT64_MAX, UINT64_MAX, Param
from embkit.exceptions import EmbkitError, InvalidParameterError, MemoryBudgetError

TABLES = {"WORD2VEC": _params.WORD2VEC, "SKIPGRAM": _params.SKIPGRAM, "CBOW": _params.CBOW,
          "CORPUS": _params.CORPUS, "RUN": _params.RUN, "INIT": _params.INIT, "IO": _params.IO}
BIG = 10**400


@pytest.mark.parametrize("name", TABLES)
def test_every_number_has_both_bounds_and_a_default_within_them(name):
    table = TABLES[name]
    assert len({p.name for p in table}) == len(table)
    for p in table:
        assert p.help and "\n" not in p.help
        if p.kind in ("int", "float", "size"):
            assert p.low is not None and p.high is not None and p.low < p.high
            assert p.high <= (INT64_MAX if p.kind == "size" else UINT64_MAX)
        if p.default is not None:
            assert p.check(p.default) == p.default


def test_shared_entries_are_reused_not_redeclared():
    for shared in (_params.CORPUS, _params.RUN, _params.INIT, _params.IO):
        for p in shared:
            assert p in _params.WORD2VEC and p in _params.SKIPGRAM
    assert [p.name for p in _params.WORD2VEC][:2] == ["sg", "dim"]
    assert [p.name for p in _params.SKIPGRAM] == [p.name for p in _params.WORD2VEC][1:]


@pytest.mark.parametrize("name, value", [
    ("window", 2**31),                       # crashed in the kernel before it was bounded
    ("max_sentence_length", 2**63),          # was an OverflowError while encoding
    ("dim", BIG), ("epochs", BIG), ("max_memory", BIG),   # were OverflowError tracebacks
    ("max_memory", "1" + "0" * 400), ("max_memory", str(2**63)), ("max_memory", float("inf")),
    ("max_memory", "0.1"),                   # 0 bytes
    ("negative", 2**31), ("threads", 0), ("threads", 2**31), ("seed", -1), ("seed", 2**64),
    ("min_count", 0), ("min_count", 2**63), ("max_vocab_size", 2**31), ("epochs", -1),
    ("ns_exponent", 10.5), ("ns_exponent", -11), ("ns_exponent", 1000), ("ns_exponent", float("nan")),
    ("sample", 1.5), ("sample", -1e-9), ("alpha", 0.0), ("alpha", 10.01), ("alpha", BIG), ("min_alpha", -1.0),
    ("dim", 5.0), ("dim", True), ("window", "5"), ("lowercase", "yes"), ("sg", 2), ("tokenizer", "Regex"),
    ("encoding_errors", "ignore"), ("cache", None),
])
def test_values_outside_the_table_are_invalid_parameter_errors(name, value):
    with pytest.raises(InvalidParameterError) as err:
        embkit.Word2Vec(**{name: value}).check_params()
    exc = err.value
    assert isinstance(exc, ValueError) and isinstance(exc, EmbkitError)
    assert exc.param == name and str(exc).startswith(name) and "\n" not in str(exc) and len(str(exc)) < 200


@pytest.mark.parametrize("name, value", [
    ("window", INT32_MAX), ("dim", INT32_MAX), ("seed", UINT64_MAX), ("seed", 0), ("max_memory", INT64_MAX),
    ("max_memory", "1TiB"), ("ns_exponent", -10), ("ns_exponent", 10.0), ("sample", 1),
    ("alpha", 10), ("epochs", 0), ("min_count", INT64_MAX), ("threads", np.int32(1)), ("dim", np.int64(8)),
])
def test_values_at_the_bounds_are_accepted(name, value):
    p = embkit.Word2Vec(**{name: value}).check_params()
    assert p[name] == value


def test_checked_values_are_plain_python():
    p = embkit.Word2Vec(dim=np.int64(8), sample=np.float32(0.5), sg=1, lowercase=0, max_memory="2G").check_params()
    assert type(p["dim"]) is int and type(p["sample"]) is float
    assert p["sg"] is True and p["lowercase"] is False and p["max_memory"] == "2G"
    # the batched skip-gram update and CBOW default to 0.05, word2vec.c's classic skip-gram update to 0.025
    assert p["alpha"] == 0.05 and embkit.Word2Vec(sg=0).check_params()["alpha"] == 0.05
    assert embkit.Word2Vec(share_negatives=False).check_params()["alpha"] == 0.025
    assert "sgns-sweep" in p["_defaults_applied"]["alpha"]


def test_memory_size_messages():
    with pytest.raises(InvalidParameterError, match=r"max_memory: not a memory size: 'lots' \(use e.g. 512M"):
        embkit.SkipGram(max_memory="lots").check_params()
    with pytest.raises(InvalidParameterError, match=r"from 1 to 9223372036854775807 bytes or None, got '1000"):
        embkit.SkipGram(max_memory="1" + "0" * 400).check_params()


def test_param_declaration_is_checked():
    with pytest.raises(ValueError, match="needs both bounds"):
        Param("x", "int", 1, low=0)
    with pytest.raises(ValueError, match="unknown kind"):
        Param("x", "complex")
    assert Param("x", "float", 1.0, 0, 2, low_open=True).range_text() == "a finite number in (0, 2]"


def test_meta_params_follow_the_table():
    init = np.zeros((2, 3))
    p = embkit.SkipGram(init_out=init).check_params()
    meta = _params.meta_params(_params.SKIPGRAM, p)
    assert list(meta) == [q.name for q in _params.SKIPGRAM if q.name not in ("cache", "progress")]
    assert meta["init_out"] is True and meta["init_in"] is False and meta["alpha"] == 0.05
    from embkit.corpus.tokenize import Tokenizer
    p = embkit.Word2Vec(tokenizer=Tokenizer("regex")).check_params()
    assert _params.meta_params(_params.WORD2VEC, p)["tokenizer"] == "regex"


def test_fit_records_the_table_in_meta(tmp_path):
    (tmp_path / "c.txt").write_text("a b c d a b\nc d a b\n" * 10)
    m = embkit.CBOW(dim=4, epochs=1, min_count=1, threads=1, progress=False, max_memory="1G").fit(
        str(tmp_path / "c.txt"))
    params = m.wv.meta["params"]
    assert "sg" not in params and params["max_memory"] == "1G" and params["threads"] == 1
    assert params["alpha"] == 0.05 and params["init_in"] is False and "cache" not in params
    w = embkit.Word2Vec(sg=False, dim=4, epochs=1, min_count=1, threads=1, progress=False).fit(
        str(tmp_path / "c.txt"))
    assert w.wv.meta["params"]["sg"] is False and w.wv.meta["model"] == "cbow"


def test_a_window_the_kernel_cannot_hold_is_refused_by_the_budget(tmp_path):
    # window=2**31 was a crash inside the kernel; the largest allowed window needs buffers no machine has
    (tmp_path / "c.txt").write_text("a b c d\n")
    with pytest.raises(MemoryBudgetError, match="kernel buffers"):
        embkit.SkipGram(window=INT32_MAX, min_count=1, threads=1, progress=False, max_memory="1G").fit(
            str(tmp_path / "c.txt"))
