#!/usr/bin/env python
"""Live refresh between two desks: how long until a call saved at one desk shows on another's screen.

One process runs the app headless (Textual's test driver: the real workers and
the real change signal, read once a tick on its own thread) signed in on the
call log; a second process logs calls through the services at random moments
and reports when each save returned. The time from that moment to the call
log's count showing the call is printed (p50, p95, max) per engine. The desk
promises 2 s (docs/rules.md "Many desks on one database").

    .venv/bin/python scripts/bench_live.py                               # SQLite
    scripts/with_pg .venv/bin/python scripts/bench_live.py --engine both  # SQLite and PostgreSQL
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from _benchdb import drop, new_database  # noqa: E402

NOW = datetime(2026, 11, 24, 1, 30, tzinfo=timezone.utc)

WRITER = textwrap.dedent("""
    import random, sys, time
    from datetime import datetime, timezone
    from deskapp.config import Settings
    from deskapp.services.calls import CallDraft, log_call
    from deskapp.services.desk import Desk
    from deskapp.services.staff import sign_in

    url, count, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    desk = Desk.open(Settings(database_url=url))
    clerk = sign_in(desk, name="李前台", pin="5678")
    print("ready", flush=True)
    sys.stdin.readline()  # the screen is up
    for i in range(count):
        time.sleep(rng.uniform(0.6, 2.2))  # at any moment of the other desk's tick
        log_call(desk, clerk, CallDraft(content=f"另一台前台的第{i}通", phone="13911112222"),
                 now=datetime.now(timezone.utc))
        print(time.time(), flush=True)
    desk.engine.dispose()
""")


def prepare(url: str) -> None:
    from deskapp.config import Settings
    from deskapp.services.desk import Desk
    from deskapp.services.staff import add_staff

    desk = Desk.open(Settings(database_url=url))
    boss = add_staff(desk, name="王主管", role="supervisor", pin="1234", actor=None, now=NOW)
    add_staff(desk, name="李前台", role="receptionist", pin="5678", actor=boss, now=NOW)
    desk.engine.dispose()


async def measure(url: str, count: int, seed: int) -> list[float]:
    from deskapp.app import DeskApp
    from deskapp.config import Settings
    from deskapp.i18n import set_lang

    set_lang("zh")
    app = DeskApp(Settings(database_url=url, lang="zh"), sign_in_as="王主管")
    writer = subprocess.Popen([sys.executable, "-c", WRITER, url, str(count), str(seed)], cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    latencies: list[float] = []
    async with app.run_test(size=(100, 30)) as pilot:
        while app.screen.__class__.__name__ != "SignInScreen" or app.focused is None or app.focused.id != "pin":
            await pilot.pause(0.05)
        await pilot.press(*"1234", "enter")
        while app.screen.__class__.__name__ != "CallLogScreen":
            await pilot.pause(0.05)
        calls = app.screen.query_one("RegisterList")
        while calls.is_loading:
            await pilot.pause(0.05)
        assert writer.stdout.readline().strip() == "ready"
        writer.stdin.write("go\n")
        writer.stdin.flush()
        loop = asyncio.get_running_loop()
        before = calls.total
        for k in range(1, count + 1):  # two saves may reach the screen in one refresh
            saved_at = float(await loop.run_in_executor(None, writer.stdout.readline))
            while calls.total < before + k:
                await pilot.pause(0.01)
            latencies.append(time.time() - saved_at)
    writer.wait(timeout=60)
    return latencies


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="sqlite")
    ap.add_argument("--pg-url", help="a PostgreSQL server to make the database on (else DESKAPP_TEST_PG_URL)")
    ap.add_argument("--calls", type=int, default=20, help="calls saved by the other desk")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    engines = ("sqlite", "postgresql") if args.engine == "both" else (args.engine,)
    print(f"{'engine':<11} {'calls':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for engine in engines:
        url = new_database(engine, "live", pg_url=args.pg_url)
        try:
            prepare(url)
            lat = sorted(asyncio.run(measure(url, args.calls, args.seed)))
        finally:
            drop(url)
        p95 = lat[min(len(lat) - 1, round(0.95 * (len(lat) - 1)))]
        print(f"{engine:<11} {len(lat):>5} {statistics.median(lat) * 1000:>8.0f} {p95 * 1000:>8.0f} "
              f"{lat[-1] * 1000:>8.0f}", flush=True)


if __name__ == "__main__":
    main()
