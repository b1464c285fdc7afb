"""Layout rules: module sizes, function lengths and one-line module docstrings (checked with ``ast``).

- Every module of ``embkit/`` and ``cli/`` starts with a docstring whose first
  line, on its own, says what the module owns: one sentence ending with a
  period, followed by a blank line or by the end of the docstring.
- No module of ``embkit/`` is over :data:`MAX_MODULE_LINES` lines.
- No function of ``embkit/models/`` is over :data:`MAX_MODEL_FUNCTION_LINES`
  lines, and no other function of ``embkit/`` over :data:`MAX_FUNCTION_LINES`,
  unless a ``# long: <reason>`` comment says why, on a line of its signature
  (decorators included) or on the line just above it.  A function's length
  runs from its ``def`` line to its last line, docstring included.
"""
import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("embkit", "cli")
MAX_MODULE_LINES = 650
MAX_FUNCTION_LINES = 80
MAX_MODEL_FUNCTION_LINES = 90
LONG_REASON = re.compile(r"#\s*long:\s*\S.{8,}")       # a reason of ten characters or more


def _modules(*packages):
    return sorted(p for pkg in packages for p in (ROOT / pkg).rglob("*.py"))


def _name(path):
    return path.relative_to(ROOT).as_posix()


def docstring_problem(source):
    """Why a module's docstring breaks the one-line rule, or None."""
    doc = ast.get_docstring(ast.parse(source), clean=False)
    if not doc:
        return "no module docstring"
    lines = doc.split("\n")
    first = lines[0].strip()
    if not first or lines[0] != lines[0].lstrip():
        return "the docstring's first line is empty (start the summary right after the quotes)"
    if not first.endswith("."):
        return f"the first line is not one sentence ending with a period: {first!r}"
    if len(lines) > 1 and lines[1].strip():
        return f"the first line runs on into the next one (leave a blank line after it): {first!r}"
    return None


def long_functions(source, limit):
    """(name, first line, length) of the functions over ``limit`` lines without a ``# long:`` reason.

    The length counts code, not the docstring: a long docstring (equations,
    notes, references) is welcome and makes no function harder to read.
    """
    lines = source.splitlines()
    out = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        length = node.end_lineno - node.lineno + 1
        first = node.body[0]
        if isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant) \
                and isinstance(first.value.value, str):
            length -= first.end_lineno - first.lineno + 1
        if length <= limit:
            continue
        top = min([node.lineno] + [d.lineno for d in node.decorator_list])
        signature = lines[max(top - 2, 0):node.body[0].lineno - 1]     # the line above, decorators, def lines
        if not any(LONG_REASON.search(line) for line in signature):
            out.append((node.name, node.lineno, length))
    return out


@pytest.mark.parametrize("path", _modules(*PACKAGES), ids=_name)
def test_module_docstring_first_line(path):
    problem = docstring_problem(path.read_text(encoding="utf-8"))
    assert problem is None, f"{_name(path)}: {problem}"


def test_module_sizes():
    sizes = {_name(p): len(p.read_text(encoding="utf-8").splitlines()) for p in _modules("embkit")}
    over = {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES}
    assert not over, f"modules over {MAX_MODULE_LINES} lines (split them): {over}"


def test_function_lengths():
    problems = []
    for path in _modules("embkit"):
        limit = MAX_MODEL_FUNCTION_LINES if path.parent.name == "models" else MAX_FUNCTION_LINES
        for name, lineno, length in long_functions(path.read_text(encoding="utf-8"), limit):
            problems.append(f"{_name(path)}:{lineno} {name}: {length} lines (limit {limit}; split it, or say why "
                            "not in a '# long: <reason>' comment on or above its def line)")
    assert not problems, "\n".join(problems)


def test_checkers_find_problems():
    body = "".join(f"    x = {i}\n" for i in range(5))
    assert long_functions(f"def f():\n{body}", 5) == [("f", 1, 6)]
    assert long_functions(f"# long: a Numba kernel's hot loop\n@njit\ndef f():\n{body}", 5) == []
    assert long_functions(f"def f(a,  # long: one pass over the data\n      b):\n{body}", 5) == []
    assert long_functions(f"def f():  # long:\n{body}", 5) == [("f", 1, 6)]        # a reason is required
    assert docstring_problem('"""Owns the cache."""\n') is None
    assert docstring_problem('"""Owns the cache.\n\nMore.\n"""\n') is None
    assert docstring_problem('"""Owns the cache, and the\nrest."""\n') is not None
    assert docstring_problem('"""\nOwns the cache.\n"""\n') is not None
    assert docstring_problem("x = 1\n") == "no module docstring"


def test_every_module_is_listed_in_the_readme_layout():
    """The README's Layout block names every module of embkit/, cli/ and evals/ (one line each)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("## Layout"):]
    block = block[block.index("```\n") + 4:]
    block = block[:block.index("```\n")]
    listed = {line.split()[0] for line in block.splitlines() if line and not line[0].isspace()}
    modules = {p.relative_to(ROOT).as_posix() for d in ("embkit", "cli", "evals") for p in (ROOT / d).rglob("*.py")
               if "out" not in p.relative_to(ROOT).parts}
    assert sorted(modules - listed) == []
