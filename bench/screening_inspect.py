"""Look at what the screener flags and misses, class by class, on both generators (a working tool).

``python -m bench.screening_inspect prepare DIR [N]`` writes each generator's list (ours: ``screening_data``,
gen2: ``screening_gen2``), imports it with ``frontdesk barred import`` into ``DIR/<gen>/data`` and keeps the
labelled visitors in ``DIR/<gen>/visitors.jsonl``; ``python -m bench.screening_inspect show DIR [K]`` screens
every visitor in this process through the desk's :class:`Screener` and prints, per generator, recall and
false flags per class and up to ``K`` flagged clean visitors and missed true matches of each class, with the
entries involved. Importing once and re-screening lets a rule change be judged in a minute.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _import(csv_path: Path, data_dir: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "frontdesk", "--data-dir", str(data_dir), "barred", "import", str(csv_path)]
    subprocess.run([*cmd, "--source", "Registry"], cwd=ROOT, env=env, check=True, capture_output=True)


def prepare_ours(folder: Path, n: int) -> None:
    """Our generator's list and labelled visitors (the benchmark's class sizes)."""
    from bench import screening_data as data

    folder.mkdir(parents=True, exist_ok=True)
    data.write_csv(folder / "list.csv", n)
    rows = []
    for q in data.queries(n, 200, clean_per_class=1000):
        rows.append(
            {
                **q.as_json(),
                "cls": q.cls,
                "clean": q.target is None,
                "entry": None if q.target is None else q.target + 1,
            }
        )
    (folder / "visitors.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    _import(folder / "list.csv", folder / "data")


def prepare_gen2(folder: Path, n: int, seed: int = 19) -> None:
    """The second generator's list and visitors (the gen2 benchmark's defaults)."""
    from bench import screening_gen2 as gen2
    from bench.screening_gen2_bench import query_json, write_csv

    folder.mkdir(parents=True, exist_ok=True)
    made = gen2.generate(n, 4000, 10000, seed)
    write_csv(made["entries"], folder / "list.csv")
    index = {e["id"]: i + 1 for i, e in enumerate(made["entries"])}
    rows = []
    for v in made["visitors"]:
        entry = None if v["clean"] else index[v["truth"]]
        rows.append({**query_json(v), "cls": v["cls"], "clean": v["clean"], "entry": entry})
    (folder / "visitors.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    _import(folder / "list.csv", folder / "data")


def _describe(e) -> str:
    dob = e.dob.day or e.dob.year or "no DOB"
    extra = "/".join(x for x in (e.sex, e.id_state, e.id_last4) if x)
    aliases = f" aka {'; '.join(e.aliases)}" if e.aliases else ""
    return f"#{e.id} {e.first_name} {e.middle_name} {e.last_name} {dob} [{extra}]{aliases}"


def show(folder: Path, k: int = 30, gens: tuple[str, ...] = ("ours", "gen2")) -> None:
    """Screen and print per-class figures and examples."""
    from bench.screening import _query
    from frontdesk.screening.lists import ENTRY_COLUMNS, ENTRY_FROM, entry_from_row
    from frontdesk.screening.screener import Screener
    from frontdesk.store import Store

    # Another point of the trade-off than the defaults: screening.name_only_max_people (SCREEN_K),
    # screening.name_only_listed_max_people (SCREEN_LISTED), screening.max_chance_near_miss (SCREEN_CHANCE).
    chosen = {}
    for env, arg in (
        ("SCREEN_K", "name_only_max_people"),
        ("SCREEN_LISTED", "name_only_listed_max_people"),
        ("SCREEN_CHANCE", "max_chance"),
    ):
        if os.environ.get(env):
            value = float(os.environ[env])
            chosen[arg] = lambda value=value: value
    for gen in gens:
        store = Store.open(folder / gen / "data")
        screener = Screener(store, **chosen)
        per: dict[str, Counter] = defaultdict(Counter)
        times: list[float] = []
        cpu_times: list[float] = []  # this process's CPU time: what the screen costs on a shared machine
        examples: dict[str, list[str]] = defaultdict(list)
        why: dict[bool, Counter] = {True: Counter(), False: Counter()}  # flag reasons: random class or not
        for line in (folder / gen / "visitors.jsonl").read_text().splitlines():
            v = json.loads(line)
            query = _query(v)
            started, cpu = time.perf_counter(), time.process_time()
            result = screener.screen(query)
            times.append((time.perf_counter() - started) * 1000)
            cpu_times.append((time.process_time() - cpu) * 1000)
            flagged = result.decision.value != "clear"
            c = per[v["cls"]]
            c["n"] += 1
            ids = [x.entry.id for x in result.flagged]  # a note does not stop the desk: not found
            got = flagged if v["clean"] else flagged and v["entry"] in ids
            c["got"] += got
            shown = "/".join(v[k] for k in ("sex", "id_state", "id_last4"))
            who = f"{v['first_name']} {v['middle_name']} {v['last_name']} {v['dob']} [{shown}]"
            if v["clean"] and got:
                why[v["cls"] == RANDOM[gen.split("_")[0]]][flag_reason(result.candidates[0])] += 1
            if v["clean"] and got and len(examples[v["cls"]]) < k:
                top = result.candidates[0]
                fits = "; ".join(
                    f"{e.field}: {e.relation}" for e in top.evidence if e.field != "how common the name is"
                )
                common = next((e.words for e in top.evidence if e.field == "how common the name is"), "")
                examples[v["cls"]].append(
                    f"  FLAG {who}\n     -> {_describe(top.entry)} {top.score} | {fits} | {common}"
                )
            elif not v["clean"] and not got and len(examples[v["cls"]]) < k:
                row = store.db.execute(
                    f"SELECT {ENTRY_COLUMNS} {ENTRY_FROM} WHERE e.id = ?", [v["entry"]]
                ).fetchone()
                examples[v["cls"]].append(f"  MISS {who}\n     -> {_describe(entry_from_row(row))}")
        true_n = sum(
            c["n"]
            for cls, c in per.items()
            if not cls.startswith(("clean", "random", "namesake", "near_", "same_"))
        )
        print(f"=== {gen}")
        t = [0, 0]
        f = [0, 0]
        for cls, c in per.items():
            clean = cls in CLEAN[gen.split("_")[0]]
            (f if clean else t)[0] += c["got"]
            (f if clean else t)[1] += c["n"]
            print(f"{'clean' if clean else 'true '} {cls:28} {c['got']:5}/{c['n']:5} {c['got'] / c['n']:.1%}")
        print(
            f"recall {t[0] / t[1]:.2%} ({t[0]}/{t[1]}), clean flagged {f[0] / f[1]:.2%} ({f[0]}/{f[1]}) {true_n}"
        )
        pop = per[RANDOM[gen.split("_")[0]]]
        print(
            f"random clean visitors (drawn from the population): {pop['got'] / max(pop['n'], 1):.2%} "
            f"({pop['got']}/{pop['n']})"
        )
        for random_class, reasons in sorted(why.items(), reverse=True):
            label = "random class" if random_class else "other clean classes"
            shown = ", ".join(f"{r} {n}" for r, n in reasons.most_common())
            print(f"  flagged, {label}, by the top candidate: {shown}")
        for what, values in (("latency", times), ("cpu", cpu_times)):
            values.sort()
            pct = [values[min(len(values) - 1, int(p * len(values)))] for p in (0.5, 0.95, 0.99)]
            print(f"{what} p50/p95/p99 {pct[0]:.2f} / {pct[1]:.2f} / {pct[2]:.2f} ms over {len(values)} screens")
        for cls, lines in examples.items():
            print(f"--- {gen} {cls}")
            print("\n".join(lines))


def flag_reason(top) -> str:
    """Why a clean visitor was flagged, by the top candidate: how the dates fit, and for an entry without
    a date whether the visitor carries the listed name itself (own name or alias) or a variant of it."""
    relation = next(e.relation for e in top.evidence if e.field == "DOB")
    if relation != "unknown":
        return f"date {relation}"
    same = all(
        e.relation in ("exact", "same_written_differently", "particle")
        for e in top.evidence
        if e.field in ("last name", "first name")
    )
    return "no date on the list, the listed name itself" if same else "no date on the list, a name variant"


# The class of each generator whose clean visitors are drawn from the population alone: the issue's
# "random clean visitors". The other clean classes are built as namesakes or near-namesakes of entries,
# far more often than a visitor drawn from the population carries such a name.
RANDOM = {"ours": "clean_random", "gen2": "random"}

CLEAN = {
    "ours": {"clean_random", "clean_common_name"},
    "gen2": {
        "random",
        "namesake_diff_dob",
        "namesake_of_no_dob_entry",
        "near_name_diff_dob",
        "same_surname_same_dob",
        "same_given_same_dob",
        "namesake_diff_sex",
    },
}

if __name__ == "__main__":
    what, where = sys.argv[1], Path(sys.argv[2])
    if what == "prepare":
        n = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
        gens = sys.argv[4].split(",") if len(sys.argv) > 4 else ["ours", "gen2"]
        for gen in gens:
            {"ours": prepare_ours, "gen2": prepare_gen2}[gen](where / gen, n)
    else:
        k = int(sys.argv[3]) if len(sys.argv) > 3 else 30
        gens = tuple(sys.argv[4].split(",")) if len(sys.argv) > 4 else ("ours", "gen2")
        show(where, k, gens)
