"""Public docstrings: every public function, class and method of embkit has a
numpydoc docstring whose Parameters section names exactly the parameters of
its signature, in order (run by ``make lint`` and ``make test``)."""
import importlib
import inspect
import pkgutil

import pytest

import embkit

numpydoc_docscrape = pytest.importorskip("numpydoc.docscrape")


def _public_modules():
    for info in pkgutil.walk_packages(embkit.__path__, "embkit."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue
        yield importlib.import_module(info.name)


def _own(obj, module):
    return getattr(obj, "__module__", None) == module.__name__


def _public_callables():
    seen = set()
    for module in _public_modules():
        names = getattr(module, "__all__", None)
        if names is None:
            names = [n for n in vars(module) if not n.startswith("_")]
        for name in names:
            obj = getattr(module, name, None)
            if obj is None or id(obj) in seen or not _own(obj, module):
                continue
            if hasattr(obj, "py_func"):      # a Numba kernel: check the Python function it compiles
                obj = obj.py_func
            if inspect.isfunction(obj):
                seen.add(id(obj))
                yield f"{module.__name__}.{name}", obj, obj
            elif inspect.isclass(obj):
                seen.add(id(obj))
                if issubclass(obj, BaseException):
                    continue
                yield f"{module.__name__}.{name}", obj, obj.__init__
                for mname, member in vars(obj).items():
                    if mname.startswith("_"):
                        continue
                    func = member.__func__ if isinstance(member, (classmethod, staticmethod)) else member
                    if inspect.isfunction(func):
                        yield f"{module.__name__}.{name}.{mname}", func, func


def _signature_names(func):
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return None
    out = []
    for p in sig.parameters.values():
        if p.name in ("self", "cls"):
            continue
        if p.kind is p.VAR_POSITIONAL:
            out.append("*" + p.name)
        elif p.kind is p.VAR_KEYWORD:
            out.append("**" + p.name)
        else:
            out.append(p.name)
    return out


def _documented_names(doc):
    parsed = numpydoc_docscrape.NumpyDocString(doc)
    names = []
    for param in parsed["Parameters"]:
        names += [n.strip() for n in param.name.split(",") if n.strip()]
    return names


def _problems():
    out = []
    for qualname, documented, func in _public_callables():
        doc = inspect.getdoc(documented)
        if inspect.isclass(documented) and documented.__init__ is object.__init__:
            continue
        if not doc:
            out.append(f"{qualname}: no docstring")
            continue
        want = _signature_names(func)
        if want is None:
            continue
        try:
            have = _documented_names(doc)
        except Exception as exc:  # numpydoc refuses malformed sections
            out.append(f"{qualname}: docstring does not parse as numpydoc ({exc})")
            continue
        if not want:
            if have:
                out.append(f"{qualname}: documents {have} but takes no parameters")
            continue
        if isinstance(documented, property):
            continue
        if have != want:
            out.append(f"{qualname}: Parameters {have} != signature {want}")
    return out


def test_public_docstrings_match_signatures():
    problems = _problems()
    assert not problems, f"{len(problems)} docstring problem(s):\n" + "\n".join(problems)


def test_checker_finds_a_mismatch():
    def f(a, b=1):
        """Do something.

        Parameters
        ----------
        a : int
            First.
        c : int
            Not in the signature.
        """
    assert _documented_names(inspect.getdoc(f)) == ["a", "c"]
    assert _signature_names(f) == ["a", "b"]
