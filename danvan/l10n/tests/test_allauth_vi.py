"""The Vietnamese catalogue for django-allauth: complete, compiled in sync, and actually used.

allauth ships no Vietnamese, so an untranslated, fuzzy or stale entry shows officials English (or
an outdated text) on the log-in and two-factor pages; these tests catch that, including after an
allauth upgrade that adds msgids.
"""

from __future__ import annotations

import ast
import gettext as pygettext
import re
import struct
from pathlib import Path
from typing import Any

import allauth
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext, pgettext

LC_MESSAGES = Path(__file__).resolve().parent.parent / "locale" / "vi" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"
ALLAUTH_EN_PO = Path(allauth.__file__).resolve().parent / "locale" / "en" / "LC_MESSAGES" / "django.po"

# Placeholders and markup that a translation must carry over unchanged.
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|</?\w+[^>]*>|\n")
FIELD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")$")


def parse_po(path: Path) -> list[dict[str, Any]]:
    """Entries of a .po file as dicts of field → text, plus ``flags`` (a set)."""
    entries: list[dict[str, Any]] = []
    current: dict[str, Any] = {"flags": set()}
    field = ""

    def flush() -> None:
        nonlocal current, field
        if "msgid" in current:
            entries.append(current)
        current, field = {"flags": set()}, ""

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#"):
            if field.startswith("msgstr"):
                flush()
            if line.startswith("#,"):
                current["flags"].update(f.strip() for f in line[2:].split(","))
        elif match := FIELD.match(line):
            field = match.group(1)
            if field == "msgctxt" and "msgid" in current:
                flush()
                field = "msgctxt"
            current[field] = ast.literal_eval(match.group(2))
        elif line.startswith('"'):
            current[field] += ast.literal_eval(line)
        else:
            raise AssertionError(f"{path}: cannot parse line {raw!r}")
    flush()
    return entries


def translation_of(entry: dict[str, Any]) -> str:
    return entry["msgstr[0]"] if "msgid_plural" in entry else entry["msgstr"]


@pytest.fixture(scope="module")
def po_entries() -> list[dict[str, Any]]:
    entries = parse_po(PO)
    assert entries[0]["msgid"] == "", "the header entry comes first"
    return entries


def test_header_declares_vietnamese_with_one_plural_form(po_entries):
    header = po_entries[0]["msgstr"]
    assert "Language: vi\n" in header
    assert "Plural-Forms: nplurals=1; plural=0;\n" in header
    assert "Content-Type: text/plain; charset=UTF-8\n" in header
    assert "fuzzy" not in po_entries[0]["flags"]


def test_every_entry_is_translated_and_none_is_fuzzy(po_entries):
    empty = [e["msgid"] for e in po_entries[1:] if not translation_of(e).strip()]
    fuzzy = [e["msgid"] for e in po_entries if "fuzzy" in e["flags"]]
    assert not empty
    assert not fuzzy
    assert len(po_entries) - 1 >= 376


def test_plural_entries_have_exactly_one_form(po_entries):
    plurals = [e for e in po_entries if "msgid_plural" in e]
    assert len(plurals) >= 2
    for entry in plurals:
        forms = [k for k in entry if k.startswith("msgstr")]
        assert forms == ["msgstr[0]"], entry["msgid"]


def test_translations_keep_placeholders_markup_and_line_breaks(po_entries):
    broken = [
        e["msgid"]
        for e in po_entries[1:]
        if sorted(PLACEHOLDER.findall(e["msgid"])) != sorted(PLACEHOLDER.findall(translation_of(e)))
    ]
    assert not broken


def test_catalogue_covers_every_msgid_of_the_installed_allauth(po_entries):
    """Fails after an allauth upgrade that adds texts, until they are translated here."""
    ours = {(e.get("msgctxt"), e["msgid"]) for e in po_entries}
    theirs = {(e.get("msgctxt"), e["msgid"]) for e in parse_po(ALLAUTH_EN_PO)}
    assert theirs - ours == set()


def test_compiled_catalogue_matches_the_po(po_entries):
    with MO.open("rb") as fh:
        mo = pygettext.GNUTranslations(fh)
    for entry in po_entries[1:]:
        expected = translation_of(entry)
        if "msgid_plural" in entry:
            got = mo.ngettext(entry["msgid"], entry["msgid_plural"], 1)
            assert mo.ngettext(entry["msgid"], entry["msgid_plural"], 5) == expected
        elif "msgctxt" in entry:
            got = mo.pgettext(entry["msgctxt"], entry["msgid"])
        else:
            got = mo.gettext(entry["msgid"])
        assert got == expected, entry["msgid"]
    assert mo.info()["plural-forms"] == "nplurals=1; plural=0;"
    # The .mo holds no stale entries either: same number of strings (header included).
    data = MO.read_bytes()
    byte_order = "<" if data[:4] == b"\xde\x12\x04\x95" else ">"
    (count,) = struct.unpack(byte_order + "I", data[8:12])
    assert count == len(po_entries)


@pytest.mark.parametrize(
    ("english", "vietnamese"),
    [
        ("Sign In", "Đăng nhập"),
        ("Sign Out", "Đăng xuất"),
        ("Too many failed login attempts. Try again later.", "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau."),
        ("Authenticator App", "Ứng dụng xác thực"),
        ("Two-Factor Authentication", "Xác thực hai yếu tố"),
        ("Recovery Codes", "Mã khôi phục"),
        ("Forgot your password?", "Quên mật khẩu?"),
        ("Remember Me", "Ghi nhớ đăng nhập"),
    ],
)
def test_allauth_texts_resolve_to_vietnamese(english, vietnamese):
    with translation.override("vi"):
        assert gettext(english) == vietnamese
    with translation.override("en"):
        assert gettext(english) == english


def test_contexts_and_plurals_resolve():
    with translation.override("vi"):
        assert pgettext("field label", "Login") == "Tài khoản đăng nhập"
        assert pgettext("action", "Change Phone") == "Đổi số điện thoại"
        text = ngettext(
            "There is %(unused_count)s out of %(total_count)s recovery codes available.",
            "There are %(unused_count)s out of %(total_count)s recovery codes available.",
            7,
        ) % {"unused_count": 7, "total_count": 10}
        assert text == "Còn 7 trên tổng số 10 mã khôi phục chưa sử dụng."


@pytest.mark.django_db
def test_login_page_is_rendered_in_vietnamese(client):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đăng nhập" in html
    assert "Mật khẩu" in html
    # Texts that only allauth's log-in form supplies (the page template is the site's own).
    assert 'placeholder="Tên đăng nhập hoặc email"' in html
    assert "Quên mật khẩu?" in html
    assert "Forgot your password?" not in html


@pytest.mark.django_db
def test_english_is_still_served_when_chosen(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switcher, not the browser's setting
    html = client.get(reverse("account_login")).content.decode()
    assert 'placeholder="Username or email"' in html
    assert "Forgot your password?" in html


@pytest.mark.django_db
def test_lockout_message_is_shown_in_vietnamese(client, settings, make_user):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "l10n-vi"}}
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "2/15m/key"}
    make_user("khoa.thu")
    url = reverse("account_login")
    bad = {"login": "khoa.thu", "password": "sai-mat-khau-hoan-toan"}
    for _ in range(2):
        client.post(url, bad, HTTP_ACCEPT_LANGUAGE="vi")
    response = client.post(url, bad, HTTP_ACCEPT_LANGUAGE="vi")
    assert "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau." in response.content.decode()


@pytest.mark.django_db
def test_two_factor_page_is_rendered_in_vietnamese(client, make_user, no_mfa):
    client.force_login(make_user("hai.yeuto"))
    response = client.get(reverse("mfa_index"), HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Xác thực hai yếu tố", "Ứng dụng xác thực", "Chưa kích hoạt ứng dụng xác thực.", "Kích hoạt"):
        assert text in html
    assert "Authenticator App" not in html


@pytest.mark.django_db
def test_password_change_page_is_rendered_in_vietnamese(client, make_user, no_mfa):
    client.force_login(make_user("doi.matkhau"))
    response = client.get(reverse("account_change_password"), HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Đổi mật khẩu", "Mật khẩu hiện tại", "Mật khẩu mới", "Nhập lại mật khẩu mới"):
        assert text in html
