"""A plan printed as the official document it is: Decree 30/2020 layout, parts numbered I., II., ...

The export is the reverse of :mod:`danvan.plans.parsing`: what this module writes, ``parse_file``
reads back into the same structure (tested), so an exported plan can be re-imported elsewhere.
The wording added around the data (part titles, "Căn cứ ...", "chủ trì, phối hợp với ...") is the
fixed Vietnamese of administrative documents, not UI text, and is therefore not translated.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from decimal import Decimal

from django.db.models import Prefetch

from danvan.documents.decree30 import (
    TYPE_TITLES,
    Block,
    Bullet,
    Heading,
    OfficialDocument,
    Paragraph,
    Signer,
    format_short_date,
    render_docx,
)
from danvan.legal.models import VIETNAMESE_TYPES, DocType, LegalDocument

from .models import (
    Assignment,
    AssignmentRole,
    DeadlineKind,
    Plan,
    PlanSection,
    SigningAuthority,
    Target,
    Task,
)

# The citation word of each type: the first spelling listed ("Luật" before "Bộ luật").
CITATION_WORDS: dict[str, str] = {}
for _word, _code in VIETNAMESE_TYPES.items():
    if _code != DocType.OTHER:  # "other" covers several words; such a document is cited as "văn bản"
        CITATION_WORDS.setdefault(str(_code), _word)

_COLLECTIVE_BODIES = ("ỦY BAN NHÂN DÂN", "UỶ BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN")
_HEADS = (
    (("ỦY BAN NHÂN DÂN", "UỶ BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN", "UBND", "HĐND"), "CHỦ TỊCH"),
    (("SỞ",), "GIÁM ĐỐC"),
    (("PHÒNG",), "TRƯỞNG PHÒNG"),
    (("BAN",), "TRƯỞNG BAN"),
    (("VĂN PHÒNG",), "CHÁNH VĂN PHÒNG"),
    (("THANH TRA",), "CHÁNH THANH TRA"),
)
_DIVISION_WORDS = ("thành phố", "thị trấn", "thị xã", "đặc khu", "tỉnh", "huyện", "quận", "xã", "phường")
_HAS_DATE = re.compile(r"\d{1,2}\s*[/.-]\s*\d{1,2}")


def export_plan_docx(plan: Plan) -> bytes:
    return render_docx(plan_to_document(plan))


def plan_to_document(plan: Plan) -> OfficialDocument:
    """Map a plan and its parts to the generic document; a bounded number of queries, whatever its size."""
    plan = _load(plan)
    issuing_body = _issuing_body(plan)
    body: list[Block] = []
    body += _purposes_part(plan)
    body += _targets_part(plan)
    body += _content_part(plan)
    body += _organisation_part(plan)
    body += _closing(plan)
    return OfficialDocument(
        issuing_body=issuing_body,
        parent_body=_parent_body(plan),
        symbol=plan.symbol,
        number=plan.number,
        place=_place(plan),
        date=plan.issued_on,
        doc_type_title=TYPE_TITLES.get(plan.doc_type, plan.doc_type.upper()),
        summary=plan.title,
        preamble=_preamble(plan),
        body=body,
        signer=_signer(plan, issuing_body),
        recipients=list(plan.recipients or []),
        title=str(plan),
    )


def _load(plan: Plan) -> Plan:
    return (
        Plan.objects.select_related("issuer__kind", "issuer__parent__kind")
        .prefetch_related(
            Prefetch("basis_links__document", queryset=LegalDocument.objects.all()),
            Prefetch("sections", queryset=PlanSection.objects.order_by("order", "pk")),
            Prefetch("tasks", queryset=Task.objects.order_by("order", "pk")),
            Prefetch("targets", queryset=Target.objects.order_by("order", "pk")),
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("task", "unit").prefetch_related("co_units").order_by("order", "pk"),
            ),
            "deadlines",
        )
        .get(pk=plan.pk)
    )


# --- header and signature ----------------------------------------------------------------


def _issuing_body(plan: Plan) -> str:
    if plan.issuing_body.strip():
        return plan.issuing_body.strip()
    unit = plan.issuer
    return f"ỦY BAN NHÂN DÂN {unit.name}".upper() if unit.kind.is_administrative else unit.name.upper()


def _parent_body(plan: Plan) -> str:
    """A people's committee prints no superior body; a department prints its committee above it."""
    if plan.parent_body.strip():
        return plan.parent_body.strip()
    unit = plan.issuer
    parent = unit.parent
    if parent is not None and not unit.kind.is_administrative and parent.kind.is_administrative:
        return f"ỦY BAN NHÂN DÂN {parent.name}".upper()
    return ""


def _place_name(name: str) -> str:
    lowered = name.lower()
    for word in _DIVISION_WORDS:
        if lowered.startswith(word + " "):
            return name[len(word) + 1 :].strip()
    return name


def _place(plan: Plan) -> str:
    if plan.place.strip():
        return plan.place.strip()
    unit = plan.issuer
    while not unit.kind.is_administrative and unit.parent is not None:
        unit = unit.parent
    return _place_name(unit.name)


def _body_in_text(plan: Plan) -> str:
    """The issuer as a sentence names it: "Ủy ban nhân dân xã Bình Lư", "Sở Nội vụ"."""
    unit = plan.issuer
    printed = plan.issuing_body.strip().upper()
    if unit.kind.is_administrative and (not printed or printed.startswith(_COLLECTIVE_BODIES)):
        name = unit.name
        if name.lower().startswith(_DIVISION_WORDS):
            name = name[:1].lower() + name[1:]
        elif unit.division_type:  # the official list names provinces bare: "Lai Châu" → "tỉnh Lai Châu"
            name = f"{unit.division_type.lower()} {name}"
        return f"Ủy ban nhân dân {name}"
    return unit.name


def _head_title(issuing_body: str) -> str:
    upper = issuing_body.upper()
    for prefixes, title in _HEADS:
        if upper.startswith(prefixes):
            return title
    return "THỦ TRƯỞNG"


def _collective(issuing_body: str) -> str | None:
    upper = issuing_body.upper()
    for name in _COLLECTIVE_BODIES:
        if upper.startswith(name):
            return name
    return None


def _signer(plan: Plan, issuing_body: str) -> Signer:
    """Decree 30 art. 13: TM. for the collective body, KT. for a deputy, Q. acting, TL./TUQ. delegated."""
    authority = plan.signer_authority
    head = _head_title(issuing_body)
    position = plan.signer_position.strip().upper() or head
    collective = _collective(issuing_body)
    on_behalf = [f"TM. {collective}"] if collective else []
    lines: list[str] = []
    if authority == SigningAuthority.ON_BEHALF:
        lines = [f"TM. {collective or issuing_body.upper()}"]
    elif authority == SigningAuthority.DEPUTY:
        deputy_of = position.removeprefix("PHÓ ").strip() if position.startswith("PHÓ ") else head
        lines = [*on_behalf, f"KT. {deputy_of}"]
    elif authority == SigningAuthority.ACTING:
        lines = on_behalf
        position = f"Q. {position}"
    elif authority in (SigningAuthority.BY_ORDER, SigningAuthority.AUTHORISED):
        lines = [f"{authority} {head}"]
    return Signer(position=position, name=plan.signer_name.strip(), authority_lines=lines)


# --- preamble ---------------------------------------------------------------------------


def citation(document: LegalDocument) -> str:
    """ "Căn cứ Chỉ thị số 33/CT-TTg ngày 26/11/2021 của Thủ tướng Chính phủ về ...;" """
    word = CITATION_WORDS.get(document.doc_type, "")
    title = " ".join(document.title.split())
    ref = _reference(document)
    parts = ["Căn cứ"]
    if document.doc_type in (DocType.LAW, DocType.CONSTITUTION) and title:
        # A law is cited by its name: "Luật Thực hiện dân chủ ở cơ sở số 10/2022/QH15".
        parts.append(title if title.lower().startswith(word.lower()) else f"{word} {title}")
        title = ""
    elif word:
        parts.append(word)
    else:
        parts.append("văn bản")
    if ref:
        parts.append(f"số {ref}")
    if document.issued_on:
        parts.append(f"ngày {format_short_date(document.issued_on)}")
    if document.issuer.strip():
        parts.append(f"của {' '.join(document.issuer.split())}")
    if title:
        if title.lower().startswith("về "):
            title = title[3:].lstrip()
        parts.append(f"về {_lower_first(title)}")
    return " ".join(parts).rstrip(" .;") + ";"


def _reference(document: LegalDocument) -> str:
    """Party documents join number and symbol with a dash ("114-KL/TW"), state documents with a slash."""
    number, symbol = document.number.strip(), document.symbol.strip()
    if number and symbol:
        joiner = "-" if "/" in symbol and not re.match(r"^QH\d", symbol) else "/"
        return f"{number}{joiner}{symbol}"
    return number or symbol


def _preamble(plan: Plan) -> list[str]:
    own = [line.strip() for line in (plan.preamble or "").splitlines() if line.strip()]
    written = " ".join(own)
    lines = []
    for link in plan.basis_links.all():
        document = link.document
        if document.number and _reference(document) in written:
            continue  # the officer's own preamble already cites it
        lines.append(citation(document))
    if own:
        return lines + own
    title = plan.title.strip()
    if title.lower().startswith("kế hoạch "):  # "ban hành Kế hoạch thực hiện …", not "Kế hoạch kế hoạch …"
        title = title[len("kế hoạch ") :]
    lines.append(f"{_body_in_text(plan)} ban hành Kế hoạch {_lower_first(title)}, như sau:")
    return lines


# --- body -------------------------------------------------------------------------------


def _items(values: list[str] | None) -> list[str]:
    return [" ".join(str(value).split()) for value in values or [] if str(value).strip()]


def _purposes_part(plan: Plan) -> list[Block]:
    purposes, requirements = _items(plan.purposes), _items(plan.requirements)
    if not purposes and not requirements:
        return []
    title = "MỤC ĐÍCH, YÊU CẦU" if purposes and requirements else ("MỤC ĐÍCH" if purposes else "YÊU CẦU")
    blocks: list[Block] = [Heading(title)]
    for name, values in (("Mục đích", purposes), ("Yêu cầu", requirements)):
        if values:
            blocks.append(Heading(name, 2))
            blocks += [Bullet(value) for value in values]
    return blocks


def format_value(value: Decimal) -> str:
    """95.00 → "95", 97.50 → "97,5" (Vietnamese decimal comma)."""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def _target_text(target: Target) -> str:
    text = " ".join(target.text.split())
    if target.value is None:
        return text
    value = format_value(target.value)
    unit = target.unit.strip()
    if unit == "%":
        if re.search(rf"(?<![\d,.]){re.escape(value)}\s*%", text):
            return text
        return f"{value}% {_lower_first(text)}"
    if re.search(rf"(?<![\d,./]){re.escape(value)}\b", text):
        return text
    return f"{text}: {value} {unit}".strip()


def _targets_part(plan: Plan) -> list[Block]:
    targets = list(plan.targets.all())
    if not targets:
        return []
    return [Heading("CHỈ TIÊU"), *[Bullet(_target_text(target)) for target in targets]]


def _content_part(plan: Plan) -> list[Block]:
    sections = list(plan.sections.all())
    tasks = list(plan.tasks.all())
    if not sections and not tasks:
        return []
    tasks_of: dict[int | None, list[Task]] = {}
    for task in tasks:
        tasks_of.setdefault(task.section_id, []).append(task)
    children: dict[int | None, list[PlanSection]] = {}
    for section in sections:
        children.setdefault(section.parent_id, []).append(section)
    blocks: list[Block] = [Heading("NỘI DUNG, NHIỆM VỤ")]
    blocks += [Bullet(task.text) for task in tasks_of.get(None, [])]
    for section in children.get(None, []):
        blocks.append(Heading(section.title, 2))
        blocks += [Bullet(task.text) for task in tasks_of.get(section.pk, [])]
        for child in _descendants(section, children):
            blocks.append(Heading(child.title, 3))
            blocks += [Bullet(task.text) for task in tasks_of.get(child.pk, [])]
    return blocks


def _descendants(section: PlanSection, children: dict[int | None, list[PlanSection]]) -> list[PlanSection]:
    """Sections below the second level are printed as lettered points, in document order."""
    out = []
    for child in children.get(section.pk, []):
        out.append(child)
        out += _descendants(child, children)
    return out


def _duty(assignment: Assignment) -> str:
    duties = " ".join((assignment.duties or (assignment.task.text if assignment.task else "")).split())
    duties = _lower_first(duties.rstrip(" .;"))
    if assignment.role == AssignmentRole.LEAD:
        co_units = [unit.name for unit in assignment.co_units.all()]
        duties = _LEADS.sub("", duties) if co_units else duties
        if duties.startswith("chủ trì"):
            text = duties  # already worded as a lead duty (an imported plan)
        else:
            text = "chủ trì" + (f", phối hợp với {_join(co_units)};" if co_units else "")
            text += f" {duties}" if duties else " tổ chức thực hiện"
    elif assignment.role == AssignmentRole.CO_OPERATING:
        # An imported partner carries the lead's sentence ("chủ trì, phối hợp với X; ..."): keep the duty.
        duties = _LEADS.sub("", duties)
        text = duties if duties.startswith("phối hợp") else (f"phối hợp {duties}" if duties else "phối hợp thực hiện")
    else:
        text = duties or "thực hiện theo chức năng, nhiệm vụ được giao"
    if assignment.due_on and format_short_date(assignment.due_on) not in text:
        text += f", hoàn thành trước ngày {format_short_date(assignment.due_on)}"
    return text


_LEADS = re.compile(r"^chủ trì(?:,?\s*phối hợp(?: chặt chẽ)? với [^;]*;)?\s*")


def _organisation_part(plan: Plan) -> list[Block]:
    groups: OrderedDict[str, list[str]] = OrderedDict()
    for assignment in plan.assignments.all():
        name = " ".join(assignment.unit_name.split()) or (assignment.unit.name if assignment.unit else "")
        if name:
            groups.setdefault(name, []).append(_duty(assignment))
    deadlines = _deadline_sentence(plan)
    if not groups and not deadlines:
        return []
    blocks: list[Block] = [Heading("TỔ CHỨC THỰC HIỆN")]
    for name, duties in groups.items():
        text = "; ".join(duty for duty in duties if duty)
        blocks.append(Heading(f"{name}:", 2, rest=f"{text}." if text else ""))
    if deadlines:
        blocks.append(Paragraph(deadlines))
    return blocks


def _deadline_sentence(plan: Plan) -> str:
    """ "Thời hạn: báo cáo 6 tháng trước ngày 05/6/2026; báo cáo năm trước ngày 15/11/2026." """
    clauses = []
    deadlines = list(plan.deadlines.all())
    if (
        plan.requires_subordinate_plans
        and plan.subordinate_due_on
        and not any(d.kind == DeadlineKind.SUBORDINATE_PLANS for d in deadlines)
    ):
        clauses.append(
            f"xây dựng kế hoạch thực hiện của cơ quan, đơn vị trước ngày {format_short_date(plan.subordinate_due_on)}"
        )
    for deadline in sorted(deadlines, key=lambda d: (d.due_on, d.pk)):
        text = " ".join(deadline.text.split()).rstrip(" .;")
        if _HAS_DATE.search(text):
            clauses.append(_lower_first(text))
        else:
            clauses.append(f"{_lower_first(text)} trước ngày {format_short_date(deadline.due_on)}".strip())
    return f"Thời hạn: {'; '.join(clauses)}." if clauses else ""


def _closing(plan: Plan) -> list[Block]:
    title = _lower_first(" ".join(plan.title.split()).rstrip(" ."))
    return [Paragraph(f"Trên đây là Kế hoạch {title} của {_body_in_text(plan)}./.")]


def _lower_first(text: str) -> str:
    """ "Báo cáo năm" → "báo cáo năm" inside a sentence; acronyms and names ("UBND", "Sở Nội vụ") stay."""
    words = text.split(" ", 2)
    first = words[0]
    if len(first) < 2 or not (first[0].isupper() and first[1:].islower()) or first.lower() in _ALWAYS_CAPITAL:
        return text
    if len(words) > 1 and words[1][:1].isupper():
        return text  # a proper name: "Ban Dân vận", "Bộ Chính trị"
    return first[0].lower() + text[1:]


# Words written with a capital anywhere in a sentence (Nhân dân, Nhà nước, Đảng).
_ALWAYS_CAPITAL = {"nhân", "nhà", "đảng"}


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} và {names[-1]}"
