"""``embkit eval``: analogy and word-similarity benchmarks, and detected terms against a gold list.

Every command takes an optional VECS (a vectors file or an embkit model
directory; by default the newest model in the current directory), prints a
table, or with ``--json`` the result dicts of :mod:`embkit.evaluation`;
``eval phrases`` takes a phrases file instead of VECS.
"""
import click

from embkit.exceptions import show_path

from ._common import CONTEXT, Integer, emit_json, load_vectors, read_options, resolve_vecs

_OOV_LIST_MAX = 20


def _load(vecs, limit, unicode_errors):
    return load_vectors(resolve_vecs(vecs), limit, unicode_errors)


def _emit(result, as_json, print_table):
    """JSON on request, else the human table."""
    if as_json:
        emit_json(result)
    else:
        print_table(result)


def _pct(num, den):
    return "n/a" if not den else f"{100.0 * num / den:.1f}%"


def _acc_cell(correct, answered):
    """``80.0% (4/5)``, or ``n/a (0/0)`` when nothing was answered."""
    return f"{_pct(correct, answered)} ({correct}/{answered})"


def _corr(value):
    return "n/a" if value is None else f"{value:.4f}"


def _print_analogies(r):
    title = f"analogies: {r['dataset']}, method {r['method']}"
    if r["restrict_vocab"] is not None:
        title += f", restrict-vocab {r['restrict_vocab']}"
    if r["case_sensitive"]:
        title += ", case-sensitive"
    click.echo(title)
    rows = [(s["name"], _acc_cell(s["correct"], s["answered"]), s["skipped"])
            for s in r["sections"]]
    rows.append(("total", _acc_cell(r["correct"], r["answered"]), r["skipped"]))
    w_name = max(len(name) for name, _, _ in rows)
    w_acc = max(len(acc) for _, acc, _ in rows)
    click.echo(f"  {'section':<{w_name}}  {'accuracy':<{w_acc}}  skipped (OOV)")
    for name, acc, skipped in rows:
        click.echo(f"  {name:<{w_name}}  {acc:<{w_acc}}  {skipped}")
    click.echo(f"coverage: {_pct(r['answered'], r['total'])} ({r['answered']}/{r['total']}); "
               f"accuracy with OOV counted as wrong: {_pct(r['correct'], r['total'])} "
               f"({r['correct']}/{r['total']})")


def _print_similarity(results, list_oov):
    names = [show_path(r["dataset"]) for r in results]
    w = max([len("dataset")] + [len(n) for n in names])
    click.echo(f"{'dataset':<{w}}  {'spearman':>8}  {'pearson':>8}  {'pairs used':>11}  oov pairs")
    for r in results:
        used = f"{r['pairs_used']}/{r['pairs_total']}"
        oov = f"{len(r['oov'])} ({100.0 * r['oov_share']:.1f}%)"
        line = f"{show_path(r['dataset']):<{w}}  {_corr(r['spearman']):>8}  {_corr(r['pearson']):>8}  " \
               f"{used:>11}  {oov}"
        if r.get("undefined"):
            line += f"  (n/a: {r['undefined']})"
        click.echo(line)
    if list_oov:
        for r in results:
            if not r["oov"]:
                continue
            shown = ", ".join(f"{a}/{b}" for a, b in r["oov"][:_OOV_LIST_MAX])
            more = len(r["oov"]) - _OOV_LIST_MAX
            tail = f", ... and {more} more" if more > 0 else ""
            verb = "scored as 0" if r["oov_mode"] == "zero" else "dropped"
            click.echo(f"OOV pairs ({verb}): {shown}{tail}")
    for r in results:
        if r.get("composed"):
            listed = r["composed"] if list_oov else []
            shown = "".join([": ", ", ".join(f"{a}/{b}" for a, b in listed[:_OOV_LIST_MAX])] if listed else [])
            more = len(listed) - _OOV_LIST_MAX
            click.echo(f"{r['dataset']}: {len(r['composed'])} pair(s) scored with vectors composed from "
                       f"n-grams{shown}{f', ... and {more} more' if more > 0 else ''}")


def _print_all(res):
    for r in res["analogies"]:
        _print_analogies(r)
        click.echo("")
    _print_similarity(res["similarity"], list_oov=False)


vecs_argument = click.argument("vecs", required=False, metavar="[VECS]")
case_option = click.option("--case-sensitive", is_flag=True,
                           help="Match words exactly (default: case-insensitive, the most "
                                "frequent case variant).")
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
method_option = click.option(
    "--method", type=click.Choice(["3cosadd", "3cosmul"], case_sensitive=False),
    default="3cosadd", help="Analogy objective (3CosMul: Levy & Goldberg 2014).")
restrict_option = click.option(
    "--restrict-vocab", type=Integer(min=1), default=None, metavar="N",
    help="Analogies: only the first N words (the most frequent) are candidates and count as in-vocabulary.")
oov_option = click.option("--oov", type=click.Choice(["drop", "zero", "compose"]), default="drop",
                          help="Drop pairs with unknown words, score them as similarity 0, or (subword models) "
                               "compose unknown words from character n-grams.")


@click.group("eval", context_settings=CONTEXT)
def eval_group():
    """Evaluate vectors on analogy and word-similarity benchmarks, or detected terms against a gold list."""


@eval_group.command("analogies", context_settings=CONTEXT)
@vecs_argument
@click.option("--dataset", default="google", metavar="google|msr|PATH",
              help="A bundled analogy set or a questions-words file (': section' headers).")
@method_option
@restrict_option
@case_option
@read_options
@json_option
def analogies_cmd(vecs, dataset, method, restrict_vocab, case_sensitive, limit, unicode_errors, as_json):
    """Accuracy on analogy questions (a:b :: c:?), per section and in total.

    Accuracy is the micro-average over answered questions; questions with an
    out-of-vocabulary word are skipped and reported in the coverage.
    """
    from embkit.evaluation import evaluate_analogies
    kv = _load(vecs, limit, unicode_errors)
    result = evaluate_analogies(kv, dataset, method=method.lower(), restrict_vocab=restrict_vocab,
                                case_sensitive=case_sensitive)
    _emit(result, as_json, _print_analogies)


@eval_group.command("similarity", context_settings=CONTEXT)
@vecs_argument
@click.option("--dataset", default="all", metavar="NAME|PATH|all",
              help="A bundled similarity set, a 'word1 word2 score' file, or all bundled sets.")
@oov_option
@case_option
@read_options
@json_option
def similarity_cmd(vecs, dataset, oov, case_sensitive, limit, unicode_errors, as_json):
    """Spearman and Pearson correlation with human word-pair similarity scores."""
    from embkit.evaluation import evaluate_all, evaluate_similarity
    kv = _load(vecs, limit, unicode_errors)
    if dataset == "all":
        results = evaluate_all(kv, case_sensitive=case_sensitive, oov=oov,
                               analogy_datasets=[])["similarity"]
        _emit(results, as_json, lambda r: _print_similarity(r, list_oov=False))
        return
    result = evaluate_similarity(kv, dataset, case_sensitive=case_sensitive, oov=oov)
    _emit(result, as_json, lambda r: _print_similarity([r], list_oov=True))


@eval_group.command("all", context_settings=CONTEXT)
@vecs_argument
@method_option
@restrict_option
@oov_option
@case_option
@read_options
@json_option
def all_cmd(vecs, method, restrict_vocab, oov, case_sensitive, limit, unicode_errors, as_json):
    """Every bundled analogy and similarity benchmark.

    --restrict-vocab applies to the analogies, as in `eval analogies`; the
    similarity sets use every word.
    """
    from embkit.evaluation import evaluate_all
    kv = _load(vecs, limit, unicode_errors)
    result = evaluate_all(kv, method=method.lower(), restrict_vocab=restrict_vocab, case_sensitive=case_sensitive,
                          oov=oov)
    _emit(result, as_json, _print_all)


def _print_sts(r):
    title = f"sts: {r['dataset']} ({r['pairs']} pairs), weighting {r['weighting']}"
    if r["weighting"] == "sif":
        title += f" (a = {r['sif_a']:g}, frequencies from {r['freq']})"
    click.echo(title)
    for key in ("spearman", "pearson"):
        value = "n/a" if r[key] is None else f"{r[key]:.2f}"
        click.echo(f"  {key} x100: {value}" + (f"  (n/a: {r['undefined']})" if r[key] is None and r["undefined"]
                                               else ""))
    click.echo(f"  known tokens: {_pct(r['tokens_known'], r['tokens'])} ({r['tokens_known']}/{r['tokens']})")
    click.echo(f"  sentences without a known word: {r['empty_sentences']} "
               f"({r['pairs_with_empty']} pair(s) scored 0)")


@eval_group.command("sts", context_settings=CONTEXT)
@vecs_argument
@click.option("--dataset", default="stsb", metavar="stsb|stsb_dev|PATH",
              help="A bundled sentence-pair set (stsb: STS Benchmark test) or a "
                   "'sentence1<TAB>sentence2<TAB>score' file.")
@click.option("--weighting", type=click.Choice(["mean", "sif"]), default="mean",
              help="Average the word vectors, or weight them by a/(a + p(w)) (SIF, Arora et al. 2017).")
@click.option("--freq", default="model", metavar="model|zipf|PATH",
              help="Word frequencies for --weighting sif: the model's counts, Zipf's law from the row order, "
                   "or a 'word<TAB>count' file.")
@read_options
@json_option
def sts_cmd(vecs, dataset, weighting, freq, limit, unicode_errors, as_json):
    """Sentence similarity: Spearman x100 of the cosines of averaged word vectors.

    Sentences are tokenised with the regex tokenizer and lowercased;
    unknown words are skipped, and a sentence without a known word scores
    0 (counted in the report).
    """
    from embkit.evaluation.sts import evaluate_sts
    from embkit.exceptions import EmbkitError
    from embkit.postprocess.frequencies import NoCountsError
    vecs = resolve_vecs(vecs)
    kv = load_vectors(vecs, limit, unicode_errors)
    try:
        result = evaluate_sts(kv, dataset, weighting=weighting, freq=freq)
    except NoCountsError as exc:
        raise EmbkitError(f"{vecs}: {exc}") from None
    _emit(result, as_json, _print_sts)


def _print_phrases(r):
    click.echo(f"phrases: {r['phrases']} ({r['terms']} multi-word terms); gold: {r['gold']} "
               f"({r['gold_size']} multi-word terms)")
    click.echo(f"  {'top K':>7}  {'precision':>9}  hits")
    for p in r["precision"]:
        value = "n/a" if p["precision"] is None else f"{p['precision']:.3f}"
        click.echo(f"  {p['k']:>7}  {value:>9}  {p['hits']}/{p['ranked']}")
    click.echo(f"gold terms found: {r['found']} of {r['gold_size']} ({100.0 * r['found_share']:.1f}%)")


@eval_group.command("phrases", context_settings=CONTEXT)
@click.argument("phrases_file", metavar="PHRASES")
@click.option("--gold", default="wordnet", metavar="wordnet|PATH",
              help="The gold list: WordNet 3.0's multiword lemmas, or a file of one term per line "
                   "(words joined by _ or separated by spaces).")
@click.option("--top", type=Integer(min=1), default=None, metavar="K",
              help="Precision of the K best-scored terms [default: 100, 1000 and 10000].")
@json_option
def phrases_cmd(phrases_file, gold, top, as_json):
    """Precision of detected terms (an `embkit phrases` TSV) against a gold list of terms.

    precision@K is the share of the K best-scored multi-word terms
    (lowercased, words joined with _) that are in the gold list; "found"
    counts the gold terms anywhere in the file.
    """
    from embkit.evaluation.phrases import evaluate_phrases
    result = evaluate_phrases(phrases_file, gold=gold, top=top)
    _emit(result, as_json, _print_phrases)


def register(cli):
    """Add the ``eval`` group to the ``embkit`` command."""
    cli.add_command(eval_group)
