"""`deskapp staff add / list`: the staff records (员工)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from deskapp.cli.root import DbOption, LangOption, app, ask_pin, ctx_opts, fail, open_desk, settings_for
from deskapp.i18n import t

staff_app = typer.Typer(help="员工 staff records", pretty_exceptions_enable=False)
app.add_typer(staff_app, name="staff")


def _new_pin(name: str) -> str:
    """The new staff member's PIN, typed twice (our own loop: the message in the user's language)."""
    from deskapp.errors import DeskError
    from deskapp.services.staff import check_pin

    for _ in range(3):
        pin = ask_pin(t("cli.pin_new", name=name))
        try:
            check_pin(pin)
        except DeskError as exc:
            fail(str(exc))
        if ask_pin(t("cli.pin_again", name=name)) == pin:
            return pin
        typer.echo(t("pin.mismatch"), err=True)
    fail(t("cli.pin_gave_up"))


@staff_app.command("add")
def staff_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="姓名 name")],
    role: Annotated[str, typer.Option(help="receptionist | concierge | supervisor | manager | gm")] = "receptionist",
    by: Annotated[Optional[str], typer.Option(help="操作的主管姓名 (the supervisor adding them); not needed for the first")] = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Add a staff member (添加员工); PINs are asked for, never given on the command line."""
    from deskapp.errors import DeskError
    from deskapp.i18n import label
    from deskapp.services import staff
    from deskapp.services.faults import DatabaseFault
    from deskapp.services.roles import RANK, ROLES, require

    settings = settings_for(*ctx_opts(ctx, db, lang))
    # Everything that can be checked is checked before a PIN is asked for.
    if role not in ROLES:
        choices = (r if label("role", r) == r else t("cli.role_choice", code=r, label=label("role", r)) for r in ROLES)
        fail(t("cli.bad_role", value=role, choices=", ".join(choices)))
    try:
        name = staff.clean_name(name)
        desk = open_desk(settings, create=True)
        actor = None
        if staff.staff_count(desk) == 0:
            if RANK[role] < RANK["supervisor"]:
                fail(t("err.first_must_be_supervisor"))
        else:
            present = staff.list_staff(desk)
            if not by:
                able = [a.name for a in present if RANK.get(a.role, -1) >= RANK["supervisor"]]
                if not able:
                    fail(t("cli.no_supervisor"))
                fail(t("cli.by_needed", example=able[0], supervisors=", ".join(able)))
            by = by.strip()
            supervisor = next((a for a in present if a.name == by), None)
            if supervisor is None:
                fail(t("err.no_such_staff", name=by))
            require(supervisor, t("action.add_staff"), "supervisor")
            if any(a.name == name for a in present):
                fail(t("err.staff_exists", name=name))
            actor = staff.sign_in(desk, name=by, pin=ask_pin(t("cli.pin_of", name=by)))
        pin = _new_pin(name)
        added = staff.add_staff(desk, name=name, role=role, pin=pin, actor=actor)
    except DatabaseFault:
        raise  # a fault, not a refusal: the root handler says it (exit 1)
    except DeskError as exc:
        fail(str(exc))
    typer.echo(t("cli.added", name=added.name, role=added.role_label, id=added.id))


@staff_app.command("list")
def staff_list(ctx: typer.Context, db: DbOption = None, lang: LangOption = None) -> None:
    """List staff (员工名单)."""
    from deskapp.services import staff

    desk = open_desk(settings_for(*ctx_opts(ctx, db, lang)), create=False)
    for actor in staff.list_staff(desk):
        typer.echo(f"{actor.name}\t{actor.role_label}")
