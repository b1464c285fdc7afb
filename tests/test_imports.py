"""No import cycles among embkit's modules, imports inside functions included."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "embkit"


def _modules(root, package):
    """Dotted module name -> source path, for every module under ``root``."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join([package] + parts)] = path
    return out


def _targets(node, module, is_package, modules):
    """The modules of ``package`` that one import statement in ``module`` names."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[:len(base) - (node.level - 1)]
        stem = ".".join(base + ([node.module] if node.module else []))
    else:
        stem = node.module
    # ``from pkg import name``: the submodule pkg.name when there is one, else pkg itself
    return [f"{stem}.{a.name}" if f"{stem}.{a.name}" in modules else stem for a in node.names]


def import_graph(root=PACKAGE, package="embkit"):
    """Module -> set of the package's modules it imports, at any level (module, class or function body)."""
    modules = _modules(root, package)
    graph = {}
    for name, path in modules.items():
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _targets(node, name, path.name == "__init__.py", modules):
                    while target and target not in modules:      # ``import a.b.c`` of a name, not a module
                        target = target.rpartition(".")[0]
                    if target and target != name:
                        edges.add(target)
        graph[name] = edges
    return graph


def find_cycles(graph):
    """One cycle (list of modules, first repeated at the end) per strongly connected component."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def visit(v):                            # Tarjan's algorithm
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_cycle_in(graph, c) for c in components]


def _cycle_in(graph, component):
    """A cycle through the smallest module of a strongly connected component (breadth-first, shortest)."""
    start = min(component)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(graph[v] & component):
                if w == start:
                    return paths[v] + [start]
                if w not in paths:
                    paths[w] = paths[v] + [w]
                    nxt.append(w)
        frontier = nxt
    raise AssertionError(f"no cycle in {component}")


def _show(cycles):
    return "import cycles:\n" + "\n".join("  " + " -> ".join(c) for c in cycles)


def test_no_import_cycles():
    cycles = find_cycles(import_graph())
    assert not cycles, _show(cycles)


def test_the_corpus_package_alone_has_no_import_cycle():
    graph = import_graph()
    corpus = {m: {t for t in ts if t.startswith("embkit.corpus")}
              for m, ts in graph.items() if m.startswith("embkit.corpus")}
    assert not find_cycles(corpus), _show(find_cycles(corpus))
    # one direction only: the encoded corpus builds on the vocabulary, both on the one scan
    assert "embkit.corpus.vocab" in graph["embkit.corpus.encoded"]
    assert "embkit.corpus.encoded" not in graph["embkit.corpus.vocab"]
    assert {"embkit.corpus.scan"} <= graph["embkit.corpus.vocab"] & graph["embkit.corpus.encoded"]
    assert not graph["embkit.corpus.scan"] & {"embkit.corpus.vocab", "embkit.corpus.encoded",
                                              "embkit.corpus.cache"}


def test_cycles_are_found_through_function_level_and_relative_imports(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from .a import f\n")
    (pkg / "sub" / "a.py").write_text("from ..b import g\n\ndef f():\n    return g()\n")
    (pkg / "b.py").write_text("import os\n\ndef g():\n    from pkg.sub import c\n    return c\n")
    (pkg / "sub" / "c.py").write_text("def h():\n    from . import a\n    return a\n")
    (pkg / "d.py").write_text("import pkg.sub.a\nfrom pkg import b\n")
    graph = import_graph(pkg, "pkg")
    assert graph == {"pkg": set(), "pkg.sub": {"pkg.sub.a"}, "pkg.sub.a": {"pkg.b"}, "pkg.b": {"pkg.sub.c"},
                     "pkg.sub.c": {"pkg.sub.a"}, "pkg.d": {"pkg.sub.a", "pkg.b"}}
    assert find_cycles(graph) == [["pkg.b", "pkg.sub.c", "pkg.sub.a", "pkg.b"]]
    assert "pkg.b -> pkg.sub.c -> pkg.sub.a -> pkg.b" in _show(find_cycles(graph))
