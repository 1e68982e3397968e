"""`deskapp export REGISTER`: a register's records to CSV, XLSX, JSON or JSON Lines (导出).

    deskapp export calls --from 2026-11-01 --to 2026-11-30 --category 报修 -o 11月报修.xlsx
    deskapp export audit --format jsonl | gzip > audit.jsonl.gz

Exit codes: 0 written, or nothing in the range (a note says so, no file is
made); 141 the reader of standard output stopped early (`| head`); 2 refused before anything was read or written (an unknown register,
format or encoding, a bad date, a filter the register does not have, an
output path that cannot be written, a wrong PIN); 1 a fault (the database,
or the disk filling up mid-way: the partial file is removed); 130 Ctrl+C.

A file is written beside its target under a temporary name and renamed into
place when complete, so an export cut short never leaves a file that looks
whole. A progress bar with rows and rate goes to stderr when stderr is a
terminal and the rows are not being printed on that same terminal.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Optional

import typer

from deskapp.cli.root import DbOption, LangOption, app, ask_pin, ctx_opts, fail, open_desk, settings_for
from deskapp.i18n import t


def check_output(output: str | None, fmt: str) -> Path | None:
    """The file to write (None: standard output), refused (exit 2) when it cannot be written."""
    if output is None or output == "-":
        if fmt == "xlsx" and sys.stdout.isatty():
            fail(t("export.xlsx_to_terminal"))
        return None
    path = Path(output).expanduser()
    if path.is_dir():
        fail(t("export.out_is_folder", path=str(path)))
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        fail(t("export.out_no_folder", folder=str(folder)))
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        fail(t("export.out_read_only", path=str(path)))
    return path


def show_progress(to_stdout: bool) -> bool:
    """A bar on stderr only for a person watching a terminal, never over rows printed there."""
    try:
        return sys.stderr.isatty() and not (to_stdout and sys.stdout.isatty())
    except (AttributeError, ValueError):
        return False


class _Rate:
    """Rows per second, for the progress bar (Rich's own speed column counts bytes)."""

    def __new__(cls):
        from rich.progress import ProgressColumn
        from rich.text import Text

        class Rate(ProgressColumn):
            def render(self, task):
                speed = task.finished_speed or task.speed
                return Text(t("export.rate", rate=f"{speed:,.0f}") if speed else "", style="progress.data.speed")

        return Rate()


def _progress_bar(total: int, title: str):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), _Rate(),
                   TimeElapsedColumn(), console=Console(stderr=True), transient=False)
    task = bar.add_task(title, total=total)
    return bar, (lambda n: bar.advance(task, n))


@app.command("export")
def export(
    ctx: typer.Context,
    register: Annotated[str, typer.Argument(help="calls | complaints | visits | audit（来电来访 / 投诉 / 回访 / 操作日志；其他登记表随其功能加入）")],
    start: Annotated[Optional[str], typer.Option("--from", help="起始日期 YYYY-MM-DD（含，现场时区）")] = None,
    end: Annotated[Optional[str], typer.Option("--to", help="结束日期 YYYY-MM-DD（含，现场时区）")] = None,
    category: Annotated[Optional[str], typer.Option(help="类别 category (报修 / repair ...)")] = None,
    channel: Annotated[Optional[str], typer.Option(help="方式 channel (电话 / phone ...)")] = None,
    severity: Annotated[Optional[str], typer.Option("--class", help="投诉等级 complaint class")] = None,
    status: Annotated[Optional[str], typer.Option(help="状态 status")] = None,
    kind: Annotated[Optional[str], typer.Option(help="回访类型 visit kind (维修 / repair ...)")] = None,
    department: Annotated[Optional[str], typer.Option(help="部门名称 department")] = None,
    staff: Annotated[Optional[str], typer.Option(help="员工姓名 staff member")] = None,
    action: Annotated[Optional[str], typer.Option(help="操作 (audit): e.g. call.log")] = None,
    entity: Annotated[Optional[str], typer.Option(help="对象 (audit): e.g. call")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv | xlsx | json | jsonl")] = "csv",
    output: Annotated[Optional[str], typer.Option("--output", "-o", help="输出文件；省略或 - 为标准输出")] = None,
    encoding: Annotated[Optional[str], typer.Option(help="CSV 编码 utf-8-sig（默认，带 BOM）| utf-8 | gb18030")] = None,
    unmasked: Annotated[bool, typer.Option("--unmasked", help="导出完整电话号码（须主管 PIN，记入操作日志）")] = False,
    by: Annotated[Optional[str], typer.Option(help="确认 --unmasked 的主管姓名")] = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Export a register's records (导出登记表)."""
    from deskapp.errors import DeskError
    from deskapp.services import export as exports
    from deskapp.services.export_files import ENCODINGS, FORMATS, write_export
    from deskapp.services.faults import DatabaseFault

    settings = settings_for(*ctx_opts(ctx, db, lang))
    # Everything that can be checked is checked before the database is opened or a PIN asked for.
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        fail(t("export.unknown_format", value=fmt, choices=", ".join(FORMATS)))
    if encoding is not None:
        if fmt != "csv":
            fail(t("export.encoding_csv_only"))
        if encoding.strip().lower() not in ENCODINGS:
            fail(t("export.unknown_encoding", value=encoding, choices="utf-8-sig, utf-8, gb18030"))
    encoding = (encoding or "utf-8-sig").strip().lower()
    filters = {"category": category, "channel": channel, "class": severity, "status": status,
               "kind": kind, "department": department, "staff": staff, "action": action, "entity": entity}
    try:
        req = exports.make_request(register, start=start, end=end, filters=filters, unmasked=unmasked)
    except DeskError as exc:
        fail(str(exc))
    if unmasked and not (by or "").strip():
        fail(t("export.by_needed"))
    path = check_output(output, fmt)
    title = t(req.register.title)
    try:
        desk = open_desk(settings, create=False)
        exports.check_names(desk, req)
        actor = None
        if unmasked:
            from deskapp.services.roles import require
            from deskapp.services.staff import sign_in

            actor = sign_in(desk, name=by.strip(), pin=ask_pin(t("cli.pin_of", name=by.strip())))
            require(actor, t("action.export_unmasked"), "supervisor")
        progress = show_progress(path is None)
        total = exports.count_rows(desk, req) if (progress or unmasked) else None
        if total == 0 or (total is None and not exports.any_rows(desk, req)):
            span = (t("export.range", start=req.start or "…", end=req.end or "…") if (req.start or req.end)
                    else "")
            typer.echo(t("export.empty", register=title, range=span), err=True)
            return
        where = str(path) if path is not None else t("export.stdout")
        if actor is not None:
            exports.record_unmasked_export(desk, actor, req, rows=total, fmt=fmt, output=where)
        rows = _write(desk, req, fmt, path, encoding, progress, total, title, write_export)
    except DatabaseFault:
        raise  # the root handler says which database (exit 1)
    except DeskError as exc:
        fail(str(exc))
    phones = t("export.phones_whole") if unmasked else t("export.phones_masked")
    typer.echo(t("export.done", rows=f"{rows:,}", register=title, where=where, format=fmt, phones=phones), err=True)


def _write(desk, req, fmt, path, encoding, progress, total, title, write_export) -> int:
    bar, advance = _progress_bar(total, title) if progress else (None, None)
    try:
        if bar is not None:
            bar.start()
        if path is None:
            return _to_stdout(desk, req, fmt, encoding, advance, write_export)
        return _to_file(desk, req, fmt, path, encoding, advance, write_export)
    finally:
        if bar is not None:
            bar.stop()


def _to_stdout(desk, req, fmt, encoding, advance, write_export) -> int:
    try:
        return _send(desk, req, fmt, encoding, advance, write_export)
    except BrokenPipeError:
        # The reader stopped early (`| head`): stop quietly, as Unix tools do (128 + SIGPIPE).
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        raise typer.Exit(141) from None


def _send(desk, req, fmt, encoding, advance, write_export) -> int:
    out = sys.stdout.buffer
    if fmt != "xlsx":
        rows = write_export(desk, req, fmt, out, encoding=encoding, progress=advance)
        out.flush()
        return rows
    # A zip file is finished at its end: build it aside, then send it whole.
    with tempfile.TemporaryFile() as tmp:
        rows = write_export(desk, req, fmt, tmp, progress=advance)
        tmp.seek(0)
        while chunk := tmp.read(1 << 20):
            out.write(chunk)
    out.flush()
    return rows


def _to_file(desk, req, fmt, path: Path, encoding, advance, write_export) -> int:
    folder = path.parent if str(path.parent) else Path(".")
    fd, part = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    done = False
    try:
        with os.fdopen(fd, "wb") as out:
            rows = write_export(desk, req, fmt, out, encoding=encoding, progress=advance)
            out.flush()
            os.fsync(out.fileno())
        # mkstemp makes the file private (0600); an export gets the mode any new file would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(part, 0o666 & ~umask)
        os.replace(part, path)
        done = True
        return rows
    except OSError as exc:  # the disk filled up, the folder went away
        fail(t("export.write_failed", path=str(path), reason=exc.strerror or type(exc).__name__), code=1)
    finally:
        if not done:
            try:
                os.unlink(part)
            except OSError:
                pass
