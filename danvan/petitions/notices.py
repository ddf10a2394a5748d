"""Numbered notices the law calls for at a step of a case, and their Decree-30 DOCX.

Which step gives which notice (``issue_for_step``; see ``notice_texts`` for the legal basis of each):

========================  ===========================================================================
accept                    ACCEPTANCE: complaints get a notice of acceptance, denunciations a decision
forward                   FORWARD: the forwarding slip (Circular 05/2021 form 03)
guide                     GUIDANCE: the guidance slip to the filer
file_away                 NOT_ACCEPTED, only for a complaint or a named denunciation: the two laws
                          require the filer to be told why the case is not accepted (Law 02/2011
                          Art. 27, Law 25/2018 Art. 29). A recommendation or feedback filed away
                          and an anonymous petition get none: there is nobody to notify and
                          Circular 05/2021 asks none.
extend                    EXTENSION: the written extension decision (Law 25/2018 Art. 30)
resolve, reply            RESULT: the notice of the result, or the reply to a recommendation/feedback
anything else             no notice
========================  ===========================================================================

Numbers run per unit, kind and year of issue (restarting on 1 January, Decree 30 Art. 15); the
unit's row is locked while the number is chosen, as for petitions, and the unique constraint is
the backstop. ``Notice.data`` freezes the facts of the step (dates, numbers, the deadline that
applied) so that reopening a case later never changes a notice already sent; it never holds a
denunciation filer's identity, which is put into the DOCX only for a viewer allowed to reveal it,
and that reveal is audited like any other.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.writes import user_or_none
from danvan.documents.decree30 import Block, OfficialDocument, Paragraph, Signer, render_docx
from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import scope_of

from . import identity
from . import notice_texts as T
from .locking import lock_unit, next_number
from .models import Notice, NoticeKind, Petition, PetitionEvent, PetitionKind, ReceptionVisit

K = NoticeKind
EARLIEST = dt.date(2000, 1, 1)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Keys that could identify a person: never kept in a notice's data, whatever the caller passes.
_PERSONAL_KEYS = frozenset({"identity", "filer_name", "filer_address", "name", "address", "id_number",
                            "phone", "email", "visitor_name", "visitor_address"})
# Step facts copied from the event into the notice (the rest of the event is not the notice's business).
_EVENT_KEYS = ("accepted_on", "to_unit", "to_name", "ground", "extension", "decision_number", "decision_on",
               "outcome", "next_due")


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _number_line(number: int, symbol: str) -> str:
    return f"{number:02d}/{symbol}"


@transaction.atomic
def issue_notice(*, actor: Any, kind: str, org_unit: OrgUnit, petition: Petition | None = None,
                 visit: ReceptionVisit | None = None, event: PetitionEvent | None = None,
                 data: dict[str, Any] | None = None, issued_on: dt.date | None = None) -> Notice:
    """Number and record a notice of ``kind`` issued by ``org_unit`` (today unless ``issued_on``), audited.

    Runs in the caller's transaction. The caller has already checked that ``actor`` may take the
    step; this refuses only what would make a wrong document (an unknown kind, a case of another
    unit, a date in the future).
    """
    errors: dict[str, str] = {}
    if kind not in K.values:
        errors["kind"] = _("Unknown kind of notice.")
    if not isinstance(org_unit, OrgUnit):
        errors["org_unit"] = _("Choose a current unit.")
    elif petition is not None and petition.org_unit_id != org_unit.pk:
        errors["petition"] = _("The petition belongs to another unit.")
    elif visit is not None and visit.org_unit_id != org_unit.pk:
        errors["visit"] = _("The reception visit belongs to another unit.")
    today = timezone.localdate()
    issued_on = issued_on or today
    if not isinstance(issued_on, dt.date) or isinstance(issued_on, dt.datetime):
        errors["issued_on"] = _("Enter a valid date.")
    elif issued_on > today:
        errors["issued_on"] = _("The date cannot be in the future.")
    elif issued_on < EARLIEST:
        errors["issued_on"] = _("The date cannot be before 01/01/2000.")
    if errors:
        raise ValidationError(errors)
    petition_kind = petition.kind if petition is not None else (visit.kind if visit is not None else "")
    clean = {k: _json(v) for k, v in (data or {}).items() if k not in _PERSONAL_KEYS}
    clean["petition_kind"] = petition_kind
    clean["symbol"] = T.symbol(T.heading(kind, petition_kind).code, org_unit)

    lock_unit(org_unit.pk)
    year = issued_on.year
    notice = Notice.objects.create(
        org_unit=org_unit, petition=petition, visit=visit, event=event, kind=kind, year=year,
        number=next_number(Notice.objects.filter(org_unit=org_unit, kind=kind, year=year)), issued_on=issued_on, data=clean, issued_by=user_or_none(actor),
    )
    audit.record("petitions.notice.issue", actor=actor, obj=notice, org_unit=org_unit, summary={
        "kind": kind, "number": notice.number, "year": year,
        "petition": petition.pk if petition is not None else None,
        "visit": visit.pk if visit is not None else None,
    })
    return notice


def notice_number(notice: Notice) -> str:
    """ "05/TB-UBND", as printed and as written on the case step."""
    return _number_line(notice.number, notice.data.get("symbol", ""))


def _step_kind(petition: Petition, event: PetitionEvent) -> str | None:
    action = event.action
    if action == "accept":
        return K.ACCEPTANCE
    if action == "forward":
        return K.FORWARD
    if action == "guide":
        return K.GUIDANCE
    if action == "file_away":
        if petition.anonymous or petition.kind not in (PetitionKind.COMPLAINT, PetitionKind.DENUNCIATION):
            return None
        return K.NOT_ACCEPTED
    if action == "extend":
        return K.EXTENSION
    if action in ("resolve", "reply"):
        return K.RESULT
    return None


def issue_for_step(*, actor: Any, petition: Petition, event: PetitionEvent) -> Notice | None:
    """Issue the notice this step requires, if any, inside the caller's transaction; the step gets its number."""
    kind = _step_kind(petition, event)
    if kind is None:
        return None
    data = {k: event.data[k] for k in _EVENT_KEYS if event.data.get(k) not in (None, "")}
    if event.reason:
        data["reason"] = event.reason
    if kind == K.FORWARD and petition.forwarded_to_id:
        data["to_name"] = T.body_in_text(OrgUnit.objects.select_related("kind").get(pk=petition.forwarded_to_id))
    notice = issue_notice(actor=actor, kind=kind, org_unit=petition.org_unit, petition=petition, event=event,
                          data=data)
    number = notice_number(notice)
    PetitionEvent.objects.filter(pk=event.pk).update(notice_number=number)
    event.notice_number = number
    return notice


# --------------------------------------------------------------------------- reading


def may_view(user: Any, notice: Notice) -> bool:
    """Whoever may see the case (or the reception book entry, or the unit) may print its notice."""
    if not getattr(user, "is_authenticated", False):
        return False
    if notice.petition_id is not None:
        return bool(user.has_perm("petitions.view_petition", notice.petition))
    if notice.visit_id is not None:
        visit = notice.visit
        return visit is not None and visit.deleted_at is None and scope_of(user).covers(visit.org_unit.path)
    return scope_of(user).covers(notice.org_unit.path)


def open_notice(user: Any, notice: Notice) -> tuple[bytes, str]:
    """(DOCX bytes, file name) for a user allowed to see it; ``PermissionDenied`` otherwise."""
    if not may_view(user, notice):
        raise PermissionDenied(_("You are not allowed to see this notice."))
    return render_notice_docx(notice, viewer=user), filename(notice)


def filename(notice: Notice) -> str:
    return f"{notice_number(notice).replace('/', '-')}.docx"


def _filer(notice: Notice, viewer: Any) -> tuple[str, str]:
    """(name, address) of the person the notice is addressed to, as this viewer may see them."""
    petition, visit = notice.petition, notice.visit
    if petition is not None:
        if petition.anonymous:
            return T.ANONYMOUS_FILER, ""
        if petition.kind == PetitionKind.DENUNCIATION:
            if viewer is not None and identity.can_reveal(viewer, petition):
                try:
                    who = identity.reveal_identity(
                        actor=viewer, petition=petition,
                        reason=f"Printing notice {notice_number(notice)} (#{notice.pk})",
                    )
                except ValidationError:  # nothing recorded, or a name that collides with the reason
                    return T.IDENTITY_WITHHELD, ""
                return who.get("name", T.IDENTITY_WITHHELD), who.get("address", "")
            return T.IDENTITY_WITHHELD, ""
        return petition.filer_name or petition.forwarded_by or T.ANONYMOUS_FILER, petition.filer_address
    if visit is not None:
        if visit.kind == PetitionKind.DENUNCIATION:
            return T.IDENTITY_WITHHELD, ""
        return visit.visitor_name or T.ANONYMOUS_FILER, visit.visitor_address
    return "", ""


def _body(notice: Notice, who: str, address: str) -> tuple[list[Block], list[str]]:
    d = notice.data
    p, visit = notice.petition, notice.visit
    unit = notice.org_unit
    body_name = T.body_in_text(unit)
    pk = d.get("petition_kind", "")
    word = T.KIND_WORDS.get(pk, "đơn")
    filer_word = T.FILER_WORDS.get(pk, "người gửi đơn")
    who_text = f"{who}, địa chỉ: {address}" if address else who
    blocks: list[Block] = []
    recipients = [f"{filer_word.capitalize()}: {who}" if who else filer_word.capitalize()]
    if p is not None:
        blocks.append(Paragraph(
            f"Ngày {T.day(p.received_on)}, {body_name} nhận được đơn {word} của {who_text} "
            f"(số vào sổ {p.number}/{p.number_year}), nội dung: {' '.join(p.summary.split())}."))
    kind = notice.kind
    reason = " ".join(str(d.get("reason", "")).split())
    if kind == K.ACCEPTANCE:
        law = "Luật Tố cáo năm 2018" if pk == PetitionKind.DENUNCIATION else "Luật Khiếu nại năm 2011"
        blocks.append(Paragraph(
            f"Căn cứ {law}, {body_name} thụ lý giải quyết {word} nêu trên kể từ ngày {T.day(d.get('accepted_on'))}."))
        blocks.append(Paragraph(f"Thời hạn giải quyết: đến ngày {T.day(d.get('next_due'))}."))
    elif kind == K.FORWARD:
        to = d.get("to_name") or "cơ quan có thẩm quyền"
        blocks.append(Paragraph(
            f"Căn cứ Thông tư số 05/2021/TT-TTCP ngày 01/10/2021 của Thanh tra Chính phủ, {body_name} chuyển đơn "
            f"đến {to} để xem xét, giải quyết theo thẩm quyền và thông báo cho {filer_word} biết."))
        recipients.insert(0, to)
    elif kind == K.GUIDANCE:
        blocks.append(Paragraph(
            f"Nội dung đơn không thuộc thẩm quyền giải quyết của {body_name}. {body_name} hướng dẫn {filer_word} "
            f"như sau: {reason or '…'}"))
    elif kind == K.NOT_ACCEPTED:
        ground = T.GROUND_WORDS.get(d.get("ground", ""), "")
        text = f"{body_name} không thụ lý giải quyết {word} nêu trên với lý do: {ground or reason or '…'}."
        if reason and ground:
            text += f" {reason}"
        blocks.append(Paragraph(text))
    elif kind == K.EXTENSION:
        number = d.get("decision_number")
        blocks.append(Paragraph(
            f"Gia hạn giải quyết {word} lần {d.get('extension', '…')}"
            + (f" (Quyết định số {number})" if number else "")
            + f". Thời hạn giải quyết sau khi gia hạn: đến ngày {T.day(d.get('next_due'))}."))
        if reason:
            blocks.append(Paragraph(f"Lý do gia hạn: {reason}"))
    elif kind == K.RESULT:
        number, on = d.get("decision_number"), d.get("decision_on")
        if pk in (PetitionKind.RECOMMENDATION, PetitionKind.FEEDBACK):
            blocks.append(Paragraph(f"{body_name} trả lời như sau: {reason or '…'}"))
            if number:
                blocks.append(Paragraph(f"Văn bản trả lời số {number}" + (f" ngày {T.day(on)}." if on else ".")))
        else:
            outcome = T.OUTCOME_WORDS.get(d.get("outcome", ""), "")
            blocks.append(Paragraph(
                f"{word.capitalize()} đã được giải quyết tại Quyết định (Kết luận) số {number or '…'} ngày {T.day(on)}"
                + (f"; kết quả: {word} {outcome}." if outcome else ".")))
            if reason:
                blocks.append(Paragraph(reason))
    elif kind == K.REFUSAL and visit is not None:
        ground = T.REFUSAL_WORDS.get(visit.refusal_ground, "")
        blocks.append(Paragraph(
            f"Ngày {T.day(visit.visited_on)}, {body_name} từ chối tiếp {who_text} với lý do: {ground or '…'}."))
        if visit.refusal_reason:
            blocks.append(Paragraph(" ".join(visit.refusal_reason.split())))
    blocks.append(Paragraph(f"{body_name} thông báo để {filer_word} và các cơ quan, đơn vị có liên quan biết./."))
    return blocks, recipients


def render_notice_docx(notice: Notice, *, viewer: Any = None) -> bytes:
    """The notice as a Decree-30 document, rebuilt from its row and the case.

    A denunciation's filer is printed only for a ``viewer`` who may reveal the identity (the
    reveal is audited); everyone else, and a call without a viewer, gets the withheld wording.
    """
    notice = (Notice.objects.select_related("org_unit__kind", "org_unit__parent__kind", "petition", "visit")
              .get(pk=notice.pk))
    unit = notice.org_unit
    petition_kind = notice.data.get("petition_kind", "")
    head = T.heading(notice.kind, petition_kind)
    who, address = _filer(notice, viewer)
    body, recipients = _body(notice, who, address)
    position, authority = T.signer_position(unit)
    document = OfficialDocument(
        issuing_body=T.issuing_body(unit),
        parent_body=T.parent_body(unit),
        symbol=notice.data.get("symbol") or T.symbol(head.code, unit),
        number=notice.number,
        place=T.place(unit),
        date=notice.issued_on,
        doc_type_title=head.title,
        summary=head.summary,
        body=body,
        signer=Signer(position=position, authority_lines=authority),
        recipients=recipients,
        title=f"{head.title.capitalize()} {notice_number(notice)}",
    )
    return render_docx(document)
