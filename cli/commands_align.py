"""``embkit align`` (cross-corpus alignment: CADE or Procrustes) and ``embkit shift`` (semantic-change report)."""
import hashlib
import os
import re
import time
from pathlib import Path

import click

from embkit import _params
from embkit.exceptions import show_path
from embkit.models.compass import COMPASS

from ._common import CONTEXT, check_plot, emit_json, quiet, status
from .commands_train import _FASTTEXT_ONLY, _estimator, _usage_error, default_output, table_options

DEFAULT_DIR = "aligned"
MODELS = ["cbow", "sgns", "fasttext", "fasttext-cbow"]


def register(cli):
    """Add ``align`` and ``shift`` to the ``cli`` group."""
    cli.add_command(align)
    cli.add_command(shift)


def _names(corpus, names):
    """The slice names: --names, or each CORPUS's file name without its endings."""
    if names is None:
        return [default_output([c])[:-len(".embkit")] for c in corpus]
    out = [n.strip() for n in names.split(",")]
    if len(out) != len(corpus):
        raise click.BadParameter(f"{len(out)} names for {len(corpus)} corpora; give one name per CORPUS",
                                 param_hint="--names")
    return out


@click.command(context_settings=CONTEXT, short_help="Train aligned vectors for several corpora (CADE).")
@click.argument("corpus", nargs=-1, required=True)
@click.option("--names", default=None, metavar="A,B,...",
              help="Slice names, one per CORPUS, comma-separated [default: the file names without endings].")
@click.option("-o", "--output", default=DEFAULT_DIR, help="Output directory: <name>.embkit per slice, "
              "compass.embkit and manifest.json.")
@click.option("--model", default="cbow", type=click.Choice(MODELS, case_sensitive=False),
              help="CBOW (the CADE paper's choice) or skip-gram, with negative sampling; fasttext and "
                   "fasttext-cbow add character n-grams (every slice then has vectors for unseen words).")
@table_options(COMPASS)
@click.option("--skip-existing", is_flag=True,
              help="Reuse the compass and the slices already in the output directory (continue an "
                   "interrupted run): those made by the same method from the same corpora, and aligned to "
                   "the compass (or reference slice) in use; others are trained again, with a warning.")
@table_options(_params.WORD2VEC)
@table_options(_FASTTEXT_ONLY)
@click.option("--format", "fmt", default=None,
              type=click.Choice(["native", "word2vec", "word2vec-bin", "fasttext-bin"]),
              help="Format of the slice files [default: native .embkit]; the compass is always native.")
def align(corpus, names, output, model, method, compass_epochs, slice_epochs, slice_min_count, anchor_min_count,
          skip_existing, fmt, **params):
    """Train word vectors of each CORPUS (a slice) in one coordinate system.

    With --method cade (default), a compass model is trained on all slices
    together, then each slice starts from the compass's vectors with the
    compass's context matrix frozen, so that the slices' vectors are
    comparable (Di Carlo et al. 2019). --method procrustes trains each slice
    on its own and rotates it onto the first one. --epochs sets the compass's
    and the slices' epochs unless --compass-epochs or --slice-epochs are given.
    A CORPUS may be a file, a directory or a glob pattern (quote it).
    """
    from embkit.corpus.reading import expand_inputs
    from embkit.exceptions import InvalidParameterError
    from embkit.models.aligned import slice_path
    from embkit.models.compass import CompassAligner

    if len(corpus) < 2:
        raise click.UsageError("give at least two corpora to align")
    if fmt == "fasttext-bin" and not model.lower().startswith("fasttext"):
        raise click.BadParameter("fasttext-bin holds subword models: use it with --model fasttext or "
                                 "fasttext-cbow", param_hint="--format")
    est = _estimator(model.lower(), quiet(), params)
    aligner = CompassAligner(est, method=method, compass_epochs=compass_epochs, slice_epochs=slice_epochs,
                             slice_min_count=slice_min_count, anchor_min_count=anchor_min_count)
    try:
        aligner.check_params()
    except InvalidParameterError as exc:
        raise _usage_error(exc) from None
    slice_names = _names(corpus, names)
    if len(set(slice_names)) < len(slice_names):
        dup = next(n for n in slice_names if slice_names.count(n) > 1)
        raise click.BadParameter(f"two slices would be named {dup!r}; name them with --names",
                                 param_hint="--names" if names else "CORPUS")
    corpora = {n: expand_inputs([c]) for n, c in zip(slice_names, corpus)}
    started = time.perf_counter()
    aligner.fit(corpora, output=output, skip_existing=skip_existing, format=fmt)
    files = ", ".join((["compass.embkit"] if aligner.compass_ is not None else [])
                      + [slice_path(output, n, fmt).name for n in aligner.slices_])
    status(f"wrote {show_path(str(output) + '/')}: {files} and manifest.json ({aligner.manifest_['method']}, "
           f"{time.perf_counter() - started:.1f} s)")


@click.command(context_settings=CONTEXT, short_help="Words whose meaning moved most between aligned slices.")
@click.argument("directory", required=False, metavar="[DIR]")
@click.option("--pairs", default="consecutive", type=click.Choice(["consecutive", "all"]),
              help="Compare each slice with the next, or every pair.")
@click.option("--top", default=50, type=click.IntRange(min=1), help="Most shifted and most stable words listed.")
@click.option("--min-count", default=20, type=click.IntRange(min=1),
              help="Compare words occurring at least this often in both slices of a pair.")
@click.option("--k", "k", default=10, type=click.IntRange(min=1),
              help="Nearest neighbours for the overlap measure and the lists.")
@click.option("--words", default=None, metavar="W1,W2,...", help="Report these words instead of the top lists.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--plot", "plot", default=None, metavar="PREFIX",
              help="Write figures PREFIX-<a>-<b>.png (shift by frequency) and PREFIX-<word>.png (a word's "
                   "neighbours across slices; --words, or the 3 most shifted words; characters that cannot be "
                   "in a file name become _, plus a short hash). A PREFIX ending in .pdf or .svg sets the format; "
                   "DIR/ names the files DIR/<a>-<b>.png. Needs matplotlib. Every file is checked before any is "
                   "written; with --words, the known words' figures are written even when others are unknown "
                   "(those are then reported, exit 1).")
def shift(directory, pairs, top, min_count, k, words, as_json, plot):
    """Semantic change between the slices in DIR (an `embkit align` output, default ./aligned).

    For each pair of slices, the words whose vectors moved most (shift: cosine
    distance) among those occurring at least --min-count times in both, and
    the most stable ones, with their counts, the Jaccard overlap of their --k
    nearest neighbours in each slice, and those neighbours.
    """
    from embkit.evaluation.shift import shift_report, slice_pairs
    from embkit.models.aligned import AlignedSlices

    if directory is None:
        if not Path(DEFAULT_DIR).is_dir():
            raise click.UsageError(f"no DIR given and no ./{DEFAULT_DIR} here; align corpora first with "
                                   "`embkit align CORPUS_A CORPUS_B`")
        directory = DEFAULT_DIR
    word_list = list(dict.fromkeys(w.strip() for w in words.split(",") if w.strip())) if words is not None else None
    if word_list == []:
        raise click.BadParameter("give at least one word (W1,W2,...)", param_hint="--words")
    aligned = AlignedSlices.load(directory)
    unknown = _unknown_words(aligned, word_list or [])
    if word_list is not None and len(unknown) == len(word_list):
        raise _unknown_error(directory, aligned, unknown)
    if unknown:          # like `neighbors`: the known words' results first, then the unknown ones on one line
        word_list = [w for w in word_list if w not in unknown]
    if plot is not None and not plot.strip(" ./"):
        raise click.BadParameter("give a file name prefix or a directory/ (figures are PREFIX-<a>-<b>.png)",
                                 param_hint="--plot")
    if plot:             # fail now, not after the report
        _check_plots(directory, aligned, _plot_paths(plot, slice_pairs(aligned.names, pairs), word_list or []))
    report = shift_report(aligned, pairs=pairs, top=top, min_count=min_count, k=k, words=word_list)
    if plot:
        _plots(directory, aligned, report, plot, word_list, k, min_count)
    if as_json:
        emit_json(report)
    else:
        _print_report(report)
    if unknown:
        raise _unknown_error(directory, aligned, unknown)


def _unknown_words(aligned, words):
    """``{word: [slices lacking it]}`` for the words missing from at least one slice, in the order given.

    A subword (fastText) slice lacks only the words it cannot compose from character n-grams.
    """
    from embkit.evaluation.shift import in_slice

    lacking = {w: [name for name in aligned.names if not in_slice(aligned[name], w)] for w in words}
    return {w: names for w, names in lacking.items() if names}


def _unknown_error(directory, aligned, unknown):
    """One error naming, slice by slice, the words it lacks (as the library's ``not in slice ...``)."""
    from embkit.exceptions import EmbkitError

    parts = []
    for name in aligned.names:
        lacking = [w for w, names in unknown.items() if name in names]
        if lacking:
            parts.append(f"not in slice {name!r} ({len(aligned[name])} words): {', '.join(map(repr, lacking))}")
    return EmbkitError(f"{show_path(directory)}: {'; '.join(parts)}")


_UNSAFE = re.compile(r"[^\w.+-]|^\.+")      # path separators, whitespace, control and shell characters, leading dots


def _digest(text):
    """A short hash of ``text`` that tells apart names made alike."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def _file_part(word):
    """A word as part of a file name: unsafe characters become ``_``; a changed or long name gets a short hash.

    A word is any token (``a/b``, ``..``, a 300-character run), so it may not
    name a directory, climb out of the prefix's folder, or exceed the file
    system's 255-byte name limit.
    """
    safe = _UNSAFE.sub("_", word)[:80]
    if safe != word:
        safe += "-" + _digest(word)
    return safe


_FIGURE_SUFFIXES = (".png", ".pdf", ".svg")
_OTHER_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".eps", ".ps")


def _plot_paths(prefix, pairs, words):
    """``{(a, b) or word: figure path}`` of --plot PREFIX (slice names are safe already; words are made so).

    ``figs/`` names ``figs/old-new.png``; ``fig.pdf`` names ``fig-old-new.pdf`` (the suffix is the format).
    A word whose name would be a pair's figure (the word ``old-new``) gets a short hash too.
    """
    prefix, ext = str(prefix), ".png"
    if prefix.lower().endswith(_FIGURE_SUFFIXES):
        prefix, ext = prefix[:-4], prefix[-4:].lower()
    if prefix.lower().endswith(_OTHER_IMAGE_SUFFIXES):
        raise click.BadParameter(f"figures are .png, .pdf or .svg, not {Path(prefix).suffix}", param_hint="--plot")
    sep = "" if prefix in ("", ".") or prefix.endswith(("/", os.sep)) else "-"   # figs/: figs/old-new.png
    prefix = "" if prefix == "." else prefix
    paths, taken = {}, set()
    for key, stem in [((a, b), f"{a}-{b}") for a, b in pairs] + [(w, _file_part(w)) for w in words]:
        path = f"{prefix}{sep}{stem}{ext}"
        if path in taken:      # slices 'beth' and 'lehem-judah' vs 'beth-lehem' and 'judah'; a word named 'a-b'
            path = f"{prefix}{sep}{stem}-{_digest(chr(0).join(key) if isinstance(key, tuple) else key)}{ext}"
        paths[key] = path
        taken.add(path)
    return paths


def _check_plots(directory, aligned, paths):
    """Check every figure path before any is written: none may replace the manifest or a slice."""
    from embkit.models.aligned import MANIFEST

    inputs = [Path(directory) / MANIFEST] + [Path(directory) / e["file"]
                                             for e in aligned.manifest.get("slices") or [] if e.get("file")]
    for path in paths.values():
        check_plot(path, inputs)


def _plots(directory, aligned, report, prefix, word_list, k, min_count):
    from embkit.evaluation.shift import shift_scores
    from embkit.evaluation.shift_plots import plot_shift_distribution, plot_word_neighbors

    first = report["pairs"][0]
    chosen = word_list or [r["word"] for r in first.get("most_shifted", [])[:3]]
    pairs = [(pair["a"], pair["b"]) for pair in report["pairs"]]
    paths = _plot_paths(prefix, pairs, chosen)
    _check_plots(directory, aligned, paths)          # the most shifted words are known only now
    for a, b in pairs:
        plot_shift_distribution(shift_scores(aligned, a, b, min_count=min_count, k=k), a, b, paths[a, b])
    for w in chosen:
        plot_word_neighbors(aligned, w, paths[w], k=k, min_count=min_count)
    status(f"wrote {', '.join(show_path(p) for p in paths.values())}")


def _neighbours(pairs, n=5):
    return ", ".join(w for w, _ in pairs[:n])


def _count_cell(row, side, name):
    """A count in the table: ``0*`` where the word's vector was composed from its n-grams, ``-`` where unknown."""
    return "0*" if name in row.get("composed", ()) else (row[f"count_{side}"] or "-")


def _print_rows(title, rows, a, b):
    click.echo(title)
    if not rows:
        click.echo("  (none)")
        return
    width = max(len(r["word"]) for r in rows)
    first = "#" if title == "words" else "rank"          # --words: the order given, not a ranking
    click.echo(f"  {first:>4}  {'word':<{width}}  {'shift':>6}  {'overlap':>7}  {'count ' + a:>10}  "
               f"{'count ' + b:>10}  neighbours in {a} | in {b}")
    for i, r in enumerate(rows, 1):
        overlap = "-" if r["overlap"] is None else f"{r['overlap']:.2f}"
        click.echo(f"  {i:>4}  {r['word']:<{width}}  {r['shift']:>6.3f}  {overlap:>7}  "
                   f"{_count_cell(r, 'a', a):>10}  {_count_cell(r, 'b', b):>10}  "
                   f"{_neighbours(r['neighbors_a'])} | {_neighbours(r['neighbors_b'])}")
    if any(r.get("composed") for r in rows):
        click.echo("  0*: not in that slice; its vector is composed from the word's character n-grams")


def _print_report(report):
    k = report["k"]
    for pair in report["pairs"]:
        a, b = pair["a"], pair["b"]
        bare = [n for n in (a, b) if n in (report.get("uncounted") or ())]
        which = (f"words in both (no count filter: {' and '.join(bare)} carr{'y' if len(bare) > 1 else 'ies'} "
                 "no counts)" if bare else f"words occurring at least {report['min_count']} times in both")
        click.echo(f"{a} -> {b}: {pair['scored']} {which}; "
                   f"shift = cosine distance, overlap = Jaccard of the {k} nearest neighbours (5 listed)")
        if "words" in pair:
            _print_rows("words", pair["words"], a, b)
            rare = [r["word"] for r in pair["words"] if r.get("below_min_count") and not bare]
            if rare:
                click.echo(f"  shown as asked, though seen fewer than {report['min_count']} times in a slice: "
                           f"{', '.join(rare)}")
        else:
            _print_rows("most shifted", pair["most_shifted"], a, b)
            _print_rows("most stable", pair["most_stable"], a, b)
        click.echo("")
