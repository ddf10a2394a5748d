"""Two registrations of the same new document at the same time create one record.

The first transaction inserts and waits before committing; the second looks the key up (nothing
committed yet), tries to insert, and must end up with the first one's record. On PostgreSQL the
second insert waits on the unique index and then fails, which exercises the re-read. SQLite
takes its write lock at BEGIN IMMEDIATE, so the race cannot happen there, and its shared-cache
in-memory test database reports table locks instead of waiting: PostgreSQL only.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connections, transaction

from danvan.legal import services
from danvan.legal.models import LegalDocument

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connections["default"].vendor != "postgresql", reason="needs PostgreSQL (see the docstring)"),
]


@pytest.mark.django_db(transaction=True)
def test_concurrent_register_creates_one_record() -> None:
    inserted = threading.Event()
    release = threading.Event()
    results: dict[str, int] = {}
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                doc = services.register_document(
                    actor=None, doc_type="Chỉ thị", number="33", symbol="CT-TTg", issued_on=None, issuer="",
                )
                results["first"] = doc.pk
                inserted.set()
                release.wait(timeout=30)
        except BaseException as exc:
            errors.append(exc)
            inserted.set()
        finally:
            connections.close_all()

    def second() -> None:
        try:
            doc = services.register_document(
                actor=None, doc_type="chi thi", number="33/ct-ttg", symbol="", issued_on="2021-11-26",
                issuer="Thủ tướng Chính phủ",
            )
            results["second"] = doc.pk
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    t1 = threading.Thread(target=first)
    t1.start()
    assert inserted.wait(timeout=30)
    t2 = threading.Thread(target=second)
    t2.start()
    time.sleep(0.5)  # let the second reach its insert and wait on the unique index
    release.set()
    t1.join(timeout=60)
    t2.join(timeout=60)
    assert not errors, errors
    assert results["first"] == results["second"]
    doc = LegalDocument.objects.get()
    assert (doc.number, doc.symbol) == ("33", "CT-TTg")
    assert doc.issuer == "Thủ tướng Chính phủ" and doc.issued_on is not None  # the second filled the blanks
