"""Section `sgns-sweep`: the default learning rate and noise exponent of embkit's skip-gram.

Trains embkit SGNS (batched update, shared negatives) with the `sgns`
section's settings and corpus, changing only ``--alpha`` and
``--ns-exponent``, and scores every run on all eight bench figures (Google,
MSR, WS353, SimLex-999, MEN, RW, MTurk-771, SimVerb-3500).  The rule that
picks the default: the highest mean of the eight figures (analogy accuracy as
a fraction, similarity as Spearman ρ), among the runs whose words/s is within
the machine's noise of the fastest.  The classic pair-by-pair update keeps
word2vec's 0.025 and is not swept.
"""
from __future__ import annotations

from . import bench_sgns as sg
from .bench_eval import RESTRICT_VOCAB, evaluator_name

NAME = "sgns-sweep"
TITLE = "The batched skip-gram update's default alpha and ns_exponent"

FIGURES = [("google", "accuracy", "Google"), ("msr", "accuracy", "MSR"), ("ws353", "spearman", "WS353"),
           ("simlex999", "spearman", "SimLex"), ("men", "spearman", "MEN"), ("rw", "spearman", "RW"),
           ("mturk771", "spearman", "MTurk-771"), ("simverb3500", "spearman", "SimVerb")]
def _system(alpha: float, ns: float) -> sg.System:
    name = f"a{alpha:g}-ns{ns:g}"
    return sg.System(name, "embkit", "sgns", f"embkit SGNS --alpha {alpha:g} --ns-exponent {ns:g}",
                     options={"args": ["--alpha", f"{alpha:g}", "--ns-exponent", f"{ns:g}"]})


GRID = [(a, 0.75) for a in (0.025, 0.035, 0.05, 0.075)] + [(a, 0.5) for a in (0.025, 0.05)]
SYSTEMS = {s.name: s for s in (_system(a, n) for a, n in GRID)}
DEFAULT_SYSTEMS = list(SYSTEMS)


def mean_score(row: dict) -> float | None:
    vals = [sg._metric(row, ds, key) for ds, key, _ in FIGURES]
    return None if any(v is None for v in vals) else sum(vals) / len(vals)


def run(args, ctx) -> dict:
    s = dict(sg.SETTINGS)
    names = args.systems or DEFAULT_SYSTEMS
    work = ctx["work"] / "sgns-sweep"
    work.mkdir(parents=True, exist_ok=True)
    tok = ctx["tokenised"]
    warm = sg.warm_embkit(tok.path, work, ["sgns"], s)
    rows = []
    for n in names:
        sysm = SYSTEMS.get(n) or _parse(n)
        row = sg.run_system(sysm, tok, work, s, args.wait_quiet, args.retries, args.repeat)
        row["mean_score"] = mean_score(row)
        rows.append(row)
    ok = [r for r in rows if r.get("mean_score") is not None]
    # a run that other processes slowed down is judged on quality alone: its words/s says nothing
    fastest = max((r["words_per_s"] for r in ok if not r.get("disturbed")), default=None)
    eligible = [r for r in ok if r.get("disturbed") or fastest is None or r["words_per_s"] >= 0.85 * fastest]
    best = max(eligible, key=lambda r: r["mean_score"])["name"] if eligible else None
    return {"schema": 1, "section": NAME, "title": TITLE, "settings": s, "embkit_warmup": warm,
            "evaluation": {"evaluator": evaluator_name(), "analogy_restrict_vocab": RESTRICT_VOCAB,
                           "figures": [f[2] for f in FIGURES]},
            "systems": rows, "best": best}


def _parse(name: str) -> sg.System:
    try:
        a, n = name.split("-ns")
        return _system(float(a.lstrip("a")), float(n))
    except ValueError:
        raise SystemExit(f"bench: sweep systems are named aALPHA-nsEXPONENT (e.g. a0.05-ns0.75), "
                         f"got {name!r}") from None


def render(d: dict) -> str:
    L = [f"## Section `sgns-sweep` — {d['title']}", "",
         f"- Command: {d['command']}", f"- Date: {d['date']}",
         f"- Corpus and settings: those of section `sgns` ({d['corpus']['label']}, "
         f"{d['corpus']['n_tokens']:,} tokens; dim={d['settings']['dim']}, window={d['settings']['window']}, "
         f"negative={d['settings']['negative']}, sample={d['settings']['sample']:g}, "
         f"epochs={d['settings']['epochs']}, threads={d['settings']['threads']}); only --alpha and "
         "--ns-exponent change",
         "- Rule: the highest mean of the eight figures (accuracy as a fraction, Spearman ρ) among the runs "
         "whose words/s is at least 85% of the fastest undisturbed run's (a disturbed run is judged on quality "
         "alone); the winner becomes the batched update's default",
         "",
         "| run | words/s | " + " | ".join(f[2] for f in FIGURES) + " | mean |",
         "|---|---:|" + "---:|" * (len(FIGURES) + 1)]
    for r in d["systems"]:
        if r.get("mean_score") is None and "words_per_s" not in r:
            L.append(f"| {r['name']} | {r.get('status')} |" + " |" * (len(FIGURES) + 1))
            continue
        cells = []
        for ds, key, _ in FIGURES:
            v = sg._metric(r, ds, key)
            cells.append("–" if v is None else (f"{100 * v:.1f}" if key == "accuracy" else f"{v:.3f}"))
        mark = " **best**" if r["name"] == d.get("best") else ""
        flag = " ⚠" if r.get("disturbed") else ""
        ms = r.get("mean_score")
        L.append(f"| {r['name']}{mark}{flag} | {r['words_per_s']:,} | " + " | ".join(cells)
                 + f" | {'–' if ms is None else f'{ms:.4f}'} |")
    L += ["", "Analogy columns are accuracy in % (3CosAdd, 30,000 most frequent words); the others Spearman ρ.",
          "⚠: other processes used the CPU during that run; its words/s is not reliable (quality is unaffected).",
          ""]
    return "\n".join(L)


def summary_lines(d: dict) -> list[str]:
    out = [f"{r['name']:<16} mean {r.get('mean_score') or float('nan'):.4f}  {r.get('words_per_s', 0):,} w/s"
           for r in d["systems"]]
    out.append(f"best: {d.get('best')}")
    return out
