"""`deskapp calendar list / add / complete / check`: the site's working-day calendar (工作日历).

A supervisor enters each year's official days off and make-up working days
(调休) as the State Council publishes them; they are stored in the site's
configuration directory, outside the installed package, so no upgrade loses
them (docs/rules.md §2.4).
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from deskapp.cli.root import DbOption, LangOption, app, ask_pin, ctx_opts, fail, open_desk, settings_for
from deskapp.i18n import t

calendar_app = typer.Typer(help="工作日历 working-day calendar (official holidays and make-up days)",
                           pretty_exceptions_enable=False)
app.add_typer(calendar_app, name="calendar")

ByOption = Annotated[str, typer.Option("--by", help="录入的主管姓名 (the supervisor entering it)")]


def _supervisor(desk, name: str):
    from deskapp.errors import DeskError
    from deskapp.services import staff
    from deskapp.services.roles import require

    try:
        actor = staff.sign_in(desk, name=name.strip(), pin=ask_pin(t("cli.pin_of", name=name.strip())))
        require(actor, t("calendar.action"), "supervisor")
    except DeskError as exc:
        fail(str(exc))
    return actor


def _show(found) -> None:
    typer.echo(t("calendar.file", path=str(found.path)))
    typer.echo(t("calendar.holidays", days=", ".join(d.isoformat() for d in found.holidays) or "—"))
    typer.echo(t("calendar.workdays", days=", ".join(d.isoformat() for d in found.workdays) or "—"))
    typer.echo(t("calendar.complete", years=", ".join(str(y) for y in found.complete_years) or "—"))
    typer.echo(t("calendar.known_through", date=found.known_through.isoformat()))


@calendar_app.command("list")
def calendar_list(ctx: typer.Context, db: DbOption = None, lang: LangOption = None) -> None:
    """The site's entries and how far the calendar is known (列出)."""
    from deskapp.services.site_calendar import entries

    desk = open_desk(settings_for(*ctx_opts(ctx, db, lang)), create=False)
    _show(entries(desk))


@calendar_app.command("add")
def calendar_add(
    ctx: typer.Context,
    days: Annotated[list[str], typer.Argument(help="日期 YYYY-MM-DD，可多个 (one or more dates)")],
    by: ByOption,
    workday: Annotated[bool, typer.Option("--workday", help="调休上班日 (a make-up working day)")] = False,
    holiday: Annotated[bool, typer.Option("--holiday", help="放假日 (an official day off)")] = False,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Enter official days off (--holiday) or make-up working days (--workday) (录入)."""
    from deskapp.errors import DeskError
    from deskapp.services.faults import DatabaseFault
    from deskapp.services.site_calendar import add_days, parse_day

    settings = settings_for(*ctx_opts(ctx, db, lang))
    if workday == holiday:
        fail(t("calendar.say_which"))
    try:
        parsed = [parse_day(d) for d in days]
        desk = open_desk(settings, create=False)
        found = add_days(desk, _supervisor(desk, by), parsed, "workday" if workday else "holiday")
    except DatabaseFault:
        raise
    except DeskError as exc:
        fail(str(exc))
    typer.echo(t("calendar.added", n=len(parsed)))
    _show(found)


@calendar_app.command("complete")
def calendar_complete(
    ctx: typer.Context,
    year: Annotated[int, typer.Argument(help="年份 (the year whose schedule is wholly entered)")],
    by: ByOption,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Mark a year's official schedule as wholly entered; its due dates stop warning (全年已录入)."""
    from deskapp.errors import DeskError
    from deskapp.services.faults import DatabaseFault
    from deskapp.services.site_calendar import complete_year

    settings = settings_for(*ctx_opts(ctx, db, lang))
    try:
        desk = open_desk(settings, create=False)
        found = complete_year(desk, _supervisor(desk, by), year)
    except DatabaseFault:
        raise
    except DeskError as exc:
        fail(str(exc))
    _show(found)


@calendar_app.command("check")
def calendar_check(
    ctx: typer.Context,
    year: Annotated[Optional[int], typer.Argument(help="年份 (default: next year)")] = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """The `holidays` library's statutory dates beside the site's entries, to compare with the notice (核对)."""
    from datetime import date

    from deskapp.services.site_calendar import check_year

    desk = open_desk(settings_for(*ctx_opts(ctx, db, lang)), create=False)
    year = year or date.today().year + 1
    if not 1900 <= year <= 2200:
        fail(t("calendar.bad_year", value=year))
    for day in check_year(desk, year):
        notes = []
        if day.guessed:
            notes.append(t("calendar.guessed"))
        if day.site:
            notes.append(t(f"calendar.site_{day.site}"))
        state = t("calendar.working") if day.working else t("calendar.off")
        typer.echo(f"{day.day.isoformat()} {t('when.weekday.' + str(day.day.weekday()))}  {state}  "
                   f"{day.library or '—'}  {' '.join(notes)}".rstrip())
