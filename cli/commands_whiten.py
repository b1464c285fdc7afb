"""``embkit whiten`` and ``embkit analyze``: post-processing and geometry of stored vectors."""
import errno
import importlib.util
import os

import click

from embkit.exceptions import show_path

from ._common import (
    CONTEXT,
    FiniteFloat,
    check_plot,
    check_vectors_output,
    derived_output,
    emit_json,
    load_vectors,
    read_options,
    resolve_vecs,
    status,
    warn_replacing,
)

_METHODS = ("zipfian", "uniform", "center", "abtt")


def register(cli):
    """Add ``whiten`` and ``analyze`` to the ``cli`` group."""
    cli.add_command(whiten)
    cli.add_command(analyze)


def _freq_option(help_text):
    return click.option("--freq", default="model", metavar="model|zipf|PATH", help=help_text)


def _freq_files(freq):
    """The file --freq names, as a list: none for model and zipf."""
    from embkit.postprocess.frequencies import FREQ_SOURCES

    if freq in FREQ_SOURCES:
        return []
    if os.path.isdir(freq):              # not "the output is inside an input": say what is wrong with --freq
        from embkit.exceptions import IsDirectoryError
        raise IsDirectoryError(errno.EISDIR, "is a directory; --freq takes a frequency file", freq)
    return [freq]


def _naming_vecs(vecs, exc):
    """A missing-counts error with the vectors' name in front."""
    from embkit.exceptions import EmbkitError
    return EmbkitError(f"{vecs}: {exc}")


@click.command(context_settings=CONTEXT, short_help="Whiten, centre or all-but-the-top word vectors.")
@click.argument("vecs", required=False, metavar="[VECS]")
@click.option("--method", type=click.Choice(_METHODS), default="zipfian",
              help="zipfian: PCA whitening with the word frequencies as weights (Yokoi et al. 2024); uniform: "
                   "the same with equal weights; center: remove the mean; abtt: remove the mean and the top "
                   "--remove principal components (Mu & Viswanath 2018).")
@_freq_option("Word frequencies for --method zipfian: the model's counts, Zipf's law from the row order "
              "(for vectors without counts), or a file of 'word<TAB>count' or 'word<TAB>probability' lines.")
@click.option("--remove", type=click.IntRange(min=1), default=None, metavar="D",
              help="abtt: principal components to remove [default: dim/100, at least 1].")
@click.option("--keep", type=click.IntRange(min=1), default=None, metavar="D",
              help="zipfian, uniform: keep only the top D whitened components [default: all].")
@click.option("--eps", type=FiniteFloat(min=0.0, max=1.0, max_open=True), default=1e-6,
              help="Added to every covariance eigenvalue, relative to the largest, so near-singular "
                   "covariances stay finite.")
@click.option("--min-count", type=click.IntRange(min=1), default=None, metavar="N",
              help="Fit the mean and covariance on the words the model saw at least N times (its stored "
                   "counts); every word is still transformed. [default: every word]")
@click.option("-o", "--output", default=None, metavar="OUT",
              help="Output: a directory/.embkit (native, keeps the counts), .vec/.txt or .bin. "
                   "[default: <VECS name>.whiten-<method>.embkit in the current directory]")
@read_options
def whiten(vecs, method, freq, remove, keep, eps, min_count, output, limit, unicode_errors):
    """Whiten the vectors VECS (default: the newest model here) and write them to OUT.

    The output keeps the words, their order and their counts.
    """
    from embkit import io
    from embkit.exceptions import InvalidDataError, InvalidParameterError
    from embkit.postprocess.frequencies import NoCountsError
    from embkit.postprocess.whiten import whiten as whiten_vectors

    if remove is not None and method != "abtt":
        raise click.BadParameter(f"applies to --method abtt only, not {method}", param_hint="--remove")
    from click.core import ParameterSource
    if (click.get_current_context().get_parameter_source("freq") is not ParameterSource.DEFAULT
            and method != "zipfian"):
        raise click.BadParameter(f"applies to --method zipfian only, not {method} (which weights every word alike)",
                                 param_hint="--freq")
    if keep is not None and method not in ("zipfian", "uniform"):
        raise click.BadParameter(f"applies to --method zipfian and uniform only, not {method}",
                                 param_hint="--keep")
    if output is not None and output.strip() in ("", "-"):
        raise click.BadParameter("give a file or directory name (vectors are not written to standard output)",
                                 param_hint="-o/--output")
    vecs = resolve_vecs(vecs)
    out = output or derived_output(vecs, f"whiten-{method}")
    check_vectors_output(out, inputs=[vecs, *_freq_files(freq)])     # fail now, not after the work
    warn_replacing(out, output)
    kv = load_vectors(vecs, limit, unicode_errors)
    try:
        result = whiten_vectors(kv, method=method, freq=freq, remove=remove, keep=keep, eps=eps,
                                min_count=min_count)
    except InvalidParameterError as exc:
        raise click.BadParameter(str(exc), param_hint=f"--{exc.param}" if exc.param else None) from None
    except (NoCountsError, InvalidDataError) as exc:
        raise _naming_vecs(vecs, exc) from None
    io.save(result, out)
    record = result.meta["postprocess"][-1]
    detail = {"zipfian": f", frequencies from {record.get('freq', {}).get('source', freq)}",
              "abtt": f", top {record.get('remove')} component(s) removed"}.get(method, "")
    if record.get("fit_words") is not None:
        detail += f", fitted on {record['fit_words']} of the {len(result)} words"
        if min_count is not None:
            detail += f" (seen at least {min_count} time{'' if min_count == 1 else 's'})"
    status(f"wrote {show_path(out)}: {len(result)} words x {result.dim}, {method}{detail}")


def _plain(value):
    """JSON-able copy: arrays become lists, non-finite floats None."""
    import math

    import numpy as np

    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def _summary(result):
    """What ``--json`` prints: everything but the per-word arrays."""
    out = {k: v for k, v in result.items() if k not in ("probabilities", "squared_norm", "information_gain")}
    ig = result["information_gain"]
    keys = ("spearman", "n_words", "spearman_frequent", "n_frequent", "min_count", "settings")
    out["information_gain"] = None if ig is None else {k: ig[k] for k in keys}
    return _plain(out)


def _fmt(x):
    return "n/a" if x is None else f"{x:.4g}"


def _print_analysis(vecs, r):
    click.echo(f"{show_path(vecs)}: {r['n_words']} words x {r['dim']}; frequencies: {r['freq']}")
    iso = r["isotropy"]
    z = iso["zipfian"] or {}
    click.echo(f"{'isotropy':<34}{'uniform':>12}{'zipfian':>12}")
    for key, label in (("mean_norm_ratio", "|weighted mean| / mean norm"),
                       ("eigenvalue_ratio", "min/max covariance eigenvalue"),
                       ("partition_ratio", "min/max Z(c) (Mu & Viswanath)")):
        click.echo(f"  {label:<32}{_fmt(iso['uniform'][key]):>12}{_fmt(z.get(key)):>12}")
    nb = r["norms_by_frequency"]
    click.echo("norms by frequency rank")
    click.echo(f"  {'ranks':<16}{'words':>7}{'mean':>8}{'std':>8}{'q25':>8}{'median':>8}{'q75':>8}")
    for i in range(len(nb["n_words"])):
        ranks = f"{nb['rank_start'][i]}-{nb['rank_stop'][i]}"
        click.echo(f"  {ranks:<16}{nb['n_words'][i]:>7}{nb['norm_mean'][i]:>8.3f}{nb['norm_std'][i]:>8.3f}"
                   f"{nb['norm_q25'][i]:>8.3f}{nb['norm_median'][i]:>8.3f}{nb['norm_q75'][i]:>8.3f}")
    ig = r["information_gain"]
    if ig is None:
        click.echo("information gain: give --cooccur counts.npz or --corpus CORPUS")
        return
    s = ig["settings"]
    how = ", ".join(f"{k} {s[k]}" for k in ("window", "weighting") if k in s)
    click.echo(f"information gain KL(p(.|w) || p(.)){f' ({how})' if how else ''}: Spearman with the squared "
               f"norm {_fmt(ig['spearman'])} over {ig['n_words']} words, {_fmt(ig['spearman_frequent'])} over "
               f"the {ig['n_frequent']} seen at least {ig['min_count']} times")


@click.command(context_settings=CONTEXT, short_help="Isotropy, norms by frequency, norm vs information gain.")
@click.argument("vecs", required=False, metavar="[VECS]")
@click.option("--corpus", default=None, metavar="CORPUS",
              help="Count co-occurrences in this corpus for the information gain, read as the model read its "
                   "own (tokenizer, lowercasing, --phrases/--terms joined) within the model's window, uniform "
                   "weighting.")
@click.option("--cooccur", default=None, metavar="COUNTS.npz",
              help="Co-occurrence counts for the information gain: the .npz `embkit cooccur` writes, or "
                   "scipy.sparse.save_npz arrays plus a vocab array (counts and settings optional).")
@click.option("--window", type=click.IntRange(min=1), default=None, metavar="N",
              help="Window for --corpus [default: the model's].")
@click.option("--tokenizer", type=click.Choice(["whitespace", "regex"]), default=None,
              help="How --corpus is split [default: as the model recorded; whitespace for vectors that record "
                   "nothing].")
@click.option("--lowercase/--no-lowercase", default=None,
              help="Lowercase --corpus [default: as the model recorded; no for vectors that record nothing].")
@_freq_option("Word frequencies for the Zipfian measures and the bands, as for whiten: the model's counts, "
              "Zipf's law from the row order (for vectors without counts), or a 'word<TAB>count' file.")
@click.option("--plot", default=None, metavar="OUT.png",
              help="Also write a figure of the squared norm against the information gain (or the frequency), "
                   "coloured by frequency: .png, .pdf or .svg, as the name ends; needs matplotlib "
                   "(pip install 'embkit[plot]').")
@click.option("--min-count", type=click.IntRange(min=1), default=100, metavar="N",
              help="Also correlate over the words seen at least N times (rare words' information gain is "
                   "overestimated from few co-occurrences).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (summaries, no per-word arrays).")
@read_options
def analyze(vecs, corpus, cooccur, window, tokenizer, lowercase, freq, min_count, plot, as_json, limit,
            unicode_errors):
    """Geometry of the vectors VECS (default: the newest model here).

    Isotropy under uniform and Zipfian weights, the word-norm distribution
    by frequency rank and, with co-occurrence counts, each word's
    information gain KL(p(.|w) || p(.)) against its squared norm
    (Spearman). The library's embkit.analysis.analyze returns the per-word
    arrays as well.
    """
    from embkit.analysis import PLOT_INSTALL_HINT, plot_analysis
    from embkit.analysis import analyze as analyze_vectors
    from embkit.exceptions import EmbkitError
    from embkit.postprocess.frequencies import NoCountsError

    if corpus is not None and cooccur is not None:
        raise click.UsageError("give --corpus or --cooccur, not both")
    for name, value in (("--window", window), ("--tokenizer", tokenizer), ("--lowercase", lowercase)):
        if value is not None and corpus is None:
            raise click.BadParameter("applies to --corpus only", param_hint=name)
    if plot is not None and importlib.util.find_spec("matplotlib") is None:
        raise EmbkitError(f"--plot needs matplotlib, which is not installed: {PLOT_INSTALL_HINT}")
    vecs = resolve_vecs(vecs)
    if plot is not None:
        check_plot(plot, [vecs, cooccur, *_freq_files(freq)], corpus)      # fail now, not after the work
    kv = load_vectors(vecs, limit, unicode_errors)
    try:
        result = analyze_vectors(kv, freq=freq, cooccurrence=cooccur, corpus=corpus, window=window,
                                 min_count=min_count, tokenizer=tokenizer, lowercase=lowercase)
    except NoCountsError as exc:
        raise _naming_vecs(vecs, exc) from None
    if plot is not None:
        plot_analysis(result, plot)
        status(f"wrote {show_path(plot)}")
    if as_json:
        emit_json(_summary(result))
    else:
        _print_analysis(vecs, result)
