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
def _system(alpha: float, ns: float, seed: int | None = None) -> sg.System:
    name = f"a{alpha:g}-ns{ns:g}" + ("" if seed is None else f"-s{seed}")
    args = ["--alpha", f"{alpha:g}", "--ns-exponent", f"{ns:g}"] + ([] if seed is None else ["--seed", str(seed)])
    return sg.System(name, "embkit", "sgns", f"embkit SGNS {' '.join(args)}", options={"args": args})


DEFAULT_SETTING = "a0.05-ns0.75"       # the batched update's current default (embkit/_params.py)
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
    previous = ctx.get("previous") if args.merge else None
    merged = None
    if previous and previous.get("settings") == s:
        rows = [r for r in previous["systems"] if r["name"] not in names] + rows
        before = previous.get("merged")
        merged = {"command": (f"{before['command']}; then " if before else "") + previous["command"],
                  "date": (f"{before['date']} / " if before else "") + previous["date"]}
    ok = [r for r in rows if r.get("mean_score") is not None]
    # a run that other processes slowed down is judged on quality alone: its words/s says nothing
    fastest = max((r["words_per_s"] for r in ok if not r.get("disturbed")), default=None)
    eligible = {setting(r["name"]) for r in ok
                if r.get("disturbed") or fastest is None or r["words_per_s"] >= 0.85 * fastest}
    means = setting_means(ok)
    spread = run_spread(ok)
    best = pick(means, eligible, spread)
    return {"setting_means": means, "run_spread": spread, "default_setting": DEFAULT_SETTING,
            "schema": 1, "section": NAME, "title": TITLE, "settings": s, "embkit_warmup": warm,
            "evaluation": {"evaluator": evaluator_name(), "analogy_restrict_vocab": RESTRICT_VOCAB,
                           "figures": [f[2] for f in FIGURES]},
            "systems": rows, "best": best, **({"merged": merged} if merged else {})}


def _parse(name: str) -> sg.System:
    try:
        a, n = name.split("-ns")
        n, _, seed = n.partition("-s")
        return _system(float(a.lstrip("a")), float(n), int(seed) if seed else None)
    except ValueError:
        raise SystemExit(f"bench: sweep systems are named aALPHA-nsEXPONENT[-sSEED] (e.g. a0.05-ns0.75, "
                         f"a0.05-ns0.5-s2), got {name!r}") from None


def setting(name: str) -> str:
    """The setting a run belongs to: its name without the seed or repeat mark."""
    return name.split(" (")[0].split("-s")[0]


def run_spread(rows: list) -> float | None:
    """Pooled standard deviation of the mean of eight between runs of one setting (None: no repeats)."""
    groups: dict = {}
    for r in rows:
        groups.setdefault(setting(r["name"]), []).append(r["mean_score"])
    ss = dof = 0.0
    for vals in groups.values():
        if len(vals) > 1:
            m = sum(vals) / len(vals)
            ss += sum((v - m) ** 2 for v in vals)
            dof += len(vals) - 1
    return (ss / dof) ** 0.5 if dof else None


def pick(means: list, eligible: set, spread: float | None) -> str | None:
    """The best eligible setting; a setting ahead of the current default by less than ``spread`` is a tie,
    and a tie keeps the default."""
    cands = [m for m in means if m["setting"] in eligible]
    if not cands:
        return None
    best = max(cands, key=lambda m: m["mean_score"])
    current = next((m for m in cands if m["setting"] == DEFAULT_SETTING), None)
    if current and spread is not None and best["mean_score"] - current["mean_score"] < spread:
        return current["setting"]
    return best["setting"]


def setting_means(rows: list) -> list[dict]:
    """Per setting (alpha, ns_exponent): the mean of every figure over its runs (seeds, repeats)."""
    groups: dict = {}
    for r in rows:
        if r.get("mean_score") is not None:
            groups.setdefault(setting(r["name"]), []).append(r)
    out = []
    for name, rs in groups.items():
        figs = {}
        for ds, key, _ in FIGURES:
            vals = [sg._metric(r, ds, key) for r in rs]
            figs[ds] = sum(vals) / len(vals)
        out.append({"setting": name, "runs": len(rs), "figures": figs,
                    "mean_score": sum(r["mean_score"] for r in rs) / len(rs)})
    return out


def render(d: dict) -> str:
    L = [f"## Section `sgns-sweep` — {d['title']}", "",
         *([f"- Earlier runs (kept with `--merge`): {d['merged']['command']}; {d['merged']['date']}"]
           if d.get("merged") else []),
         f"- Command: {d['command']}", f"- Date: {d['date']}",
         f"- Corpus and settings: those of section `sgns` ({d['corpus']['label']}, "
         f"{d['corpus']['n_tokens']:,} tokens; dim={d['settings']['dim']}, window={d['settings']['window']}, "
         f"negative={d['settings']['negative']}, sample={d['settings']['sample']:g}, "
         f"epochs={d['settings']['epochs']}, threads={d['settings']['threads']}); only --alpha and "
         "--ns-exponent change",
         "- Rule: the highest mean of the eight figures (accuracy as a fraction, Spearman ρ), averaged over a "
         "setting's runs (seeds `-sN`, repeats), among the settings with a run whose words/s is at least 85% of "
         "the fastest undisturbed run's (a disturbed run is judged on quality alone); the winner becomes the "
         "batched update's default; a setting ahead of the default by less than the run-to-run standard "
         "deviation (pooled over the settings run more than once) is a tie, and a tie keeps the default",
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
        mark = ""
        flag = " ⚠" if r.get("disturbed") else ""
        ms = r.get("mean_score")
        L.append(f"| {r['name']}{mark}{flag} | {r['words_per_s']:,} | " + " | ".join(cells)
                 + f" | {'–' if ms is None else f'{ms:.4f}'} |")
    means = d.get("setting_means") or []
    if means:
        L += ["", "Per setting, the mean over its runs:", "",
              "| setting | runs | " + " | ".join(f[2] for f in FIGURES) + " | mean |",
              "|---|---:|" + "---:|" * (len(FIGURES) + 1)]
        for m in means:
            cells = [f"{100 * m['figures'][ds]:.1f}" if key == "accuracy" else f"{m['figures'][ds]:.3f}"
                     for ds, key, _ in FIGURES]
            mark = " **best**" if m["setting"] == d.get("best") else ""
            L.append(f"| {m['setting']}{mark} | {m['runs']} | " + " | ".join(cells) + f" | {m['mean_score']:.4f} |")
    if d.get("run_spread") is not None:
        L += ["", f"Run-to-run standard deviation of the mean of eight (pooled): {d['run_spread']:.4f}."]
    L += ["", "Analogy columns are accuracy in % (3CosAdd, 30,000 most frequent words); the others Spearman ρ.",
          "⚠: other processes used the CPU during that run; its words/s is not reliable (quality is unaffected).",
          ""]
    return "\n".join(L)


def summary_lines(d: dict) -> list[str]:
    out = [f"{r['name']:<16} mean {r.get('mean_score') or float('nan'):.4f}  {r.get('words_per_s', 0):,} w/s"
           for r in d["systems"]]
    out.append(f"best: {d.get('best')}")
    return out
