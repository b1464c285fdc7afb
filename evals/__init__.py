"""Benchmarks and demos that put embkit beside its peers on real corpora.

`python -m evals.bench --section sgns` (or `make bench`) writes
`evals/RESULTS.md` and `evals/results/<section>.json`.
"""
