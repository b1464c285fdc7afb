"""``embkit retrofit``: pull vectors towards their neighbours in a semantic lexicon (Faruqui et al. 2015)."""
import logging
import math
import time

import click

from embkit.exceptions import show_path

from ._common import (
    CONTEXT,
    FiniteFloat,
    check_vectors_output,
    derived_output,
    emit_json,
    load_vectors,
    read_options,
    resolve_vecs,
    status,
    warn_replacing,
)

log = logging.getLogger("embkit.cli")


class _Beta(click.ParamType):
    """``inverse-degree`` or a finite number > 0."""

    name = "inverse-degree|FLOAT"

    def convert(self, value, param, ctx):
        if isinstance(value, float) or value == "inverse-degree":
            return value
        try:
            number = float(value)
        except ValueError:
            self.fail(f"{value!r} is neither inverse-degree nor a number", param, ctx)
        if not (math.isfinite(number) and number > 0):
            self.fail(f"{value!r} must be a finite number > 0", param, ctx)
        return number


def _relations(value):
    from embkit.postprocess.wordnet import RELATIONS

    names = [r.strip() for r in value.split(",") if r.strip()]
    unknown = [r for r in names if r not in RELATIONS]
    if unknown or not names:
        raise click.BadParameter(f"{', '.join(unknown) or 'no relation'}: expected a comma-separated list of "
                                 f"{', '.join(RELATIONS)}", param_hint="--relations")
    return names


def _lexicon(lexicon, wordnet_dir, relations):
    """(Lexicon, label for the output name, files read) of the options given."""
    from embkit.postprocess.lexicon import BUILTIN_LEXICONS, lexicon_name, load_lexicon
    from embkit.postprocess.wordnet import DEFAULT_RELATIONS, read_wordnet

    if wordnet_dir is not None:
        if lexicon not in (None, "wordnet"):
            raise click.UsageError("--wordnet-dir builds the wordnet lexicon from WordNet's files: give "
                                   "--lexicon wordnet or leave --lexicon out")
        names = _relations(relations) if relations else list(DEFAULT_RELATIONS)
        return read_wordnet(wordnet_dir, names), "wordnet", [wordnet_dir]
    if relations is not None:
        raise click.UsageError("--relations is only valid with --wordnet-dir (the built-in wordnet lexicon "
                               "has synonyms, hypernyms and hyponyms)")
    if lexicon is None:
        raise click.UsageError("give --lexicon wordnet (built in) or --lexicon PATH (a lexicon file)")
    if lexicon in BUILTIN_LEXICONS:
        return load_lexicon(lexicon), lexicon, []
    return load_lexicon(lexicon), lexicon_name(lexicon), [lexicon]


def _n(value):
    return f"{value:,}"


def report_lines(entry):
    """Human-readable lines of a retrofit report (``meta["retrofit"]`` of the output)."""
    s, r = entry["settings"], entry["report"]
    words, entries, edges = r["words"], r["entries"], r["edges"]
    beta = s["beta"] if isinstance(s["beta"], str) else f"{s['beta']:g}"
    inputs = ("unit-length" if s["normalize"] else "unscaled") + (", centred" if s["center"] else "")
    edges_kept = "" if s["min_similarity"] is None else f", edges with input cosine > {s['min_similarity']:g}"
    lines = [f"retrofit with {entry['lexicon']}: {s['graph']} graph, case {s['case']}, alpha {s['alpha']:g}, "
             f"beta {beta}, {s['iterations']} iterations, {inputs} inputs{edges_kept}",
             f"words: {_n(words['vectors'])} in the vectors, {_n(words['lexicon'])} in the lexicon, "
             f"{_n(words['in_both'])} in both; {_n(words['retrofitted'])} retrofitted",
             f"lexicon entries: {_n(entries['read'])} ({_n(entries['repeated_heads'])} repeated heads merged, "
             f"{_n(entries['empty'])} without neighbours)"]
    if "lexicon_words_matching_several_keys" in words:
        lines.append(f"case folding: {_n(words['lexicon_words_matching_several_keys'])} lexicon words matched "
                     "several keys (keys stay distinct)")
    dropped = edges["dropped"]
    lines.append(f"edges: {_n(edges['read'])} read, {_n(edges['used'])} used; dropped: "
                 f"{_n(dropped['self_loop'])} self-loops, {_n(dropped['duplicate'])} duplicates, "
                 f"{_n(dropped['head_not_in_vectors'])} with the head not in the vectors, "
                 f"{_n(dropped['neighbour_not_in_vectors'])} with the neighbour not in the vectors"
                 + (f", {_n(dropped['dissimilar'])} dissimilar in the input" if s["min_similarity"] is not None
                    else ""))
    if "reverse_added" in edges:
        lines.append(f"symmetric graph: {_n(edges['graph'])} edges ({_n(edges['reverse_added'])} reverse edges "
                     "added)")
    if r["movement"]:
        lines.append("movement per iteration (mean cosine distance): "
                     + " ".join(f"{m:.4g}" for m in r["movement"]))
    lines.append(f"mean cosine distance of retrofitted words from their input: {r['distance_from_input']:.4f}")
    return lines


@click.command(context_settings=CONTEXT, short_help="Retrofit vectors to a semantic lexicon (WordNet, ...).")
@click.argument("vecs", required=False, metavar="[VECS]")
@click.option("--lexicon", default=None, metavar="wordnet|PATH",
              help="wordnet (built in: WordNet 3.0 synonyms, hypernyms, hyponyms) or a lexicon file "
                   "('word neighbour neighbour ...' per line, optional neighbour:weight; .gz/.bz2/.xz read).")
@click.option("-o", "--output", default=None,
              help="Output (.embkit directory, .vec/.txt or .bin). Default: <VECS stem>.retrofit-<lexicon>.embkit "
                   "in the current directory.")
@click.option("--iterations", type=click.IntRange(min=0), default=10, help="Updates of every vector.")
@click.option("--preset", type=click.Choice(["paper", "rare-words"]), default="paper",
              help="paper: Faruqui et al. (alpha 1, every edge, no centring). rare-words: --alpha 2.25 --center "
                   "--min-similarity 0.35, which keeps rare-word (RW) and relatedness scores (see the README); "
                   "options given explicitly override the preset's.")
@click.option("--alpha", type=FiniteFloat(min=0), default=None, show_default="1, or the preset's",
              help="Weight of each word's own input vector.")
@click.option("--beta", type=_Beta(), default="inverse-degree",
              help="Weight of each edge: inverse-degree (each word's edge weights scaled to sum to 1: "
                   "1/number of neighbours when the lexicon has no weights) or a number that multiplies the "
                   "written weights.")
@click.option("--graph", type=click.Choice(["directed", "symmetric"]), default="directed",
              help="Edges as written (head -> neighbours), or also reversed.")
@click.option("--case", type=click.Choice(["exact", "fold"]), default="exact",
              help="exact: Apple and apple are different words; fold: a lexicon word applies to every key "
                   "equal to it ignoring case (keys stay distinct).")
@click.option("--normalize/--no-normalize", default=True, help="Scale input vectors to unit length first.")
@click.option("--center/--no-center", default=None, show_default="no, or the preset's",
              help="Subtract the mean input vector first (after --normalize, then unit length again).")
@click.option("--min-similarity", type=FiniteFloat(min=-1, max=1), default=None, metavar="COS",
              show_default="none, or the preset's",
              help="Drop lexicon edges whose two input vectors have a cosine <= COS.")
@click.option("--wordnet-dir", type=click.Path(exists=True, file_okay=False), default=None, metavar="DIR",
              help="Build the wordnet lexicon from WordNet's database files in DIR (data.noun, data.verb, "
                   "data.adj, data.adv; e.g. /usr/share/wordnet from Debian's wordnet-base).")
@click.option("--relations", default=None, metavar="R1,R2,...",
              help="With --wordnet-dir: relations to follow, of synonym, hypernym, hyponym, similar-to, "
                   "derivation [synonym,hypernym,hyponym].")
@click.option("--dry-run", is_flag=True, help="Print the report (stdout) and write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@read_options
def retrofit(vecs, lexicon, output, iterations, preset, alpha, beta, graph, case, normalize, center, min_similarity,
             wordnet_dir, relations, dry_run, as_json, limit, unicode_errors):
    """Retrofit the vectors VECS (default: the newest model here) to a semantic lexicon.

    \b
    embkit retrofit --lexicon wordnet                  # the newest model here, built-in WordNet
    embkit retrofit vecs.vec --lexicon ppdb.txt -o vecs.ppdb.vec
    embkit retrofit --lexicon wordnet --preset rare-words
    embkit retrofit --wordnet-dir /usr/share/wordnet --relations synonym,similar-to

    Each word with neighbours in the lexicon moves towards them while staying near its own vector
    (Faruqui et al. 2015; alpha 1, beta 1/degree and 10 iterations are the paper's settings). Counts
    are kept. The report (words matched, edges used and dropped by reason, movement per iteration)
    goes to stderr, or to stdout with --json or --dry-run.
    """
    from embkit import io
    from embkit.postprocess.retrofit import PRESETS
    from embkit.postprocess.retrofit import retrofit as run_retrofit

    if output is not None and output.strip() in ("", "-"):
        raise click.BadParameter("give a file or directory name (vectors are not written to standard output)",
                                 param_hint="-o/--output")
    vecs = resolve_vecs(vecs)
    lex, label, lexicon_files = _lexicon(lexicon, wordnet_dir, relations)
    out = output or derived_output(vecs, f"retrofit-{label}")
    if not dry_run:
        check_vectors_output(out, inputs=[vecs, *lexicon_files])      # fail now, not after the work
        warn_replacing(out, output)
    t0 = time.perf_counter()
    kv = load_vectors(vecs, limit, unicode_errors)
    previous = kv.meta.get("retrofit")
    if isinstance(previous, dict) and previous.get("lexicon") == label:
        log.warning("%s was already retrofitted with %s; retrofitting it again", vecs, label)
    chosen = {"alpha": alpha, "center": center, "min_similarity": min_similarity}
    settings = {k: PRESETS[preset][k] if v is None else v for k, v in chosen.items()}
    result = run_retrofit(kv, lex, iterations=iterations, beta=beta, graph=graph, case=case, normalize=normalize,
                          **settings)
    entry = result.meta["retrofit"]
    if not dry_run:
        io.save(result, out)
    seconds = time.perf_counter() - t0
    if as_json:
        emit_json({"input": str(vecs), "output": None if dry_run else str(out), "dry_run": dry_run,
                   "seconds": round(seconds, 3), **entry})
    elif dry_run:
        click.echo("\n".join(report_lines(entry)))
        click.echo(f"dry run: nothing written (would write {show_path(out)})")
    else:
        for line in report_lines(entry):
            status(line)
    if not dry_run:
        status(f"wrote {show_path(out)}: {len(result):,} words x {result.dim} in {seconds:.1f} s")


def register(cli):
    """Add ``retrofit`` to the ``cli`` group."""
    cli.add_command(retrofit)

