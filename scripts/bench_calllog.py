#!/usr/bin/env python
"""Call-log read paths at 1,000 and 1,000,000 calls: prints figures, asserts nothing.

Builds two demo databases with `fill_demo` (or reuses them from `--keep DIR`),
then times, per size: count_calls, the first page, 50 keyset pages, the jump to
the oldest page (fetch_window), and searches (30 queries each, p50/p95 of the
first page and of the count as the list takes it, capped at 10,001): 1, 2 and
3-4 Chinese characters, two words in either order, 1-2 characters that are in
no call (rare characters, and common ones never side by side), digits before
Chinese (3栋), phone numbers (whole, last 4 digits, 7-digit prefix, typed in
groups) and unit codes. Ends with EXPLAIN QUERY PLAN of the keyset page and of
searches.

    .venv/bin/python scripts/bench_calllog.py                 # temp dir, 1k + 1M
    .venv/bin/python scripts/bench_calllog.py --keep /tmp/bench --big 200000
    scripts/with_pg .venv/bin/python scripts/bench_calllog.py --engine postgresql   # the same on PostgreSQL

--engine postgresql makes its databases on the server named by --pg-url or
DESKAPP_TEST_PG_URL (scripts/with_pg starts a throwaway one); with --keep they
are kept there as bench_calls_<n> and reused.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from _benchdb import drop, existing_database, new_database  # noqa: E402

from sqlalchemy import event  # noqa: E402

from deskapp.config import Settings  # noqa: E402
from deskapp.services.call_queries import (  # noqa: E402
    CallFilter,
    count_calls,
    count_for_list,
    fetch_calls,
    fetch_window,
)
from deskapp.demo import fill_demo  # noqa: E402
from deskapp.services.desk import Desk  # noqa: E402

# Fixed, so a kept database and a fresh one hold the same records.
NOW = datetime(2026, 3, 15, 10, 30, tzinfo=timezone.utc)
PAGES = 50
QUERIES = 30
_HAN = re.compile(r"[\u4e00-\u9fff]+")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f}"


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def db_mb(where) -> float:
    """Database file plus its WAL, in MB (a Desk: its file, or its database's size on the server)."""
    if isinstance(where, Desk):
        if where.engine.dialect.name == "postgresql":
            with where.engine.connect() as conn:
                return conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar() / 1e6
        where = Path(where.engine.url.database)
    path = where
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists()) / 1e6


def timed(fn, *args, **kw):
    t0 = time.perf_counter()
    result = fn(*args, **kw)
    return time.perf_counter() - t0, result


def build(url: str, calls: int) -> tuple[Desk, float | None]:
    desk = Desk.open(Settings(database_url=url))
    if count_calls(desk) > 0:
        return desk, None
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if total >= 100_000 and time.perf_counter() - last[0] > 15:
            last[0] = time.perf_counter()
            print(f"    … {done:,}/{total:,}", flush=True)

    t0 = time.perf_counter()
    summary = fill_demo(desk, calls=calls, now=NOW, progress=progress)
    seconds = time.perf_counter() - t0
    print(f"  built {desk.engine.url.database}: {summary.calls:,} calls, {summary.residents:,} residents in {seconds:.1f} s "
          f"({'benchmark path, search indexes built once' if summary.bulk else 'through log_calls'}), "
          f"{db_mb(desk):,.1f} MB",
          flush=True)
    return desk, seconds


class SqlCapture:
    """Remembers the last SELECT of whole call rows (or of a count) with its parameters, for EXPLAIN."""

    def __init__(self, desk: Desk):
        self.statement: str | None = None
        self.params = None
        event.listen(desk.engine, "before_cursor_execute", self._grab)

    def _grab(self, conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and ("call.number" in statement or "count(" in statement):
            self.statement, self.params = statement, parameters


def explain(desk: Desk, statement: str, params) -> list[str]:
    raw = desk.engine.raw_connection()
    try:
        if desk.engine.dialect.name == "postgresql":
            cur = raw.cursor()
            cur.execute("EXPLAIN " + statement, params)
            return [f"    {r[0]}" for r in cur.fetchall()]
        rows = raw.cursor().execute("EXPLAIN QUERY PLAN " + statement, params).fetchall()
    finally:
        raw.close()
    return [f"    {'  ' * (0 if r[1] == 0 else 1)}{r[3]}" for r in rows]


def samples(desk: Desk, rng: random.Random) -> dict[str, list[str]]:
    """Search terms taken from the data itself (so most of them hit), and some that hit nothing."""
    raw = desk.engine.raw_connection()
    try:
        cur = raw.cursor()
        max_id = cur.execute("SELECT max(id) FROM call").fetchone()[0]
        rows = []
        while len(rows) < QUERIES * 3:
            mark = "%s" if desk.engine.dialect.name == "postgresql" else "?"
            got = cur.execute(f"SELECT phone, unit_code, content, reply FROM call WHERE id = {mark}",
                              (rng.randint(1, max_id),)).fetchone()
            if got and got[0] and got[1]:
                rows.append(got)
    finally:
        raw.close()
    rows = rows[:QUERIES]

    def runs(text: str | None, n: int) -> list[str]:
        return [r for r in _HAN.findall(text or "") if len(r) >= n]

    def piece(text: str, n: int) -> str:
        run = rng.choice(runs(text, n))
        i = rng.randrange(len(run) - n + 1)
        return run[i:i + n]

    han1 = [piece(r[2], 1) for r in rows]
    han2 = [piece(r[2], 2) for r in rows]
    han3 = [piece(r[2], rng.choice((3, 4))) for r in rows]
    two = []  # a word of the content and one of the reply (or of the content again), in either order
    for r in rows:
        words = [piece(r[2], 2), piece(r[3] if runs(r[3], 2) else r[2], 2)]
        rng.shuffle(words)
        two.append(" ".join(words))
    # In no call: rare characters, and common characters never side by side (the index's worst case:
    # both lists are long and no position lines up).
    common = sorted({c for r in rows for c in "".join(_HAN.findall(r[2]))})
    rare = [c for c in "鑫龘犇骉淼焱垚赑鱻羴麤靐飝舙馫厵灥" if count_calls(desk, CallFilter(search=c)) == 0]
    apart = []
    while len(apart) < QUERIES - len(rare[:QUERIES // 2]):
        q = rng.choice(common) + rng.choice(common)
        if q not in apart and count_calls(desk, CallFilter(search=q), cap=0) == 0:
            apart.append(q)
    return {
        "Chinese, 1 char": han1,
        "Chinese, 2 chars": han2,
        "Chinese, 3-4 chars": han3,
        "two words, any order": two,
        "1-2 chars, no hit": rare[:QUERIES // 2] + apart,
        "digits + Chinese (3栋)": [r[1].split("单元")[0].split("栋")[0] + "栋" for r in rows],
        "phone, full": [r[0] for r in rows],
        "phone, last 4": [r[0][-4:] for r in rows],
        "phone, 7-digit prefix": [r[0][:7] for r in rows],
        "phone typed in groups": [f"{r[0][:3]} {r[0][3:7]} {r[0][7:]}" for r in rows],
        "unit code": [r[1] for r in rows],
    }


def bench(desk: Desk, label: str, rng: random.Random) -> dict[str, float]:
    out: dict[str, float] = {}
    print(f"\n== {label} ==")
    count_calls(desk)  # warm the page cache once
    t_count = [timed(count_calls, desk)[0] for _ in range(5)]
    total = count_calls(desk)
    out["count"] = statistics.median(t_count)
    print(f"  count_calls (all)            {ms(out['count'])} ms   ({total:,} rows, median of 5)")

    t_first = []
    for _ in range(10):
        t, first = timed(fetch_calls, desk, limit=100)
        t_first.append(t)
    out["first"] = statistics.median(t_first)
    print(f"  first page (100 rows)        {ms(out['first'])} ms   (median of 10)")

    t_pages, page = [], first
    for _ in range(PAGES):
        if not page:
            break
        t, page = timed(fetch_calls, desk, after=page[-1].key, limit=100)
        t_pages.append(t)
    out["page_p50"], out["page_p95"] = pct(t_pages, 50), pct(t_pages, 95)
    print(f"  keyset page, {len(t_pages)} pages down   p50 {ms(out['page_p50'])} ms  p95 {ms(out['page_p95'])} ms")

    t_end = [timed(fetch_window, desk, CallFilter(), max(0, total - 100), total)[0] for _ in range(5)]
    out["end"] = statistics.median(t_end)
    t_mid = [timed(fetch_window, desk, CallFilter(), total // 2, total)[0] for _ in range(3)]
    print(f"  fetch_window to the oldest   {ms(out['end'])} ms   (middle of the list: {ms(statistics.median(t_mid))} ms)")

    print(f"  {'search (30 queries each)':<26} {'page p50':>10} {'page p95':>10} {'count p50':>10} {'count p95':>10}"
          f" {'hits med':>9}")
    for kind, terms in samples(desk, rng).items():
        t_page, t_cnt, hits = [], [], []
        for q in terms:
            f = CallFilter(search=q)
            t, _rows = timed(fetch_calls, desk, f, limit=100)
            t_page.append(t)
            t, n = timed(count_for_list, desk, f)  # as the list counts: capped at 10,001
            t_cnt.append(t)
            hits.append(n)
        out[f"search:{kind}:p50"] = pct(t_page, 50)
        out[f"search:{kind}:p95"] = pct(t_page, 95)
        out[f"search:{kind}:count_p50"] = pct(t_cnt, 50)
        med = int(statistics.median(hits))
        print(f"  {kind:<26} {ms(pct(t_page, 50)):>10} {ms(pct(t_page, 95)):>10} {ms(pct(t_cnt, 50)):>10}"
              f" {ms(pct(t_cnt, 95)):>10} {'10,000+' if med > 10_000 else f'{med:,}':>9}")
    return out


def plans(desk: Desk) -> None:
    cap = SqlCapture(desk)
    first = fetch_calls(desk, limit=100)
    fetch_calls(desk, after=first[-1].key, limit=100)
    print("\n  EXPLAIN (QUERY PLAN), keyset page:")
    print("\n".join(explain(desk, cap.statement, cap.params)))
    for q in ("卫生间天花板", "漏水", "水管 漏水", "3栋"):
        fetch_calls(desk, CallFilter(search=q), limit=100)
        print(f"\n  EXPLAIN QUERY PLAN, search page {q!r}:")
        print("\n".join(explain(desk, cap.statement, cap.params)))
    count_for_list(desk, CallFilter(search="3栋"))
    print("\n  EXPLAIN QUERY PLAN, search count '3栋' (capped):")
    print("\n".join(explain(desk, cap.statement, cap.params)))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", type=Path, help="directory for the databases (reused when present)")
    ap.add_argument("--big", type=int, default=1_000_000, help="calls in the big database")
    ap.add_argument("--small", type=int, default=1_000, help="calls in the small database")
    ap.add_argument("--seed", type=int, default=11, help="seed of the query sample")
    ap.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("--pg-url", help="PostgreSQL server for --engine postgresql (else DESKAPP_TEST_PG_URL)")
    args = ap.parse_args(argv)

    tmp = None
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        where = args.keep
    else:
        tmp = tempfile.TemporaryDirectory(prefix="bench_calllog-")
        where = Path(tmp.name)
    print(f"databases in {where}" if args.engine == "sqlite" else f"databases on {args.pg_url or 'DESKAPP_TEST_PG_URL'}")
    sizes = (args.small, args.big)
    desks, results = {}, {}
    for n in sizes:
        if args.engine == "sqlite":
            url = f"sqlite:///{where / f'calls-{n}.sqlite'}"
        elif args.keep:
            url, _there = existing_database("postgresql", f"calls_{n}", pg_url=args.pg_url, folder=where)
        else:
            url = new_database("postgresql", f"calls_{n}", pg_url=args.pg_url)
        desks[n], seconds = build(url, n)
        if seconds is None:
            print(f"  reused {desks[n].engine.url.database} ({db_mb(desks[n]):,.1f} MB)")
    for n in sizes:
        results[n] = bench(desks[n], f"{n:,} calls", random.Random(args.seed))
    small, big = results[args.small], results[args.big]
    print(f"\n== ratio {args.big:,} / {args.small:,} ==")
    for key, name in (("first", "first page"), ("page_p50", "keyset page p50"), ("page_p95", "keyset page p95"),
                      ("count", "count_calls"), ("end", "jump to the oldest")):
        print(f"  {name:<22} {big[key] / small[key]:6.1f}x")
    plans(desks[args.big])
    for d in desks.values():
        d.engine.dispose()
        if args.engine == "postgresql" and not args.keep:
            drop(d.engine.url.render_as_string(hide_password=False))
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
