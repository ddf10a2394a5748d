"""Which canaries a caller must never receive, and a scanner of responses (HTML, JSON, CSV, XLSX, DOCX, headers).

A response leaks when any canary of an object the caller may not see appears in its body or its
headers, whatever the status: a 403 page, a 404 error, a count, an export and a search result are
all bodies. Office files are ZIP archives of XML, so they are unzipped and every member searched.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from .world import PUBLIC_KINDS, UNITS, World, canary

# What a commune reads of its province: the regime it reports to and its period (reports/rules.py
# docstring), the province's issued plans it implements (plans/rules.py docstring).
DOWNWARD_KINDS = frozenset({"regime", "period", "reportform", "reportsection", "indicator", "issuedplan",
                            "issuedtask"})
# A whistleblower's identity: nobody but the assigned handler, on the identity page, ever.
IDENTITY_KINDS = frozenset({"whistleblower", "wbaddress"})
# Kinds the public site shows by design for any unit: published surveys (their public form and the
# portal's list of open surveys) and the commendations a unit awarded.
PUBLIC_SITE_KINDS = frozenset({"survey", "commendation"})
PUBLIC_ROUTE_PREFIXES = ("portal:", "petitions_public:", "surveys_public:", "disclosures_public:",
                         "dialogues_public:", "open311_", "healthz", "home", "set_language")
# Published report forms: the API lists them to any signed-in caller (reports.view_form is
# "authenticated"; operation reports_forms), while the web narrows them to the units concerned.
FORM_KINDS = frozenset({"reportform", "reportsection", "indicator"})
# Per-user objects: a notification is its owner's only.
PERSONAL_KINDS = frozenset({"notification"})


def _all_kinds(world: World, key: str) -> list[str]:
    return [k for k in world.objects.get(key, {}) if k not in PUBLIC_KINDS]


def forbidden_canaries(world: World, cell: Any, route: str) -> set[str]:
    """The canaries the cell's caller must not see in the answer of ``route``."""
    relation = getattr(cell, "relation", cell)
    role = getattr(cell, "role", None)
    user_key = {"child": "P", "nobody": None, "anon": None}.get(relation, "C")
    visible_units: set[str] = set()
    if user_key == "C":
        visible_units = {"C"}
    elif user_key == "P":
        visible_units = {"P", "C", "S"}
    out: set[str] = set()
    public_route = route.startswith(PUBLIC_ROUTE_PREFIXES)
    for key in UNITS:
        for kind in _all_kinds(world, key):
            if kind in IDENTITY_KINDS:
                if not (route in ("petitions:identity",) and relation == "own" and role == "case_handler"
                        and key == "C"):
                    out.add(canary(key, kind))
                continue
            if kind in PERSONAL_KINDS:
                owner = f"{key}:officer"
                if not (user_key and f"{user_key}:{role}" == owner):
                    out.add(canary(key, kind))
                continue
            if key in visible_units:
                continue
            if kind in DOWNWARD_KINDS and key == "P" and user_key == "C":
                continue
            if kind in FORM_KINDS and route.startswith("api:") and relation != "anon":
                continue
            if public_route and kind in PUBLIC_SITE_KINDS:
                continue
            out.add(canary(key, kind))
    return out


def body_of(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        data = b"".join(response.streaming_content)
    else:
        data = bytes(response.content)
    if data[:4] == b"PK\x03\x04":  # XLSX, DOCX: search the XML inside
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                data += b"".join(z.read(n) for n in z.namelist())
        except zipfile.BadZipFile:
            pass
    return data


def scan(response: Any, canaries: set[str]) -> set[str]:
    """The canaries found in the response (body, unzipped archives, headers)."""
    if not canaries:
        return set()
    data = body_of(response)
    headers = " ".join(f"{k}: {v}" for k, v in response.items()).encode()
    hay = data + b"\n" + headers
    if b"CANARY-" not in hay:
        return set()
    return {c for c in canaries if c.encode() in hay}
