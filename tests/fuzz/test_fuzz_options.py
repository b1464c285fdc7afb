"""Fuzzing the numeric options of ``train`` (every int, float and memory-size entry of the parameter table).

In the library any value is either accepted by ``check_params`` or refused
with an InvalidParameterError; on the command line it is a usage error
(exit 2) or, once accepted, training goes on to the corpus, which here does
not exist (one line naming it, exit 1). Never a traceback.
"""
import numpy as np
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from embkit import _params
from embkit.exceptions import InvalidParameterError
from embkit.models.word2vec import Word2Vec
from embkit_cli.main import cli

NUMERIC = [p for p in _params.WORD2VEC if p.kind in ("int", "float", "size")]
CLI_NUMERIC = [p for p in NUMERIC if p.cli]

EDGES = st.sampled_from([0, 1, -1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64, -(2**63), 10**400, 1e308, -1e308,
                         5e-324, float("nan"), float("inf"), float("-inf"), 0.5, 1e-300])
VALUES = st.one_of(
    EDGES, st.integers(), st.floats(), st.booleans(), st.none(), st.text(max_size=8),
    st.integers(-(2**63), 2**63 - 1).map(np.int64), st.floats(width=32).map(np.float32),
)
TEXTS = st.one_of(
    EDGES.map(repr), st.integers().map(str), st.floats().map(repr),
    st.text(st.sampled_from("0123456789.eE+-_ xinfaKMGTiB"), min_size=1, max_size=12),
    st.sampled_from(["1" * 5000, "1e999", "nan", "-0", "0x10", "1_000", " 5", "2G", "1e-400", "١"]),
)


@given(param=st.sampled_from(NUMERIC), value=VALUES)
def test_library_accepts_or_refuses_each_value(param, value):
    est = Word2Vec(**{param.name: value})
    try:
        est.check_params()
    except InvalidParameterError as exc:      # min_alpha <= alpha names min_alpha whichever was given
        assert exc.param in (param.name, "min_alpha") and "\n" not in str(exc)


@given(param=st.sampled_from(CLI_NUMERIC), text=TEXTS)
def test_command_line_reports_a_usage_error_or_reaches_the_corpus(param, text):
    option = "--" + param.name.replace("_", "-")
    result = CliRunner().invoke(cli, ["train", "no-such-corpus.txt", option, text])
    assert result.exit_code in (1, 2), (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.stderr.strip().splitlines()
    if result.exit_code == 1:
        assert lines == ["embkit: error: no-such-corpus.txt: no such file or directory"], lines
    else:
        assert lines and lines[-1].startswith("Error: "), lines
        assert option in lines[-1] or "--min-alpha" in lines[-1], lines
