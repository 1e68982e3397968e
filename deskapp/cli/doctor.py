"""`deskapp doctor`: examine the database without writing to it (体检)."""

from __future__ import annotations

import typer

from deskapp.cli.root import DbOption, LangOption, app, ctx_opts, settings_for
from deskapp.i18n import t


@app.command()
def doctor(ctx: typer.Context, db: DbOption = None, lang: LangOption = None) -> None:
    """Examine the database without writing to it: schema, integrity, numbering, audit, calendar (体检)."""
    from deskapp.services.doctor import examine

    report = examine(settings_for(*ctx_opts(ctx, db, lang)))
    marks = {"ok": "✓", "warn": "!", "fault": "✗", "info": "·"}
    for finding in report.findings:
        typer.echo(f"{marks[finding.state]} " + t("doctor.line", label=finding.label, value=finding.value))
    if not report.ok:
        raise typer.Exit(1)
