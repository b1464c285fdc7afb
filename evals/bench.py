"""embkit beside its peers on a real corpus: ``make bench`` / ``make bench-quick``.

    python -m evals.bench --section sgns [--quick] [--corpus PATH] [--systems embkit,gensim,fasttext]

A full run reads ``../shared/data/corpora/mix/en_mix.txt.gz`` (relative to the
project root; it is read in place, never copied) and writes
``evals/results/<section>.json`` and ``evals/RESULTS.md``.  Without
``../shared`` it says so on stderr, falls back to the bundled
``data/corpora/sotu.txt.gz`` and labels the results with that corpus.
``--quick`` runs on the bundled corpus and writes to ``evals/out/quick/``
(gitignored) so that a smoke test never replaces the committed figures.

Each section lives in a module ``evals/bench_<section>.py`` providing
``NAME``, ``TITLE``, ``SYSTEMS``, ``DEFAULT_SYSTEMS``, ``run(args, ctx)``
(returns the JSON-able result), ``render(result)`` (markdown) and
``summary_lines(result)``.  RESULTS.md is re-rendered from every section's
JSON in the results folder, so running one section keeps the others.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path

from . import bench_common as bc

# section name -> module; None = planned, not written yet
SECTIONS = {
    "sgns": "evals.bench_sgns",
    "sgns-sweep": "evals.bench_sweep",
    "fasttext": "evals.bench_fasttext",
    "count": "evals.bench_count",
    "post": "evals.bench_post",
    "whiten": "evals.bench_whiten",
    "compass": "evals.bench_compass",
    "terms": "evals.bench_terms",
}


def section_module(name: str):
    mod = SECTIONS.get(name)
    if mod is None:
        return None
    return importlib.import_module(mod)


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m evals.bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--section", default="sgns", choices=list(SECTIONS),
                   help="benchmark section to run (default: sgns)")
    p.add_argument("--quick", action="store_true",
                   help="bundled corpus, results under evals/out/quick/ (a few minutes)")
    p.add_argument("--corpus", help="corpus file (.txt or .txt.gz); default: "
                   f"{bc.SHARED_MIX}, or {bc.BUNDLED} with --quick")
    p.add_argument("--systems", type=lambda s: [x.strip() for x in s.split(",") if x.strip()],
                   help="comma-separated systems of the section (default: all of its default rows)")
    p.add_argument("--results-dir", type=Path,
                   help="where <section>.json and RESULTS.md go (default: evals/results + "
                   "evals/RESULTS.md; with --quick: evals/out/quick)")
    p.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                   help="before each timed run, wait up to SECONDS for other processes to leave "
                   "the CPU idle (default 0: do not wait; the disturbance is recorded either way)")
    p.add_argument("--retries", type=int, default=0, metavar="N",
                   help="re-run a system up to N times when other processes disturbed its timing "
                   "(default 0)")
    p.add_argument("--repeat", type=int, default=1, metavar="N",
                   help="time every system N times and keep its fastest run (default 1)")
    p.add_argument("--merge", action="store_true",
                   help="keep the previous results' rows of the systems not run now (same corpus "
                   "and settings only), e.g. to re-time embkit alone: --systems embkit --merge")
    p.add_argument("--list", action="store_true", help="list sections and systems, then exit")
    return p.parse_args(argv)


def render_results(results_dir: Path, results_md: Path) -> None:
    parts = ["# embkit benchmark results", "",
             "Produced by `make bench` / `make bench-quick` (`python -m evals.bench --section SECTION "
             "[--quick]`); each section's "
             f"machine-readable figures are in `{bc.rel(results_dir)}/<section>.json`. "
             "Re-run a section with `make bench SECTION=name`; the other sections are kept.", ""]
    done = [n for n in SECTIONS if (results_dir / f"{n}.json").exists() and section_module(n)]
    parts += ["Sections: " + ", ".join(f"`{n}`" + ("" if n in done else " (not run yet)" if section_module(n)
                                                   else " (planned)") for n in SECTIONS) + ".", ""]
    found = False
    for name in SECTIONS:
        js = results_dir / f"{name}.json"
        mod = section_module(name)
        if not js.exists() or mod is None:
            continue
        found = True
        parts.append(mod.render(json.loads(js.read_text())))
    if not found:
        parts.append("No section has been run yet.\n")
    bc.write_text(results_md, "\n".join(parts))


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.list:
        for name in SECTIONS:
            mod = section_module(name)
            if mod is None:
                print(f"{name:<9} (planned)")
            else:
                print(f"{name:<9} systems: {', '.join(mod.SYSTEMS)} (default: {', '.join(mod.DEFAULT_SYSTEMS)})")
        return 0
    mod = section_module(args.section)
    if mod is None:
        print(f"bench: section {args.section!r} is planned but not implemented yet", file=sys.stderr)
        return 2

    if args.results_dir:
        results_dir = args.results_dir.resolve()
        results_md = results_dir / "RESULTS.md"
    elif args.quick:
        results_dir = bc.OUT / "quick"
        results_md = results_dir / "RESULTS.md"
    else:
        results_dir, results_md = bc.RESULTS_DIR, bc.RESULTS_MD

    corpus = bc.choose_corpus(args.corpus, args.quick)
    tok = bc.tokenise(corpus.path)
    bc.info(f"corpus {bc.rel(corpus.path)}: {tok.n_tokens:,} tokens, {tok.n_lines:,} lines "
            f"({'cached' if tok.cached else f'tokenised in {tok.seconds:.0f} s'})")
    js = results_dir / f"{args.section}.json"
    previous = json.loads(js.read_text()) if args.merge and js.exists() else None
    ctx = {"work": bc.OUT / ("quick" if args.quick else "full"), "tokenised": tok, "corpus": corpus,
           "previous": previous}
    t0 = time.perf_counter()
    result = mod.run(args, ctx)
    result = {
        "schema": result.pop("schema", 1),
        "section": result.pop("section", args.section),
        "command": bc.command_line(argv),
        "date": bc.now_iso(),
        "quick": bool(args.quick),
        "machine": bc.machine_info(),
        "versions": bc.versions(),
        "corpus": {"source": bc.rel(corpus.path), "requested": corpus.requested, "label": corpus.label,
                   "fallback": corpus.fallback, "note": corpus.note, "tokenised": bc.rel(tok.path),
                   "n_tokens": tok.n_tokens, "n_lines": tok.n_lines, "n_types": tok.n_types,
                   "regex": bc.TOKEN_RE, "lowercase": True},
        **result,
        "section_s": round(time.perf_counter() - t0, 1),
    }
    bc.write_json(js, result)
    render_results(results_dir, results_md)
    print(f"\n== {args.section} on {corpus.label} ({tok.n_tokens:,} tokens)"
          f"{' [QUICK]' if args.quick else ''}{' [FALLBACK CORPUS]' if corpus.fallback else ''}")
    for line in mod.summary_lines(result):
        print(line)
    print(f"wrote {bc.rel(js)} and {bc.rel(results_md)} ({result['section_s']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
