"""The synthesis report a consolidating unit sends to the level above, as a Decree 30 "BC" document.

Until now a commune or province officer retyped every unit's figures and pasted every unit's
paragraphs into Word. Here the document is built from the same aggregate as the drill-down page
(``aggregation.aggregate_period``), so the printed figures are the figures on screen: part I the
reporting rate, part II every numeric indicator by its rule, part III the narrative answers section
by section with each unit named, part IV the late and missing units. The number is left blank:
a report gets its number in the register when it is signed.

The wording added around the data ("BÁO CÁO", "Nơi nhận", "TM. ỦY BAN NHÂN DÂN", part titles) is the
fixed Vietnamese of administrative documents, like ``plans/export.py``, not UI text.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.core.text import strip_diacritics
from danvan.documents.decree30 import (
    TYPE_TITLES,
    Block,
    Bullet,
    Heading,
    OfficialDocument,
    Paragraph,
    Signer,
    Table,
    format_short_date,
    render_docx,
)
from danvan.orgs.models import Membership, OrgUnit
from danvan.orgs.paths import ancestor_ids
from danvan.orgs.roles import Role

from . import aggregation
from .models import Aggregation, Period, Submission, ValueType
from .xlsx import ordered_rows

SUBJECT = "công tác dân vận chính quyền"
PEOPLES_COMMITTEE = "ỦY BAN NHÂN DÂN"
_DIVISION_WORDS = ("thành phố", "thị trấn", "thị xã", "đặc khu", "tỉnh", "huyện", "quận", "xã", "phường")
_HEADS = (("SỞ", "GIÁM ĐỐC"), ("PHÒNG", "TRƯỞNG PHÒNG"), ("BAN", "TRƯỞNG BAN"), ("VĂN PHÒNG", "CHÁNH VĂN PHÒNG"))
NO_DATA = "-"
# Column widths (mm) inside the 165 mm text width.
INDICATOR_WIDTHS = (14, 30, 71, 22, 28)
COMPLETENESS_WIDTHS = (14, 53, 20, 20, 19, 19, 20)


def synthesis_filename(period: Period, unit: OrgUnit) -> str:
    from .export import ascii_slug

    return f"BC-{ascii_slug(unit.name)}-{ascii_slug(period.label)}.docx"[:150]


def synthesis_docx(period: Period, unit: OrgUnit, *, actor: Any = None) -> bytes:
    """The DOCX bytes; ``actor`` (when given) must see the unit, as for its drill-down page."""
    if actor is not None and not (
        actor.has_perm("reports.view_aggregates") and OrgUnit.objects.visible_to(actor).filter(pk=unit.pk).exists()
    ):
        raise PermissionDenied(_("You may not produce the synthesis report of this unit."))
    return render_docx(synthesis_document(period, unit))


def synthesis_document(period: Period, unit: OrgUnit) -> OfficialDocument:
    unit = OrgUnit.objects.select_related("kind", "parent__kind").get(pk=unit.pk)
    regime = aggregation.load_regime(period)
    agg = aggregation.aggregate_period(period, root=unit)
    issuing_body = _issuing_body(unit)
    label = " ".join(period.label.split())
    body: list[Block] = []
    body += _completeness_part(agg, unit)
    body += _figures_part(agg, unit)
    body += _narrative_part(period, unit)
    body += _late_and_missing_part(period, unit)
    body.append(Paragraph(f"Trên đây là báo cáo kết quả thực hiện {SUBJECT} {label} của {_body_in_text(unit)}./."))
    above = _level_above(unit, regime.owner)
    return OfficialDocument(
        issuing_body=issuing_body,
        parent_body=_parent_body(unit),
        symbol=_symbol(unit),
        number=None,
        place=_place(unit),
        date=None,
        year=timezone.localdate().year,
        doc_type_title=TYPE_TITLES["BC"],
        summary=f"Kết quả thực hiện {SUBJECT} {label}",
        preamble=_preamble(period, unit, regime),
        body=body,
        signer=_signer(unit, issuing_body),
        recipients=[f"{_body_in_text(above)} (báo cáo)"] if above is not None else [],
        title=f"Báo cáo {SUBJECT} {label} – {unit.name}",
    )


# --- names of bodies ---------------------------------------------------------------------


def _administrative_name(unit: OrgUnit) -> str:
    """ "Tỉnh Lai Châu" as it stands; "Lai Châu" of type "tỉnh" → "tỉnh Lai Châu"."""
    name = " ".join(unit.name.split())
    if not name.lower().startswith(_DIVISION_WORDS) and unit.division_type:
        return f"{unit.division_type.lower()} {name}"
    return name[:1].lower() + name[1:] if name.lower().startswith(_DIVISION_WORDS) else name


def _issuing_body(unit: OrgUnit) -> str:
    if unit.kind.is_administrative:
        return f"{PEOPLES_COMMITTEE} {_administrative_name(unit)}".upper()
    return unit.name.upper()


def _parent_body(unit: OrgUnit) -> str:
    """A department prints its people's committee above its own name; a people's committee prints none."""
    parent = unit.parent
    if parent is not None and not unit.kind.is_administrative and parent.kind.is_administrative:
        return f"{PEOPLES_COMMITTEE} {_administrative_name(parent)}".upper()
    return ""


def _body_in_text(unit: OrgUnit) -> str:
    """The body as a sentence names it: "Ủy ban nhân dân xã Bình Lư", "Sở Nội vụ"."""
    if unit.kind.is_administrative:
        return f"Ủy ban nhân dân {_administrative_name(unit)}"
    return " ".join(unit.name.split())


def _symbol(unit: OrgUnit) -> str:
    """ "BC-UBND" for a people's committee; a department's initials otherwise ("BC-SNV")."""
    if unit.kind.is_administrative:
        return "BC-UBND"
    initials = "".join(word[0] for word in strip_diacritics(unit.name).split() if word[:1].isalpha()).upper()
    return f"BC-{initials or 'VP'}"


def _place(unit: OrgUnit) -> str:
    """The administrative unit where the body sits, without its type word: "Bình Lư"."""
    place = unit
    if not unit.kind.is_administrative:
        above = _nearest_administrative(ancestor_ids(unit.path)[:-1])
        place = above or unit
    name = " ".join(place.name.split())
    for word in _DIVISION_WORDS:
        if name.lower().startswith(word + " "):
            return name[len(word) + 1 :].strip()
    return name


def _nearest_administrative(ids: list[int]) -> OrgUnit | None:
    if not ids:
        return None
    return (
        OrgUnit.objects.filter(pk__in=ids, kind__is_administrative=True).select_related("kind")
        .order_by("-path").first()
    )


def _level_above(unit: OrgUnit, owner: OrgUnit) -> OrgUnit | None:
    """Where the report goes: the nearest administrative unit above, else the regime's owner if it is not the unit."""
    above = _nearest_administrative(ancestor_ids(unit.path)[:-1])
    if above is not None:
        return above
    if owner.pk != unit.pk and not owner.path.startswith(unit.path):
        return OrgUnit.objects.select_related("kind").get(pk=owner.pk)
    return None


def _signer(unit: OrgUnit, issuing_body: str) -> Signer:
    """The unit's head if the system knows one (a deputy signs "KT."); the name is left blank otherwise."""
    heads = list(
        Membership.objects.active().filter(org_unit=unit, role=Role.HEAD).select_related("user").order_by("created_at", "pk")
    )
    chief = next((m.user for m in heads if not m.user.position.strip().lower().startswith("phó")), None)
    deputy = None if chief is not None else (heads[0].user if heads else None)
    if unit.kind.is_administrative:
        title, lines = "CHỦ TỊCH", [f"TM. {PEOPLES_COMMITTEE}"]
    else:
        title = next((head for prefix, head in _HEADS if issuing_body.startswith(prefix + " ")), "THỦ TRƯỞNG")
        lines = []
    if deputy is not None:
        return Signer(position=f"PHÓ {title}", name=str(deputy), authority_lines=[*lines, f"KT. {title}"])
    return Signer(position=title, name=str(chief) if chief is not None else "", authority_lines=lines)


# --- text ----------------------------------------------------------------------------------


def _preamble(period: Period, unit: OrgUnit, regime: Any) -> list[str]:
    lines = []
    plan = regime.plan
    if plan is not None:
        words = [f"Thực hiện Kế hoạch số {plan.reference}"]
        if plan.issued_on:
            words.append(f"ngày {format_short_date(plan.issued_on)}")
        words.append(f"về {_lower_first(' '.join(plan.title.split()))}")
        lines.append(" ".join(words) + ";")
    cutoff = (
        f"số liệu từ ngày {format_short_date(period.starts_on)} đến ngày {format_short_date(period.ends_on)}"
    )
    lines.append(
        f"{_body_in_text(unit)} báo cáo kết quả thực hiện {SUBJECT} {' '.join(period.label.split())} "
        f"({cutoff}), như sau:"
    )
    return lines


def _lower_first(text: str) -> str:
    words = text.split(" ", 2)
    if len(words) > 1 and words[0][:1].isupper() and words[0][1:].islower() and not words[1][:1].isupper():
        return text[:1].lower() + text[1:]
    return text


def format_number(value: float | None, decimals: int = 2) -> str:
    """12345.5 → "12.345,5": dots group thousands, the comma marks decimals (Vietnamese usage)."""
    if value is None:
        return NO_DATA
    rounded = round(float(value), decimals)
    if rounded == int(rounded):
        return f"{int(rounded):,}".replace(",", ".")
    whole, _dot, fraction = f"{rounded:,.{decimals}f}".partition(".")
    return f"{whole.replace(',', '.')},{fraction.rstrip('0')}"


def format_rate(rate: float | None) -> str:
    return NO_DATA if rate is None else f"{format_number(100 * rate, 1)}%"


def indicator_value_text(agg: aggregation.Aggregate, unit_id: int, code: str) -> str:
    """The figure as printed in part II (public so that tests and other views print it the same way)."""
    return format_number(agg.value(unit_id, code))


# --- parts ---------------------------------------------------------------------------------


def _completeness_part(agg: aggregation.Aggregate, unit: OrgUnit) -> list[Block]:
    c = agg.nodes[unit.pk].completeness
    blocks: list[Block] = [Heading("TÌNH HÌNH GỬI BÁO CÁO")]
    blocks.append(Bullet(f"Số đơn vị phải báo cáo: {c.expected}."))
    blocks.append(Bullet(f"Số đơn vị đã gửi báo cáo: {c.received}, đạt tỷ lệ {format_rate(c.rate)}; trong đó "
                         f"đúng hạn: {c.on_time}, chậm hạn: {c.late}."))
    blocks.append(Bullet(f"Số đơn vị chưa gửi báo cáo: {c.missing}."))
    children = [node for node in agg.children(unit.pk) if node.completeness.expected]
    if children:
        rows: list[list[str]] = [["STT", "Đơn vị", "Phải báo cáo", "Đã gửi", "Đúng hạn", "Chậm hạn", "Tỷ lệ"]]
        for number, node in enumerate(children, start=1):
            nc = node.completeness
            rows.append([str(number), node.name, str(nc.expected), str(nc.received), str(nc.on_time), str(nc.late),
                         format_rate(nc.rate)])
        blocks.append(Table(rows, widths_mm=COMPLETENESS_WIDTHS))
    return blocks


def _unit_of_measure(value_type: str, rule: str, unit: str) -> str:
    if rule == Aggregation.SHARE_YES:
        return "% số đơn vị"
    return unit or ("%" if value_type == ValueType.PERCENTAGE else "")


def _figures_part(agg: aggregation.Aggregate, unit: OrgUnit) -> list[Block]:
    rows: list[list[str]] = [["STT", "Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Kết quả"]]
    number = 0
    pending_section: list[str] | None = None
    for kind, item in ordered_rows(agg.spec):
        if kind == "section":
            pending_section = [item.number or "", "", item.title, "", ""]
            continue
        if item.value_type == ValueType.TEXT or item.aggregation == Aggregation.NONE:
            continue
        if pending_section is not None:  # a section is printed only if one of its figures is
            rows.append(pending_section)
            pending_section = None
        number += 1
        rows.append([
            str(number), item.code, item.name, _unit_of_measure(item.value_type, item.aggregation, item.unit),
            indicator_value_text(agg, unit.pk, item.code),
        ])
    blocks: list[Block] = [Heading("KẾT QUẢ SỐ LIỆU TỔNG HỢP")]
    if number:
        blocks.append(Paragraph(
            "Số liệu tổng hợp từ các báo cáo đã gửi, theo quy tắc tổng hợp của từng chỉ tiêu "
            "(cộng, bình quân, lớn nhất, nhỏ nhất, tỷ lệ):", italic=True,
        ))
        blocks.append(Table(rows, widths_mm=INDICATOR_WIDTHS))
    else:
        blocks.append(Paragraph("Mẫu báo cáo không có chỉ tiêu số liệu."))
    return blocks


def _answer_blocks(name: str, text: str) -> list[Block]:
    """ "- Xã Bình Lư: first paragraph", its further paragraphs below it."""
    paragraphs = [line.strip() for line in re.split(r"\n\s*", text) if line.strip()]
    if not paragraphs:
        return []
    return [Bullet(f"{name}: {paragraphs[0]}"), *(Paragraph(more) for more in paragraphs[1:])]


def _narrative_part(period: Period, unit: OrgUnit) -> list[Block]:
    blocks: list[Block] = [Heading("KẾT QUẢ THỰC HIỆN CÁC NỘI DUNG")]
    current_section: Any = False
    any_answer = False
    for section, question, answers in aggregation.narratives(period, unit):
        if not answers:
            continue
        any_answer = True
        if section != current_section:
            current_section = section
            blocks.append(Heading(section.title if section is not None else "Nội dung khác", 2))
        blocks.append(Heading(question.text, 3))
        for name, text in answers:
            blocks += _answer_blocks(name, text)
    if not any_answer:
        blocks.append(Paragraph("Chưa có đơn vị nào gửi phần thuyết minh."))
    return blocks


def _local_date(value: dt.datetime | None) -> str:
    return format_short_date(timezone.localtime(value).date()) if value else ""


def _late_and_missing_part(period: Period, unit: OrgUnit) -> list[Block]:
    late, missing = aggregation.late_and_missing(period, unit)
    blocks: list[Block] = [Heading("ĐƠN VỊ GỬI BÁO CÁO CHẬM HẠN, CHƯA GỬI BÁO CÁO")]
    blocks.append(Heading(f"Đơn vị gửi báo cáo chậm hạn (hạn gửi ngày {format_short_date(period.due_on)})", 2))
    blocks += [Bullet(_late_line(s)) for s in late] or [Paragraph("Không có.")]
    blocks.append(Heading("Đơn vị chưa gửi báo cáo", 2))
    blocks += [Bullet(f"{s.org_unit.name}.") for s in missing] or [Paragraph("Không có.")]
    return blocks


def _late_line(submission: Submission) -> str:
    when = _local_date(submission.first_submitted_at or submission.submitted_at)
    return f"{submission.org_unit.name} (gửi ngày {when})." if when else f"{submission.org_unit.name}."
