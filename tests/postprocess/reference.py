"""NumPy oracle for retrofitting: the documented rules written plainly, row by row.

It shares no code with embkit.postprocess.retrofit: the graph is built with
Python sets and dicts from the lexicon entries, the update loops over words.
"""
import numpy as np


def reference_graph(entries, keys, graph="directed", case="exact"):
    """{row: {row: weight}} from ``entries`` = [(head, [(neighbour, weight), ...]), ...]."""
    norm = str.casefold if case == "fold" else (lambda w: w)
    merged = {}                                   # folded head -> {folded neighbour: first weight}
    for head, nbrs in entries:
        h = norm(head)
        slot = merged.setdefault(h, {})
        for nbr, weight in nbrs:
            n = norm(nbr)
            if n != h and n not in slot:
                slot[n] = weight
    rows_of = {}
    for i, key in enumerate(keys):
        rows_of.setdefault(norm(key), []).append(i)
    edges = {}
    for h, nbrs in merged.items():
        for n, weight in nbrs.items():
            src_rows, dst_rows = rows_of.get(h, []), rows_of.get(n, [])
            for i in src_rows:
                for j in dst_rows:
                    edges.setdefault(i, {})[j] = weight / len(dst_rows)
    if graph == "symmetric":
        for i, nbrs in list(edges.items()):
            for j, weight in list(nbrs.items()):
                back = edges.setdefault(j, {})
                back[i] = max(back.get(i, 0.0), weight)
    return edges


def unit_rows(x):
    norms = np.linalg.norm(x, axis=1)
    return x / np.where(norms > 0, norms, 1.0)[:, None]


def similar_edges(vectors, edges, min_similarity):
    """``edges`` without those whose input vectors have cosine <= min_similarity."""
    unit = unit_rows(np.asarray(vectors, dtype=np.float64))
    return {i: {j: w for j, w in nbrs.items() if unit[i] @ unit[j] > min_similarity} for i, nbrs in edges.items()}


def reference_retrofit(vectors, edges, iterations=10, alpha=1.0, beta="inverse-degree", normalize=True,
                       center=False):
    """Jacobi iterations of q_i <- (alpha q^_i + sum_j beta_ij q_j) / (alpha + sum_j beta_ij), in float64."""
    base = np.array(vectors, dtype=np.float64)
    if normalize:
        base = unit_rows(base)
    if center:
        base = base - base.mean(axis=0)
        if normalize:
            base = unit_rows(base)
    current = base.copy()
    for _ in range(iterations):
        new = current.copy()
        for i, nbrs in edges.items():
            if not nbrs:
                continue
            total = sum(nbrs.values())
            betas = {j: (w / total if beta == "inverse-degree" else beta * w) for j, w in nbrs.items()}
            acc = alpha * base[i]
            for j, b in betas.items():
                acc = acc + b * current[j]
            new[i] = acc / (alpha + sum(betas.values()))
        current = new
    return current


def gauss_seidel_retrofit(vectors, neighbours, order, iterations=10):
    """The reference script's in-place update (alpha 1, beta 1/degree), visiting words in ``order``."""
    base = np.array(vectors, dtype=np.float64)
    current = base.copy()
    for _ in range(iterations):
        for i in order:
            nbrs = neighbours.get(i, ())
            if nbrs:
                current[i] = (len(nbrs) * base[i] + sum(current[j] for j in nbrs)) / (2 * len(nbrs))
    return current
