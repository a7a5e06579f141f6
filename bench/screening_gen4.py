"""Screening on a fourth, independent generator (issue 19): ``python -m bench screening_gen4``.

Issue 19 asks that recall (>= 99% of true matches found) and false flags (<= 0.5% of clean visitors flagged)
be measured "on at least two independent generators, one written from this text alone". This generator was
written from the issue's text alone: its writer did not read the matcher (``frontdesk/screening/``,
``frontdesk/wire/``), the other generators or their figures, and drives FrontDesk only as a black box, through
``frontdesk barred import`` and ``frontdesk screen --batch`` in processes. It was committed ("frozen before
first measurement") before it was first run against FrontDesk, and neither side was tuned on it afterwards.

The list and the visitors are built by ``bench/gen4_people.py`` and ``bench/gen4_visitors.py`` (their
docstrings state the design). Environment: ``GEN4_N`` entries (200,000), ``GEN4_TRUE`` visitors per true class
(200), ``GEN4_CLEAN`` per clean class (2,000), ``GEN4_SEED`` (23), ``GEN4_KEEP=1`` keeps the data folder and
writes every miss and clean flag to ``misses.jsonl`` and ``flags.jsonl`` in it.

- **found**: the screen's decision is not ``clear`` and the visitor's own entry is among the candidates with a
  decision of its own that is not ``clear`` (an entry listed only as a note does not count);
- **flagged**: a clean visitor's decision is not ``clear``; counted for every clean visitor, and again without
  those a careful person could not tell from an entry (``gen4_visitors.indistinguishable``).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bench import settings_from
from bench.__main__ import DOCS, machine
from bench.gen4_people import CLEAN_CLASSES, TRUE_CLASSES, Entry, fold, make_entries
from bench.gen4_visitors import indistinguishable, make_visitors, names_index

TARGET_FOUND, TARGET_FLAGGED = 0.99, 0.005


def _frontdesk() -> str:
    return os.environ.get("GEN4_FRONTDESK") or str(Path(sys.executable).with_name("frontdesk"))


def write_lists(entries: list[Entry], folder: Path) -> tuple[Path, Path]:
    """The district's list in FrontDesk's own columns; the registry extract in its own, upper case, US dates."""
    district, registry = folder / "district.csv", folder / "registry.csv"
    with open(district, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "first_name",
                "middle_name",
                "last_name",
                "dob",
                "aliases",
                "kind",
                "reason",
                "sex",
                "id_state",
                "id_last4",
            ]
        )
        for e in entries:
            if e.source == "district":
                w.writerow(
                    [
                        e.first,
                        e.middle,
                        e.last,
                        e.dob,
                        ";".join(f"{a} {b}" for a, b in e.aliases),
                        e.kind,
                        f"Trespass notice [g4-{e.key:07d}]",
                        e.sex,
                        e.id_state,
                        e.id_last4,
                    ]
                )
    with open(registry, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "OFFENDER_FIRST",
                "OFFENDER_MIDDLE",
                "OFFENDER_LAST",
                "DATE_OF_BIRTH",
                "AKA",
                "SEX",
                "DL_STATE",
                "DL_LAST4",
                "OFFENSE",
            ]
        )
        for e in entries:
            if e.source == "registry":
                dob = f"{e.dob[5:7]}/{e.dob[8:]}/{e.dob[:4]}" if len(e.dob) == 10 else e.dob
                sex = {"M": "male", "F": "female"}.get(e.sex, "")
                aka = ";".join(f"{a} {b}".upper() for a, b in e.aliases)
                w.writerow(
                    [
                        e.first.upper(),
                        e.middle.upper(),
                        e.last.upper(),
                        dob,
                        aka,
                        sex,
                        e.id_state,
                        e.id_last4,
                        f"Registrant [g4-{e.key:07d}]",
                    ]
                )
    return district, registry


REGISTRY_MAP = [
    "first_name=OFFENDER_FIRST",
    "middle_name=OFFENDER_MIDDLE",
    "last_name=OFFENDER_LAST",
    "dob=DATE_OF_BIRTH",
    "aliases=AKA",
    "sex=SEX",
    "id_state=DL_STATE",
    "id_last4=DL_LAST4",
    "reason=OFFENSE",
]


def _run(args: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:6])} … exit {done.returncode}: {done.stderr.strip()[-2000:]}")
    return took, done.stdout + done.stderr


def import_lists(data: Path, district: Path, registry: Path) -> dict:
    """Import both files; what each import took and said."""
    fd = _frontdesk()
    t1, said1 = _run([fd, "--data-dir", str(data), "barred", "import", str(district), "--source", "district"])
    args = [
        fd,
        "--data-dir",
        str(data),
        "barred",
        "import",
        str(registry),
        "--source",
        "state-registry",
        "--kind",
        "registry",
    ]
    for m in REGISTRY_MAP:
        args += ["--map", m]
    t2, said2 = _run(args)
    return {"district_s": t1, "registry_s": t2, "said": [said1.strip(), said2.strip()]}


def entry_ids(data: Path, entries: list[Entry]) -> dict[int, int]:
    """FrontDesk's entry id -> the generator's key, read back from each entry's reason; checks every kind."""
    n = len(entries)
    ids, kinds = {}, Counter()
    for source in ("district", "state-registry"):
        _, out = _run(
            [
                _frontdesk(),
                "--data-dir",
                str(data),
                "barred",
                "list",
                "--source",
                source,
                "--json",
                "--limit",
                str(n + 10),
            ]
        )
        for row in json.loads(out):
            ids[row["id"]] = int(row["reason"].rsplit("[g4-", 1)[1].rstrip("]"))
            kinds[row["kind"]] += 1
    if len(ids) != n:
        raise RuntimeError(f"{len(ids)} entries read back, {n} written")
    if kinds != Counter(e.kind for e in entries):
        raise RuntimeError(f"kinds read back {dict(kinds)}, written {dict(Counter(e.kind for e in entries))}")
    return ids


def screen_batch(data: Path, queries: Path) -> tuple[list[dict], list[float], float]:
    """Run ``screen --batch``; each result and the time it arrived (seconds after the first)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    start = time.perf_counter()
    proc = subprocess.Popen(
        [_frontdesk(), "--data-dir", str(data), "screen", "--batch", str(queries)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    results, stamps = [], []
    for line in proc.stdout:
        stamps.append(time.perf_counter())
        results.append(json.loads(line))
    if proc.wait() != 0:
        raise RuntimeError(f"screen --batch exit {proc.returncode}")
    return results, stamps, time.perf_counter() - start


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def evaluate(entries, visitors, results, ids) -> dict:
    """Found per true class, flagged per clean class (all, and without the indistinguishable ones)."""
    key_of = ids
    by_name = names_index(entries)
    rows: dict[str, Counter] = {c: Counter() for c in TRUE_CLASSES + CLEAN_CLASSES}
    misses, flags = [], []
    for v, r in zip(visitors, results, strict=True):
        c = rows[v.cls]
        c["n"] += 1
        c[r["decision"]] += 1
        if v.entry_key is not None:
            own = [x for x in r["candidates"] if key_of.get(x["entry_id"]) == v.entry_key]
            found = r["decision"] != "clear" and any(x.get("decision") != "clear" for x in own)
            c["found"] += found
            c["noted"] += (not found) and bool(own)
            if not found:
                misses.append(
                    {"visitor": v.query(), "cls": v.cls, "entry": _entry_dict(entries[v.entry_key]), "result": r}
                )
        else:
            why = indistinguishable(v, by_name)
            flagged = r["decision"] != "clear"
            c["flagged"] += flagged
            c["indistinct"] += bool(why)
            c["flagged_distinct"] += flagged and not why
            if flagged:
                flags.append({"visitor": v.query(), "cls": v.cls, "indistinct": sorted(why), "result": r})
    return {"rows": rows, "misses": misses, "flags": flags}


def _entry_dict(e: Entry) -> dict:
    return {
        "first": e.first,
        "middle": e.middle,
        "last": e.last,
        "dob": e.dob,
        "sex": e.sex,
        "aliases": [" ".join(a) for a in e.aliases],
        "id": f"{e.id_state} {e.id_last4}".strip(),
        "source": e.source,
        "kind": e.kind,
    }


def measure(n: int, n_true: int, n_clean: int, seed: int, keep: bool) -> dict:
    """Build, import, screen and count; the figures for the page."""
    t0 = time.perf_counter()
    entries = make_entries(n, seed)
    visitors = make_visitors(entries, n_true, n_clean, seed)
    built = time.perf_counter() - t0
    folder = Path(tempfile.mkdtemp(prefix=f"gen4-{n}-"))
    try:
        district, registry = write_lists(entries, folder)
        queries = folder / "visitors.jsonl"
        queries.write_text("".join(json.dumps(v.query(), ensure_ascii=False) + "\n" for v in visitors))
        data = folder / "data"
        imported = import_lists(data, district, registry)
        ids = entry_ids(data, entries)
        for key, value in settings_from("GEN4_CONFIG"):  # a point of a trade-off table
            _run([_frontdesk(), "--data-dir", str(data), "config", "set", key, value])
        db_bytes = sum(p.stat().st_size for p in data.rglob("*") if p.is_file())
        results, stamps, batch_s = screen_batch(data, queries)
        gaps = [(b - a) * 1000 for a, b in zip(stamps, stamps[1:], strict=False)]
        out = evaluate(entries, visitors, results, ids)
        if keep:
            for name in ("misses", "flags"):
                (folder / f"{name}.jsonl").write_text(
                    "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in out[name])
                )
            print(f"kept {folder}", file=sys.stderr)
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
    out.update(
        n=n,
        built_s=built,
        imported=imported,
        db_bytes=db_bytes,
        batch_s=batch_s,
        screens=len(results),
        p50=_pct(gaps, 50),
        p95=_pct(gaps, 95),
        p99=_pct(gaps, 99),
        entries=entries,
        visitors=visitors,
    )
    return out


def _share(a: int, b: int) -> str:
    return f"{100 * a / b:.1f}%" if b else "–"


def page_section(m: dict, seed: int, stamp: str, load: str) -> str:
    """The dated section of the page for one run."""
    rows, entries = m["rows"], m["entries"]
    dob = Counter("full" if len(e.dob) == 10 else "year" if e.dob else "none" for e in entries)
    n = m["n"]
    lines = [
        f"### Issue 19, session 23: the fourth generator (gen4) at {n:,} entries, measured {stamp}",
        "",
        f"Measured {stamp} on {machine()}. Load average (1 min, shared machine): {load}. Seed {seed}."
        + "".join(f" Setting `{k}` {v}." for k, v in settings_from("GEN4_CONFIG")),
        f"Generator at commit {_commit()} (frozen before its first measurement at 4b5443c; no tuning on either "
        "side since, see the module docstrings).",
        "",
        f"List: {n:,} entries ({sum(e.source == 'district' for e in entries):,} district, "
        f"{sum(e.source == 'registry' for e in entries):,} state registry); full DOB {_share(dob['full'], n)}, "
        f"year only {_share(dob['year'], n)}, none {_share(dob['none'], n)}; sex "
        f"{_share(sum(bool(e.sex) for e in entries), n)}; aliases "
        f"{_share(sum(bool(e.aliases) for e in entries), n)}; "
        f"ID issuer and last 4 {_share(sum(bool(e.id_last4) for e in entries), n)}; accents "
        f"{_share(sum(e.first + e.last != _ascii(e.first + e.last) for e in entries), n)}.",
        f"Import: district {m['imported']['district_s']:.1f} s, registry {m['imported']['registry_s']:.1f} s; "
        f"data folder {m['db_bytes'] / 1e6:.0f} MB. Generation {m['built_s']:.1f} s.",
        f"Screens: {m['screens']:,} in one `screen --batch` ({m['batch_s']:.1f} s with start-up); per screen "
        f"(gaps between results): p50 {m['p50']:.2f} ms, p95 {m['p95']:.2f} ms, p99 {m['p99']:.2f} ms.",
        "",
        "| true class | visitors | found | match | possible | own entry only a note |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    tot_n = tot_f = 0
    for cls in TRUE_CLASSES:
        r = rows[cls]
        tot_n, tot_f = tot_n + r["n"], tot_f + r["found"]
        lines.append(
            f"| {cls} | {r['n']} | {_share(r['found'], r['n'])} | {r['match']} | {r['possible_match']} "
            f"| {r['noted']} |"
        )
    lines.append(f"| **all true** | {tot_n} | **{_share(tot_f, tot_n)}** | | | |")
    lines += [
        "",
        "| clean class | visitors | flagged (all) | indistinguishable | flagged, indistinguishable left out |",
        "|---|---:|---:|---:|---:|",
    ]
    cn = cf = ci = cfd = 0
    for cls in CLEAN_CLASSES:
        r = rows[cls]
        cn, cf, ci, cfd = cn + r["n"], cf + r["flagged"], ci + r["indistinct"], cfd + r["flagged_distinct"]
        lines.append(
            f"| {cls} | {r['n']} | {_share(r['flagged'], r['n'])} ({r['flagged']}) | {r['indistinct']} "
            f"| {_share(r['flagged_distinct'], r['n'] - r['indistinct'])} ({r['flagged_distinct']}) |"
        )
    lines.append(
        f"| **all clean** | {cn} | **{_share(cf, cn)}** ({cf}) | {ci} | **{_share(cfd, cn - ci)}** ({cfd}) |"
    )
    found, flagged, distinct = tot_f / tot_n, cf / cn, cfd / (cn - ci)
    lines += [
        "",
        f"Targets (issue 19): found ≥ 99%: **{'met' if found >= TARGET_FOUND else 'not met'}** "
        f"({100 * found:.1f}%); clean flagged ≤ 0.5%: **{'met' if flagged <= TARGET_FLAGGED else 'not met'}** "
        f"counting every clean visitor ({100 * flagged:.2f}%), "
        f"**{'met' if distinct <= TARGET_FLAGGED else 'not met'}** without the indistinguishable "
        f"({100 * distinct:.2f}%).",
    ]
    return "\n".join(lines) + "\n"


def _commit() -> str:
    """The commit the generator's files are at, with "+ changes" when they differ from it."""
    here = Path(__file__).resolve().parent
    try:
        sha = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        )
        dirty = subprocess.run(["git", "-C", str(here), "status", "--porcelain", "--", "."], capture_output=True)
    except OSError:
        return "unknown"
    return (sha.stdout.strip() or "unknown") + (" + changes" if dirty.stdout.strip() else "")


def _ascii(text: str) -> str:
    return fold(text)


def _older_sections() -> str:
    """Sections of earlier runs on the page, kept as they were (a rerun adds its own, never edits theirs)."""
    page = DOCS / "benchmarks" / "screening_gen4.md"
    if not page.exists():
        return ""
    parts = page.read_text().split("\n### ")[1:]
    return "".join("\n### " + p.rstrip() + "\n" for p in parts)


def run() -> str:
    """Measure once at ``GEN4_N`` entries and return the page: this run's section, then earlier ones."""
    n = int(os.environ.get("GEN4_N", "200000"))
    n_true = int(os.environ.get("GEN4_TRUE", "200"))
    n_clean = int(os.environ.get("GEN4_CLEAN", "2000"))
    seed = int(os.environ.get("GEN4_SEED", "23"))
    load_before = f"{os.getloadavg()[0]:.1f}"
    m = measure(n, n_true, n_clean, seed, os.environ.get("GEN4_KEEP") == "1")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = page_section(m, seed, stamp, f"{load_before} before, {os.getloadavg()[0]:.1f} after")
    intro = (__doc__ or "").split("\n\n")[1].replace("\n", " ")
    return f"{intro}\n\n{section}{_older_sections()}"
