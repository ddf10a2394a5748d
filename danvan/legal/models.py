"""The registry of documents that plans cite: Party resolutions and conclusions, laws, decrees, directives, plans."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from danvan.core.models import TimeStampedModel


class DocType(models.TextChoices):
    """Kinds of document, with the Vietnamese name officials write before the number ("Chỉ thị số 33/CT-TTg")."""

    CONSTITUTION = "constitution", _("Constitution")
    LAW = "law", _("Law")
    ORDINANCE = "ordinance", _("Ordinance")
    RESOLUTION = "resolution", _("Resolution")
    CONCLUSION = "conclusion", _("Conclusion")
    DIRECTIVE = "directive", _("Directive")
    DECREE = "decree", _("Decree")
    CIRCULAR = "circular", _("Circular")
    DECISION = "decision", _("Decision")
    PLAN = "plan", _("Plan")
    PROGRAMME = "programme", _("Programme")
    SCHEME = "scheme", _("Scheme")
    GUIDANCE = "guidance", _("Guidance")
    REGULATION = "regulation", _("Regulation")
    NOTICE = "notice", _("Notice")
    OFFICIAL_LETTER = "official_letter", _("Official letter")
    REPORT = "report", _("Report")
    OTHER = "other", _("Other")


# The Vietnamese type words as they appear in citations, mapped to DocType.
VIETNAMESE_TYPES: dict[str, str] = {
    "Hiến pháp": DocType.CONSTITUTION,
    "Luật": DocType.LAW,
    "Bộ luật": DocType.LAW,
    "Pháp lệnh": DocType.ORDINANCE,
    "Nghị quyết": DocType.RESOLUTION,
    "Kết luận": DocType.CONCLUSION,
    "Chỉ thị": DocType.DIRECTIVE,
    "Nghị định": DocType.DECREE,
    "Thông tư": DocType.CIRCULAR,
    "Thông tư liên tịch": DocType.CIRCULAR,
    "Quyết định": DocType.DECISION,
    "Kế hoạch": DocType.PLAN,
    "Chương trình": DocType.PROGRAMME,
    "Đề án": DocType.SCHEME,
    "Hướng dẫn": DocType.GUIDANCE,
    "Quy định": DocType.REGULATION,
    "Quy chế": DocType.REGULATION,
    "Thông báo": DocType.NOTICE,
    "Công văn": DocType.OFFICIAL_LETTER,
    "Báo cáo": DocType.REPORT,
    # Cited in plans but without a type of their own here; known so that an import does not fail on them.
    "Thông tri": DocType.OTHER,
    "Tờ trình": DocType.OTHER,
}


# Words a searcher may type that citations never index: "Chỉ thị số 33/CT-TTg".
_SEARCH_NOISE = frozenset({"so", "so:", "/", "-", ":"})


class LegalDocumentQuerySet(models.QuerySet):
    def search(self, text: str) -> LegalDocumentQuerySet:
        """Every word of ``text`` must occur, ignoring diacritics and case ("chi thi 33", "ct-ttg")."""
        from danvan.core.text import search_key

        words = [w for w in search_key(text).split(" ") if w and w not in _SEARCH_NOISE]
        qs = self
        for word in words[:12]:
            qs = qs.filter(search_text__contains=word)
        return qs


class LegalDocument(TimeStampedModel):
    """One document, deduplicated by its number and symbol (``33`` + ``CT-TTg``).

    The registry is national and public (these documents are published), so it is not scoped to
    units; who may add to it is decided in rules.py.
    """

    doc_type = models.CharField(_("type"), max_length=30, choices=DocType.choices, default=DocType.OTHER)
    number = models.CharField(_("number"), max_length=30, blank=True, help_text=_("E.g. 33, 10/2022, 114."))
    symbol = models.CharField(_("symbol"), max_length=60, blank=True, help_text=_("E.g. CT-TTg, QH15, KL/TW."))
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    issuer = models.CharField(_("issuing body"), max_length=255, blank=True)
    title = models.TextField(_("summary"), blank=True)
    issuing_unit = models.ForeignKey(
        "orgs.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("issuing unit"), help_text=_("Set when the document was issued by a unit of the tree."),
    )
    url = models.URLField(_("link"), blank=True)
    # Normalised "number/symbol" (no marks, lower case) — the deduplication key.
    key = models.CharField(max_length=100, editable=False, default="")
    search_text = models.TextField(editable=False, default="")

    objects = LegalDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "number"]
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=~Q(key=""), name="legal_document_key_unique"),
        ]
        indexes = [models.Index(fields=["key"], name="legal_document_key_idx")]

    def __str__(self) -> str:
        return self.citation

    @property
    def citation(self) -> str:
        """As written in a plan: "Chỉ thị số 33/CT-TTg"."""
        from .references import type_word

        ref = f"{self.number}/{self.symbol}" if self.number and self.symbol else (self.number or self.symbol)
        # The type word is part of the citation as written in Vietnamese documents, whatever the UI language.
        label = type_word(self.doc_type) or str(self.get_doc_type_display())
        return f"{label} {ref}".strip() if ref else (self.title[:80] or label)
