"""Screening at registry scale: recall, false positives, speed and memory, against brute-force scans.

``python -m bench screening`` (1,000,000 entries; ``SCREENING_BENCH_N`` and ``SCREENING_BENCH_PER_CLASS``
change the size). Steps, each in its own process so memory is measured as the app would see it:

1. write the synthetic list (``bench/screening_data.py``) as a CSV file;
2. ``frontdesk barred import`` it (time and peak memory);
3. screen every query through the blocking index (per-query latency, peak memory);
4. brute force A: the same scorer over every entry whose date of birth does not rule it out (the date
   filter is exactly the scorer's first rule, so this is every entry the scorer could flag): shows the
   index loses nothing;
5. brute force B: a plain rapidfuzz scan of every entry's name (token-sort ratio ≥ 85, date not ruled
   out), the way simple products match: for the speed ratio and for its recall / false positives.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from bench import screening_data as data

ROOT = Path(__file__).resolve().parent.parent
TRADE_OFF = (0.0, 0.02, 0.05, 0.1, 0.3, 1e9)  # values of screening.max_chance_near_miss (default 0.05)
TARGETS = {"recall": 0.99, "fp": 0.005, "p95_ms": 5.0, "import_s": 60.0, "rss_mb": 300.0}


def _python(*args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env_extra or {})}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True)


def _query(q: dict):
    from frontdesk.screening.dates import parse_dob
    from frontdesk.screening.models import Query

    extra = {k: q.get(k) or "" for k in ("sex", "id_state", "id_last4")}
    return Query(q["first_name"], q["last_name"], q.get("middle_name") or "", parse_dob(q.get("dob")), **extra)


def worker_screen(data_dir: str, queries_path: str, out_path: str) -> None:
    """Screen every query (one JSON per line) through the index; write results, latencies and peak RSS."""
    from frontdesk.screening.screener import Screener
    from frontdesk.store import Store

    screener = Screener(Store.open(Path(data_dir)))
    lines = Path(queries_path).read_text().splitlines()
    out = []
    for line in lines:
        q = json.loads(line)
        query = _query(q)
        started = time.perf_counter()
        result = screener.screen(query)
        elapsed = time.perf_counter() - started
        out.append(
            {
                "ms": elapsed * 1000,
                "decision": result.decision.value,
                "ids": [c.entry.id for c in result.flagged],
                "candidates_fetched": len(screener.candidate_ids(query)),
            }
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The trade-off of the near-miss rule: the same queries at other settings (not timed).
    curve = {}
    for chance in TRADE_OFF:
        other = Screener(Store.open(Path(data_dir)), max_chance=lambda c=chance: c)
        curve[str(chance)] = [other.screen(_query(q)).decision.value != "clear" for q in map(json.loads, lines)]
    Path(out_path).write_text(json.dumps({"results": out, "rss_mb": rss, "curve": curve}))


def worker_brute(data_dir: str, queries_path: str, out_path: str) -> None:
    """Brute force A (same scorer, every entry the date does not rule out) and B (plain rapidfuzz)."""
    from rapidfuzz import fuzz, process

    from frontdesk.screening import dates
    from frontdesk.screening.lists import ENTRY_COLUMNS, ENTRY_FROM, entry_from_row
    from frontdesk.screening.screener import Screener
    from frontdesk.store import Store

    store = Store.open(Path(data_dir))
    screener = Screener(store)
    db = store.db
    rows = db.execute(f"SELECT {ENTRY_COLUMNS} {ENTRY_FROM}").fetchall()
    dobs = [r[7] for r in rows]
    names = [f"{r[3]} {r[5]}" for r in rows]
    out = []
    for line in Path(queries_path).read_text().splitlines():
        q = json.loads(line)
        query = _query(q)
        started = time.perf_counter()
        if query.dob.day is not None:
            ok = {d.isoformat() for d in dates.neighbours(query.dob.day)} | {str(query.dob.year), None}
            survivors = [i for i, d in enumerate(dobs) if d in ok]
        else:
            survivors = range(len(rows))
        flagged = [
            c.entry.id
            for c in screener.decide(
                query, (entry_from_row(rows[i]) for i in survivors), screener.namesakes(query)
            ).flagged
        ]
        a_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        hits = process.extract(
            f"{query.first_name} {query.last_name}",
            names,
            scorer=fuzz.token_sort_ratio,
            score_cutoff=85,
            limit=None,
        )
        ok_dob = {d.isoformat() for d in dates.neighbours(query.dob.day)} if query.dob.day else None
        b_ids = [
            rows[i][0]
            for _, _, i in hits
            if ok_dob is None or dobs[i] is None or dobs[i] in ok_dob or dobs[i] == str(query.dob.year)
        ]
        b_ms = (time.perf_counter() - started) * 1000
        out.append({"a_ids": flagged, "a_ms": a_ms, "b_ids": b_ids, "b_ms": b_ms})
    Path(out_path).write_text(json.dumps(out))


def indistinguishable(csv_path: Path, queries: list[data.LabelledQuery]) -> set[int]:
    """Indices of the clean ``queries`` that no one could tell apart from some list entry on the data
    alone: an entry (own name or alias) with the same written name (apart from case, accents,
    punctuation and particles), a middle name that does not contradict, and a date of birth that the issue's own
    variants allow (the same, day and month swapped, one digit off, transposed, the same year on a
    year-only list, or none at all). Flagging them is right; they are counted apart."""
    import csv

    from frontdesk.screening import dates
    from frontdesk.wire.names import alias_parts, first_word, fold, surname_forms

    def key(first: str, last: str) -> tuple[str, str]:
        return first_word(first), surname_forms(last)[1]  # the surname without particles

    wanted = {key(q.first_name, q.last_name): [] for q in queries if q.target is None}
    with csv_path.open(encoding="utf-8", newline="") as handle:
        for first, middle, last, dob, aliases, *_ in csv.reader(handle):
            names = [(first, middle, last)]
            if aliases:
                names += [alias_parts(a) for a in aliases.split(";")]
            for given, middle_name, surname in names:
                found = wanted.get(key(given, surname))
                if found is not None:
                    found.append((fold(middle_name), dob))
    out = set()
    for i, q in enumerate(queries):
        if q.target is not None:
            continue
        visitor, middle = dates.parse_dob(q.dob), fold(q.middle_name)
        for entry_middle, dob in wanted[key(q.first_name, q.last_name)]:
            if middle and entry_middle and middle[0] != entry_middle[0]:
                continue
            if dates.compare(visitor, dates.parse_dob(dob))[0] != "conflict":
                out.add(i)
                break
    return out


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else 0.0


def run(count: int | None = None, per_class: int | None = None, brute_every: int | None = None) -> str:
    """Run the whole benchmark and return its Markdown section."""
    count = count or int(os.environ.get("SCREENING_BENCH_N", "1000000"))
    per_class = per_class or int(os.environ.get("SCREENING_BENCH_PER_CLASS", "200"))
    brute_every = brute_every or int(os.environ.get("SCREENING_BENCH_BRUTE_EVERY", "10"))
    work = Path(tempfile.mkdtemp(prefix="frontdesk-bench-screening-"))
    csv_path, data_dir = work / "list.csv", work / "data"
    started = time.perf_counter()
    data.write_csv(csv_path, count)
    gen_s = time.perf_counter() - started
    labelled = list(data.queries(count, per_class, clean_per_class=per_class * 5))
    qpath = work / "queries.jsonl"
    qpath.write_text("".join(json.dumps(q.as_json()) + "\n" for q in labelled))

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    _python(
        "-m", "frontdesk", "--data-dir", str(data_dir), "barred", "import", str(csv_path), "--source", "Registry"
    )
    import_s = time.perf_counter() - started
    import_rss = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    db_mb = (data_dir / "frontdesk.db").stat().st_size / 1e6

    fast_path = work / "fast.json"
    _python(
        "-c",
        f"from bench.screening import worker_screen as w; w({str(data_dir)!r}, {str(qpath)!r}, "
        f"{str(fast_path)!r})",
    )
    fast = json.loads(fast_path.read_text())
    results = fast["results"]

    sample = list(range(0, len(labelled), brute_every))
    spath = work / "sample.jsonl"
    spath.write_text("".join(json.dumps(labelled[i].as_json()) + "\n" for i in sample))
    brute_path = work / "brute.json"
    _python(
        "-c",
        f"from bench.screening import worker_brute as w; w({str(data_dir)!r}, {str(spath)!r}, "
        f"{str(brute_path)!r})",
    )
    brute = json.loads(brute_path.read_text())

    # --- figures -----------------------------------------------------------------------------------
    per_cls: dict[str, Counter] = defaultdict(Counter)
    misses: list[str] = []
    for q, r in zip(labelled, results, strict=True):
        c = per_cls[q.cls]
        c["n"] += 1
        if q.target is not None:
            hit = (q.target + 1) in r["ids"]
            c["hit"] += hit
            if not hit and len(misses) < 12:
                misses.append(
                    f"{q.cls}: {q.first_name} {q.middle_name} {q.last_name} {q.dob} (entry {q.target + 1})"
                )
        else:
            c["flagged"] += r["decision"] != "clear"
    true_n = sum(per_cls[c]["n"] for c in data.TRUE_CLASSES)
    true_hit = sum(per_cls[c]["hit"] for c in data.TRUE_CLASSES)
    clean_n = sum(per_cls[c]["n"] for c in data.CLEAN_CLASSES)
    clean_flag = sum(per_cls[c]["flagged"] for c in data.CLEAN_CLASSES)
    recall, fp = true_hit / true_n, clean_flag / clean_n
    by_dob: dict[str, Counter] = defaultdict(Counter)  # recall by what the list gives for the date
    for q, r in zip(labelled, results, strict=True):
        if q.target is not None:
            dob = data.entry(q.target).dob
            kind = "a full date" if len(dob) == 10 else "a year only" if dob else "no date"
            by_dob[kind]["n"] += 1
            by_dob[kind]["hit"] += (q.target + 1) in r["ids"]
    twins = indistinguishable(csv_path, labelled)
    told_apart = [i for i, q in enumerate(labelled) if q.target is None and i not in twins]
    apart_flag = sum(results[i]["decision"] != "clear" for i in told_apart)
    fp_apart = apart_flag / max(len(told_apart), 1)
    lat = [r["ms"] for r in results]
    p50, p95, p99 = _pct(lat, 0.5), _pct(lat, 0.95), _pct(lat, 0.99)
    fetched = [r["candidates_fetched"] for r in results]

    lost = 0
    extra = 0
    lost_examples: list[str] = []
    b_hit = b_true = b_fp = b_clean = 0
    for i, b in zip(sample, brute, strict=True):
        fast_ids = set(results[i]["ids"])
        lost += len(set(b["a_ids"]) - fast_ids)
        for entry_id in sorted(set(b["a_ids"]) - fast_ids)[:1]:
            if len(lost_examples) < 8:
                q = labelled[i]
                lost_examples.append(f"{q.cls}: {q.first_name} {q.last_name} {q.dob} -> entry {entry_id}")
        extra += len(fast_ids - set(b["a_ids"]))
        q = labelled[i]
        if q.target is not None:
            b_true += 1
            b_hit += (q.target + 1) in b["b_ids"]
        else:
            b_clean += 1
            b_fp += bool(b["b_ids"])
    a_ms = statistics.mean(b["a_ms"] for b in brute)
    b_ms = statistics.mean(b["b_ms"] for b in brute)
    fast_mean = statistics.mean(lat)

    def ok(value: float, target: float, higher: bool = False) -> str:
        return "meets" if (value >= target if higher else value <= target) else "**misses**"

    lines = [
        f"{count:,} synthetic entries (90% full DOB, 7% year only, 3% unknown; 5% compound surnames, "
        f"aliases on ~25%; sex on 85% of rows, the person's ID issuer and last 4 on 30%); {true_n} true-match "
        f"queries in {len(data.TRUE_CLASSES)} variant classes and {clean_n} clean visitors, every visitor with "
        f"the sex and ID issuer / last 4 their ID gives (a listed person shows the ID the list records 4 times "
        f"in 5). List generated in {gen_s:.0f} s; load average at the start {_load()}.",
        "",
        "| figure | value | target | |",
        "|---|---|---|---|",
        f"| true matches flagged (recall) | {recall:.2%} ({true_hit}/{true_n}) | ≥ 99% "
        f"| {ok(recall, 0.99, True)} |",
        f"| clean visitors flagged, all | {fp:.2%} ({clean_flag}/{clean_n}) | ≤ 0.5% | {ok(fp, 0.005)} |",
        f"| … of those a person could tell apart from every entry ({len(twins)} left out, see below) "
        f"| {fp_apart:.2%} ({apart_flag}/{len(told_apart)}) | ≤ 0.5% | {ok(fp_apart, 0.005)} |",
        f"| screen latency p50 / p95 / p99 | {p50:.2f} / {p95:.2f} / {p99:.2f} ms | p95 ≤ 5 ms | {ok(p95, 5.0)} |",
        f"| import ({count:,} rows, CLI) | {import_s:.1f} s | ≤ 60 s | {ok(import_s, 60.0)} |",
        f"| peak memory, screening process | {fast['rss_mb']:.0f} MB | ≤ 300 MB | {ok(fast['rss_mb'], 300.0)} |",
        f"| peak memory, import process | {import_rss:.0f} MB | ≤ 300 MB | {ok(import_rss, 300.0)} |",
        f"| database file | {db_mb:.0f} MB | | |",
        f"| entries fetched per screen (mean / max) | {statistics.mean(fetched):.1f} / {max(fetched)} | | |",
        "",
        "True matches flagged, by what the list gives for the date of birth: "
        + "; ".join(
            f"{kind}: {c['hit'] / c['n']:.2%} ({c['hit']}/{c['n']})"
            for kind, c in sorted(by_dob.items(), key=lambda item: -item[1]["n"])
        )
        + ".",
        "",
        "Per class (fast path):",
        "",
        "| class | queries | flagged |",
        "|---|---|---|",
    ]
    for cls in (*data.TRUE_CLASSES, *data.CLEAN_CLASSES):
        c = per_cls[cls]
        got = c["hit"] if cls in data.TRUE_CLASSES else c["flagged"]
        lines.append(f"| {cls} | {c['n']} | {got} ({got / max(c['n'], 1):.1%}) |")
    lines += [
        "",
        "The near-miss rule trades recall for false alarms on common names (setting "
        "`screening.max_chance_near_miss`, default 0.05; 0 = never flag a near-miss date, 1e9 = always):",
        "",
        "| setting | true-match visitors flagged | clean visitors flagged |",
        "|---|---|---|",
    ]
    floor, reachable = 0.0, False
    for chance, flags in fast.get("curve", {}).items():
        t_hit = sum(f for q, f in zip(labelled, flags, strict=True) if q.target is not None)
        c_hit = sum(f for q, f in zip(labelled, flags, strict=True) if q.target is None)
        lines.append(f"| {float(chance):g} | {t_hit / true_n:.2%} | {c_hit / clean_n:.2%} |")
        if float(chance) == 0.0:
            floor = c_hit / clean_n
        reachable |= t_hit / true_n >= TARGETS["recall"] and c_hit / clean_n <= TARGETS["fp"]
    lines += [
        "",
        f"Brute force on every {brute_every}th query ({len(sample)} queries) over all {count:,} entries:",
        "",
        "| path | mean time per query | speed vs fast path | result |",
        "|---|---|---|---|",
        f"| fast path (blocking index) | {fast_mean:.2f} ms | 1× | — |",
        f"| A: same scorer, every entry the DOB does not rule out | {a_ms:.0f} ms "
        f"| {a_ms / fast_mean:.0f}× slower | "
        f"flags {lost} entry(ies) the fast path missed; the fast path flags {extra} it did not |",
        f"| B: rapidfuzz token-sort ≥ 85 over every name, DOB not ruled out | {b_ms:.0f} ms | "
        f"{b_ms / fast_mean:.0f}× slower | recall {b_hit / max(b_true, 1):.1%}, clean flagged "
        f"{b_fp / max(b_clean, 1):.1%} |",
    ]
    lines += [
        "",
        f"Left out of the second clean-visitor figure: {len(twins)} clean visitors carrying the written name "
        "of a list entry (as own name or alias) whose date of birth the issue's own variants allow: the "
        "same, day and month swapped, one digit off, transposed, the same year on a year-only list, or none "
        "at all. Nothing in the data tells such a stranger from the listed person; they are flagged by "
        "design, for a person to decide.",
        "",
        "Why clean visitors are flagged: most share the exact name of list entries and, by chance, a date of "
        "birth one digit from one of theirs, or the birth year of a year-only entry. That is exactly what a "
        "true match with a mistyped date or a year-only list looks like, and a million-entry list with US-like "
        "name frequencies holds dozens of entries for a common name. The near-miss rule weighs the date "
        "against how many entries carry the visitor's written name (and middle name, when both give one): "
        "the table above is the trade-off it offers. Even with near-miss dates never flagged (setting 0), "
        f"{floor:.2%} of clean visitors are flagged: strangers with the same birthday and a related name "
        "(one letter off, sounding alike, an alias), and exact namesakes of entries without a date. "
        + (
            "Some setting in the table reaches both targets on this list."
            if reachable
            else "On this list no setting in the table reaches both targets."
        ),
        "",
    ]
    if lost_examples:
        lines += ["", "Entries brute force A flagged and the fast path did not:", ""]
        lines += [f"- {m}" for m in lost_examples]
    if misses:
        lines += ["", "Missed true matches (first few):", ""] + [f"- {m}" for m in misses]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
