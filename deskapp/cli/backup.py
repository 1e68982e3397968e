"""`deskapp backup` and `deskapp restore`: a consistent copy of the live database, and putting one back (备份 / 恢复)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from deskapp.cli.root import DbOption, LangOption, app, ctx_opts, fail, settings_for
from deskapp.i18n import t


@app.command()
def backup(
    ctx: typer.Context,
    folder: Annotated[Optional[Path], typer.Option("--folder", help="备份文件夹 (default: config.toml [backup] folder, or beside the database)")] = None,
    keep: Annotated[Optional[int], typer.Option("--keep", help="保留最新的几份 (how many backups to keep; default 14 or [backup] keep)")] = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Back up the database while desks keep working (SQLite online backup), keeping the newest N (备份)."""
    from dataclasses import replace

    settings = settings_for(*ctx_opts(ctx, db, lang))
    if keep is not None and keep < 1:
        fail(t("cli.bad_number", option="--keep", least=1, value=keep))
    settings = replace(settings, backup_folder=folder.expanduser() if folder else settings.backup_folder,
                       backup_keep=keep if keep is not None else settings.backup_keep)
    from deskapp.services.backups import BackupFailed, make_backup

    try:
        made = make_backup(settings)
    except BackupFailed as exc:  # a fault (disk full, a folder not writable), not a refusal
        fail(str(exc), code=1)
    typer.echo(t("backup.made", path=str(made.path), size=_size(made.size)))
    for old in made.removed:
        typer.echo(t("backup.removed", path=str(old)))


@app.command()
def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="备份文件 (the backup file)")],
    yes: Annotated[bool, typer.Option("--yes", help="不再确认 (do not ask before replacing)")] = False,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Check a backup (integrity, schema, rows) and put it in place, keeping the current database aside (恢复)."""
    from deskapp.services.backups import BackupFailed, check_backup, current_counts, restore_backup
    from deskapp.services.faults import url_where

    settings = settings_for(*ctx_opts(ctx, db, lang))
    where = url_where(settings.database_url)
    checked = check_backup(settings, file)  # refusals (not a backup, newer, damaged) exit 2, nothing changed
    typer.echo(t("restore.checked", path=str(checked.path), revision=checked.revision))
    now = dict(current_counts(settings) or ())
    typer.echo(t("restore.counts_head"))
    for table, rows in checked.counts:
        name = t(f"doctor.table.{table}")
        typer.echo(t("restore.count_line", table=name, backup=f"{rows:,}",
                     now=f"{now[table]:,}" if table in now else "-"))
    for problem in checked.problems:
        typer.echo(t("restore.problem", problem=problem))
    if not yes:
        try:
            confirmed = typer.confirm(t("restore.confirm", where=where), default=False)
        except typer.Abort:
            confirmed = False
        if not confirmed:
            fail(t("restore.not_confirmed"), code=1)
    try:
        restored = restore_backup(settings, checked)
    except BackupFailed as exc:
        fail(str(exc), code=1)
    typer.echo(t("restore.done", where=where, backup=str(checked.path)))
    if restored.aside is not None:
        typer.echo(t("restore.aside", aside=str(restored.aside)))
    if restored.upgraded_to:
        typer.echo(t("restore.upgraded", revision=restored.revision, head=restored.upgraded_to))


def _size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)
