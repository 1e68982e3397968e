"""Printing a dispatch slip (一式三联): a PDF and an 80-column text, to a file or a CUPS printer.

docs/rules.md §2.3 "Printing". The site's choices are in data/slip_print.toml
(paper a4: the three copies 客户联 / 维修联 / 存根联 on one A4 sheet, cut apart;
a5: one copy per A5 page; the CUPS printer; a font file). Chinese in the PDF
is drawn with a CJK TrueType font embedded as a subset, found through
fontconfig unless the site names one (scripts/_setup.sh installs
fonts-wqy-microhei where there is none), so the PDF shows Chinese on any
machine and `pdftotext` reads it back. The slip number is printed as text and
as a Code 39 barcode of its year and sequence (2026-000123).

The text version is for receipt and dot-matrix printers: at most 80 columns,
measured as such printers do, by the GB18030 encoding (a character of two or
more bytes takes two columns), and long text wrapped, never cut. It is sent
to a printer in GB18030.

Rendering is pure (a SlipRecord in, bytes or str out); only `find_cjk_font`
and `send_to_printer` touch the system.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from deskapp.core.parse import format_yuan
from deskapp.core.policy import PolicyError, _problems, read_toml
from deskapp.errors import DeskError
from deskapp.i18n import label, t

PRINT_FILE = "slip_print.toml"
COPIES = ("customer", "repair", "stub")  # 客户联 / 维修联 / 存根联
WIDTH = 80  # columns of the text version
# Fonts tried when fontconfig is missing or finds none (Debian's packages).
KNOWN_FONTS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
               "/usr/share/fonts/truetype/arphic/uming.ttc", "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
_TRUETYPE = (".ttf", ".ttc")  # fpdf2 embeds TrueType outlines


class PrintRefused(DeskError):
    """A slip could not be printed as asked (no font, no printer, lp failed): the message says what to do."""


class PrintSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    paper: Annotated[str, Field(pattern="^(a4|a5)$")] = "a4"
    printer: Annotated[str, Field(max_length=100)] = ""  # a CUPS destination; "" = none configured
    font: Annotated[str, Field(max_length=500)] = ""  # a TrueType CJK font file; "" = found by fontconfig


def load_print_settings(data_dir: Path) -> PrintSettings:
    path = Path(data_dir) / PRINT_FILE
    data = read_toml(path)
    if data is None:
        return PrintSettings()
    try:
        return PrintSettings.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(path, _problems(exc, PrintSettings)) from None


# ------------------------------------------------------------------ the slip's content


@dataclass(frozen=True)
class Content:
    """What every copy says, worded in the current language, in the order printed."""

    title: str
    number: str
    issued: str
    fields: tuple[tuple[str, str], ...]  # (label, value); long values wrap
    signatures: tuple[str, ...]


def slip_content(slip, *, site_name: str, tz: tzinfo) -> Content:
    def when(instant) -> str:
        return f"{instant.astimezone(tz):%Y-%m-%d %H:%M}" if instant else ""

    charge = label("chargeable", "yes" if slip.chargeable else "no")
    fee = f"{charge}  {slip.fee_item or '—'}  {format_yuan(slip.fee_due)}"
    if slip.under_warranty:
        fee += f"  （{t('slips.warranty_short')}）"
    paid = ""
    if slip.fee_collected and slip.fee_collected_yuan is not None:
        paid = f"{label('payment', slip.payment_method)} {format_yuan(slip.fee_collected_yuan)}"
    materials = slip.materials
    if slip.materials_check:
        materials = f"{materials}  {t('field.materials_check')}：{label('material_check', slip.materials_check)}"
    rows = [
        ("field.caller_name", slip.customer_name), ("field.phone", slip.phone), ("field.unit", slip.unit_code),
        ("field.repair_item", slip.item), ("field.slip_appointment", when(slip.appointment_at)),
        ("field.fee", fee), ("field.slip_department", slip.department), ("field.technician", slip.technician),
        ("field.work_done", slip.work_done),
        ("field.work_fee", format_yuan(slip.work_fee_yuan) if slip.work_fee_yuan is not None else ""),
        ("field.materials", materials), ("field.collected", paid), ("field.remarks", slip.remarks),
        ("field.photos", "  ".join(slip.photos)),
    ]
    if slip.refused_reason:
        rows.append(("field.refused_reason", f"{slip.refused_reason}（{slip.refused_by}）"))
    for note in slip.notes:
        rows.append(("slip_step.note", f"{when(note.at)} {note.staff}：{note.note}"))
    fields = tuple((t(key), value) for key, value in rows if value)
    signatures = (t("print.sign_customer"), t("print.sign_technician"), t("print.sign_supervisor"))
    return Content(f"{site_name} {t('print.title')}", slip.number, when(slip.created_at), fields, signatures)


# ------------------------------------------------------------------ 80-column text


def printer_width(text: str) -> int:
    """Columns on a Chinese receipt printer: one per single-byte GB18030 character, two for the rest."""
    return sum(1 if len(ch.encode("gb18030")) == 1 else 2 for ch in text)


def wrap(text: str, width: int, indent: int = 0) -> list[str]:
    """Lines of at most `width` printer columns; the lines after the first start `indent` spaces in."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line, used = "", 0
        for ch in paragraph.expandtabs(4):
            w = printer_width(ch)
            if used + w > width:
                lines.append(line.rstrip())
                line, used = " " * indent, indent
            line += ch
            used += w
        lines.append(line.rstrip())
    return lines


def render_text(slip, *, site_name: str, tz: tzinfo, width: int = WIDTH) -> str:
    """The slip as plain text, every line at most `width` printer columns (three copies one after another)."""
    content = slip_content(slip, site_name=site_name, tz=tz)
    rule = "-" * width
    out: list[str] = []
    for copy in COPIES:
        head = f"{content.title}  {t(f'print.copy.{copy}')}"
        out += wrap(head, width)
        out += wrap(f"{t('field.slip_number')}：{content.number}    {t('print.issued')}：{content.issued}", width)
        out.append(rule)
        for name, value in content.fields:
            prefix = f"{name}："
            out += wrap(prefix + value, width, indent=min(printer_width(prefix), 20))
        out.append(rule)
        for who in content.signatures:
            out += wrap(f"{who}：____________________  {t('print.sign_time')}：________________", width)
        out += ["", rule.replace("-", "="), ""]
    return "\n".join(out).rstrip("=\n ") + "\n"


# ------------------------------------------------------------------ PDF


def find_cjk_font(configured: str = "") -> Path:
    """A TrueType font with Chinese: the site's, else fontconfig's choice for zh-cn, else a known path."""
    if configured:
        path = Path(configured).expanduser()
        if not path.is_file():
            raise PrintRefused("print.font_missing", path=str(path))
        return path
    candidates: list[str] = []
    if shutil.which("fc-list"):
        try:
            listed = subprocess.run(["fc-list", ":lang=zh-cn", "file"], capture_output=True, text=True, timeout=10)
            candidates += sorted(line.split(":")[0].strip() for line in listed.stdout.splitlines() if line.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    candidates += list(KNOWN_FONTS)
    for candidate in candidates:
        if candidate.lower().endswith(_TRUETYPE) and Path(candidate).is_file():
            return Path(candidate)
    raise PrintRefused("print.no_font")


def render_pdf(slip, *, site_name: str, tz: tzinfo, paper: str = "a4", font: Path) -> bytes:
    """The slip as a PDF: A4 with the three copies one above the other (a page each when one
    would not fit a third), or A5 with a copy per page; Chinese in the embedded subset of `font`.

    One document and one font load (parsing a CJK font is most of the cost): the
    first copy is drawn at the top of the first page, and its height decides
    where the other two go.
    """
    content = slip_content(slip, site_name=site_name, tz=tz)
    size, width = ((210, 297), 190) if paper == "a4" else ((148, 210), 128)
    pdf = _new_pdf(font, size)
    pdf.add_page()
    height = _draw_copy(pdf, content, COPIES[0], 0, width)
    third = size[1] / 3
    if paper == "a4" and height <= third - 4:
        for i, copy in enumerate(COPIES[1:], start=1):
            pdf.set_draw_color(150)  # where to cut
            pdf.set_dash_pattern(dash=2, gap=2)
            pdf.line(5, i * third, size[0] - 5, i * third)
            pdf.set_dash_pattern()
            pdf.set_draw_color(0)
            _draw_copy(pdf, content, copy, i * third, width)
    else:
        for copy in COPIES[1:]:
            pdf.add_page()
            _draw_copy(pdf, content, copy, 0, width)
    return bytes(pdf.output())


def _new_pdf(font: Path, size: tuple[float, float]):
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format=size)
    pdf.set_auto_page_break(False)
    pdf.set_margins(10, 8, 10)
    pdf.add_font("cjk", fname=str(font))
    pdf.set_font("cjk", size=9)
    return pdf


def _draw_copy(pdf, content: Content, copy: str, top: float, width: float) -> float:
    """One copy from `top` (mm); returns the height it took."""
    left = 10
    pdf.set_xy(left, top + 6)
    pdf.set_font("cjk", size=13)
    pdf.cell(width - 60, 7, content.title)
    pdf.set_font("cjk", size=11)
    pdf.cell(60, 7, t(f"print.copy.{copy}"), align="R")
    pdf.set_font("cjk", size=9)
    y = top + 14
    pdf.set_xy(left, y)
    pdf.cell(width - 62, 5, f"{t('field.slip_number')}：{content.number}")
    pdf.set_xy(left, y + 5)
    pdf.cell(width - 62, 5, f"{t('print.issued')}：{content.issued}")
    code = content.number.split("-", 1)[-1]  # 2026-000123: Code 39 has no Chinese
    pdf.code39(f"*{code}*", x=left + width - 60, y=y - 1, w=0.35, h=8)
    pdf.set_xy(left + width - 60, y + 7.5)
    pdf.set_font("cjk", size=6)
    pdf.cell(60, 3, code)
    pdf.set_font("cjk", size=9)
    y += 12
    pdf.line(left, y, left + width, y)
    y += 1.5
    for name, value in content.fields:
        pdf.set_xy(left, y)
        pdf.cell(22, 4.5, name)
        pdf.set_xy(left + 22, y)
        pdf.multi_cell(width - 22, 4.5, value)
        y = pdf.get_y()
    y += 1.5
    pdf.line(left, y, left + width, y)
    y += 2
    column = width / len(content.signatures)
    for i, who in enumerate(content.signatures):
        pdf.set_xy(left + i * column, y)
        pdf.cell(column, 5, f"{who}：")
        pdf.line(left + i * column + 2, y + 11, left + (i + 1) * column - 4, y + 11)
        pdf.set_xy(left + i * column, y + 12)
        pdf.set_font("cjk", size=7)
        pdf.cell(column, 3, f"{t('print.sign_time')}：")
        pdf.set_font("cjk", size=9)
    return y + 16 - top


# ------------------------------------------------------------------ to a printer


def send_to_printer(path: Path, printer: str = "") -> str:
    """Send a file to CUPS with `lp` (to `printer`, else the system's default); returns lp's answer.

    Refuses with a clear message when lp is not installed or there is no
    printer (lp: "No default destination"); the file stays where it is.
    """
    lp = shutil.which("lp")
    if lp is None:
        raise PrintRefused("print.no_lp", path=str(path))
    command = [lp] + (["-d", printer] if printer else []) + [str(path)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        raise PrintRefused("print.lp_failed", detail=str(exc)[:200], path=str(path)) from None
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip()
        if "no default destination" in said.lower():
            raise PrintRefused("print.no_printer", path=str(path))
        raise PrintRefused("print.lp_failed", detail=said[:200], path=str(path))
    return done.stdout.strip()


# ------------------------------------------------------------------ one print, from the app or the CLI


@dataclass(frozen=True)
class Printed:
    path: Path
    count: int  # prints of this slip so far
    sent: str | None  # lp's answer, None when nothing was sent


def print_slip(desk, actor, slip_id: int, *, site_name: str, format: str = "pdf", out: Path | None = None,
               printer: str | None = None, send_default: bool = False) -> Printed:
    """Render the slip, write the file (`out`, else the desk's slips folder), count the print, and
    send it to CUPS when a printer is configured or given (or `send_default`: the system's default).

    The print is counted once the file exists: a printer that then refuses it
    (PrintRefused, with the file's path) does not undo a copy already made.
    """
    from deskapp.services.slip_queries import get_slip
    from deskapp.services.slips import record_print

    setup = load_print_settings(desk.data_dir)
    record = get_slip(desk, slip_id)
    if format == "pdf":
        data = render_pdf(record, site_name=site_name, tz=desk.tz, paper=setup.paper, font=find_cjk_font(setup.font))
    else:  # what a Chinese receipt or dot-matrix printer expects
        data = render_text(record, site_name=site_name, tz=desk.tz).encode("gb18030")
    path = out or slips_folder(desk) / f"{record.number}.{'pdf' if format == 'pdf' else 'txt'}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    state = record_print(desk, actor, slip_id, what=f"{format} {path.name}")
    destination = printer if printer is not None else setup.printer
    sent = send_to_printer(path, destination) if (destination or send_default) else None
    return Printed(path, state.printed_count, sent)


def slips_folder(desk) -> Path:
    """Where the app keeps the slips it printed: a `slips` folder beside the SQLite file, else the user's data folder."""
    from deskapp.config import user_data_dir
    from deskapp.storage.engine import sqlite_file

    database = sqlite_file(str(desk.engine.url))
    return (database.parent if database is not None else user_data_dir()) / "slips"
