#!/usr/bin/env python
"""Write throughput with several desks saving calls at once: calls/s, p50/p95/max latency, refusals.

Each writer is its own process with its own Desk (its own engine and
connections), logging calls through `log_call` back to back for --seconds
after a common start. Latency is one `log_call` as the person waits for it,
including the wait for the other writers' turns (SQLite: BEGIN IMMEDIATE and
the busy timeout; PostgreSQL: the advisory write lock). A refusal is a save
that gave up at the busy timeout (nothing written). Asserts nothing.

    .venv/bin/python scripts/bench_writers.py                                   # SQLite, 4 and 12 writers
    scripts/with_pg .venv/bin/python scripts/bench_writers.py --engine both
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from _benchdb import drop, new_database  # noqa: E402

NOW = datetime(2026, 11, 24, 1, 30, tzinfo=timezone.utc)


def prepare(url: str) -> tuple[int, str, str]:
    from deskapp.config import Settings
    from deskapp.services.desk import Desk
    from deskapp.services.staff import add_staff

    desk = Desk.open(Settings(database_url=url))
    boss = add_staff(desk, name="王主管", role="supervisor", pin="1234", actor=None, now=NOW)
    desk.engine.dispose()
    return (boss.id, boss.name, boss.role)


def writer(url: str, actor: tuple, worker: int, seconds: float, barrier, results) -> None:
    try:
        from deskapp.config import Settings
        from deskapp.services.calls import CallDraft, log_call
        from deskapp.services.desk import Desk
        from deskapp.services.faults import fault_key
        from deskapp.services.roles import Actor

        desk = Desk.open(Settings(database_url=url))
        who = Actor(*actor)
        log_call(desk, who, CallDraft(content="预热"), now=NOW)  # connections open before the clock starts
        barrier.wait(timeout=120)
        latencies, refused, i = [], 0, 0
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            draft = CallDraft(category="repair" if i % 3 == 0 else "enquiry", phone=f"1390000{worker:02d}{i % 100:02d}",
                              unit=f"{worker + 1}-1-{100 + i % 50}", content=f"第{worker}台前台第{i}通：楼道灯不亮",
                              reply="已通知工程部")
            t0 = time.perf_counter()
            try:
                log_call(desk, who, draft, now=NOW)
            except Exception as exc:
                if fault_key(exc) != "fault.busy":
                    raise
                refused += 1
            latencies.append(time.perf_counter() - t0)
            i += 1
        desk.engine.dispose()
        results.put(("ok", latencies, refused))
    except BaseException:
        results.put(("error", traceback.format_exc(), 0))


def run(engine: str, writers: int, seconds: float, pg_url: str | None) -> str:
    url = new_database(engine, f"writers{writers}", pg_url=pg_url)
    try:
        actor = prepare(url)
        ctx = multiprocessing.get_context("spawn")
        barrier, results = ctx.Barrier(writers), ctx.Queue()
        procs = [ctx.Process(target=writer, args=(url, actor, w, seconds, barrier, results)) for w in range(writers)]
        for p in procs:
            p.start()
        reports = [results.get(timeout=seconds + 300) for _ in procs]
        for p in procs:
            p.join(timeout=60)
    finally:
        drop(url)
    errors = [r[1] for r in reports if r[0] != "ok"]
    if errors:
        raise SystemExit("\n".join(errors))
    lat = sorted(x for r in reports for x in r[1])
    refused = sum(r[2] for r in reports)
    pct = lambda p: lat[min(len(lat) - 1, round(p / 100 * (len(lat) - 1)))] * 1000  # noqa: E731
    return (f"{engine:<11} {writers:>7} {(len(lat) - refused) / seconds:>8.1f} {pct(50):>8.1f} {pct(95):>8.1f} "
            f"{lat[-1] * 1000:>9.0f} {refused:>8}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="sqlite")
    ap.add_argument("--writers", type=int, nargs="+", default=[4, 12])
    ap.add_argument("--seconds", type=float, default=20.0, help="how long every writer writes")
    ap.add_argument("--pg-url", help="PostgreSQL server (else DESKAPP_TEST_PG_URL)")
    args = ap.parse_args(argv)
    engines = ("sqlite", "postgresql") if args.engine == "both" else (args.engine,)
    print(f"{'engine':<11} {'writers':>7} {'calls/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>9} {'refused':>8}")
    for engine in engines:
        for n in args.writers:
            print(run(engine, n, args.seconds, args.pg_url), flush=True)


if __name__ == "__main__":
    main()
