"""``embkit phrases``: detect multi-word terms in a corpus and write them as a TSV file."""
import click

from embkit import _params

from ._common import CONTEXT, option_files, quiet, status, stdout_hint
from .commands_train import _usage_error, table_options


@click.command("phrases", context_settings=CONTEXT)
@click.argument("corpus", nargs=-1, required=True)
@click.option("-o", "--output", required=True,
              help="Phrases TSV to write (term<TAB>count<TAB>score, best first, after # header lines); - for stdout.")
@table_options(_params.PHRASES)
def phrases(corpus, output, **params):
    """Detect multi-word terms in CORPUS (files, directories, globs, or - for stdin).

    Each pass counts word pairs (with connector words such as "of" between
    them; never across punctuation with --tokenizer regex, nor across line
    ends or words seen fewer than --min-count times), keeps those seen at
    least --min-count times that score above --threshold, and joins them for
    the next pass, so that terms grow to --max-len words. Train on the
    result with `embkit train CORPUS --phrases phrases.tsv`, evaluate it with
    `embkit eval phrases phrases.tsv`.
    """
    from embkit._outputs import check_file_output
    from embkit.corpus.phrases import Phrases
    from embkit.corpus.reading import expand_inputs
    from embkit.exceptions import InvalidParameterError

    est = Phrases(progress=not quiet(), **params)
    try:
        est.check_params()
    except InvalidParameterError as exc:
        raise _usage_error(exc) from None
    if not output.strip():
        raise click.BadParameter("give a file name, or - for standard output", param_hint="-o/--output")
    inputs = expand_inputs(list(corpus))
    if output != "-":
        check_file_output(output, inputs + option_files(_params.PHRASES, params),    # --connectors FILE
                          what="a phrases file", stdout_hint=stdout_hint())
    est.fit(inputs)
    if output == "-":
        for line in est.lines():
            click.echo(line, nl=False)
    else:
        est.save(output)
    by_pass = ", ".join(f"{r['terms']} in pass {r['pass']}" for r in est.passes_)
    status(f"wrote {output}: {len(est.phrases_)} terms ({by_pass}) from {est.passes_[0]['tokens']} tokens"
           if est.passes_ else f"wrote {output}: no terms")


def register(cli):
    """Add the ``phrases`` command to the ``embkit`` command."""
    cli.add_command(phrases)
