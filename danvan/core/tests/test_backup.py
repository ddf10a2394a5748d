"""``danvan backup`` / ``danvan restore``: a restore into an empty database gives back every row, every file and
the audit chain; keys never go into the archive; a damaged, foreign or misdirected archive writes nothing.

The backup reads committed data from another connection (SQLite's backup API, pg_dump), hence
transactional tests. The restore runs as the real command in a child process configured for a new,
empty database and media folder, as an operator would run it.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import os
import sqlite3
import subprocess  # noqa: S404
import sys
import tarfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, ManagementUtility, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from danvan import cli
from danvan.core import uploads
from danvan.core.audit import verify_chain
from danvan.core.backup import BackupError, create_backup, prepare_restore, read_archive
from danvan.core.models import AuditChainHead, AuditEvent
from danvan.orgs import services as org_services
from danvan.petitions import crypto
from danvan.petitions.attachments import store_attachment
from danvan.petitions.identity import store_identity
from danvan.petitions.models import FilerIdentity, Petition

pytestmark = pytest.mark.django_db(transaction=True)

KEY = Fernet.generate_key().decode()
IDENTITY = {"name": "Nguyễn Thị Tố Giác", "address": "Số 7 ngõ Kín Đáo", "id_number": "001234567890",
            "phone": "0912 345 678", "email": "togiac.bimat@thurieng.vn"}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
SCAN = b"%PDF-1.4\n% ban viet tay cua nguoi to cao\ntrailer << >>\n%%EOF\n"
BIN = Path(sys.executable).parent


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DANVAN_IDENTITY_KEYS = [KEY]
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def data(tree: dict[str, Any], media: Path, kinds: dict[str, Any]) -> dict[str, Any]:
    """A protected identity, an encrypted scan and a plain file of a denunciation, a stray upload, audit events."""
    org_services.create_unit(actor=None, kind=kinds["village"], name="Bản Mới", parent=tree["A1"])
    petition = Petition.objects.create(
        org_unit=tree["A1"], number=1, number_year=2026, received_on=dt.date(2026, 7, 10), channel="post",
        kind="denunciation", summary="Tố cáo cán bộ địa chính thu tiền trái quy định")
    store_identity(petition, dict(IDENTITY))
    scan = store_attachment(actor=None, file=SimpleUploadedFile("to_cao.pdf", SCAN), petition=petition,
                            identifies_filer=True)
    plain = store_attachment(actor=None, file=SimpleUploadedFile("bien_ban.pdf", PDF), petition=petition)
    stray = uploads.save_checked(SimpleUploadedFile("ghi_chu.pdf", PDF), folder="tests")
    return {"petition": petition, "scan": scan, "plain": plain, "stray": stray["file"]}


def _counts() -> dict[str, int]:
    out = {}
    with connection.cursor() as cur:
        for table in connection.introspection.table_names():
            cur.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            out[table] = cur.fetchone()[0]
    return out


def _audit_rows(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The summary as data: Django's cursor gives PostgreSQL's jsonb as text, psycopg's own as a dict."""
    return [(*r[:5], json.loads(r[5]) if isinstance(r[5], str) else r[5], *r[6:]) for r in rows]


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# ``at`` is left out only because each side's driver formats it its own way; the hash covers it, and the
# restore itself verifies every hash against the content on the restored side.
AUDIT_SQL = ("SELECT seq, actor_label, action, object_type, object_id, summary, prev_hash, hash"
             " FROM core_auditevent ORDER BY seq")


# --------------------------------------------------------------------------- a second, empty database


class Target:
    """A new, empty database (and media folder) of the vendor under test, for the restore in a child process."""

    def __init__(self, tmp: Path) -> None:
        self.media = tmp / "restored-media"
        s = connection.settings_dict
        if connection.vendor == "sqlite":
            self.path = tmp / "restored.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            self.name = f"danvan_restore_{uuid.uuid4().hex[:12]}"
            with connection.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{self.name}"')
            auth = f"{s['USER']}:{s['PASSWORD']}@" if s["PASSWORD"] else f"{s['USER']}@"
            self.url = f"postgres://{auth}{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{self.name}"

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if connection.vendor == "sqlite":
            with sqlite3.connect(self.path) as db:
                return list(db.execute(sql).fetchall())
        import psycopg

        s = connection.settings_dict
        with psycopg.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"],
                             password=s["PASSWORD"] or None, dbname=self.name) as db:
            return list(db.execute(sql).fetchall())  # type: ignore[arg-type]

    def tables(self) -> list[str]:
        if connection.vendor == "sqlite":
            sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        else:
            sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        return sorted(r[0] for r in self.query(sql))

    def counts(self) -> dict[str, int]:
        return {t: int(self.query(f'SELECT COUNT(*) FROM "{t}"')[0][0]) for t in self.tables()}  # noqa: S608

    def restore(self, archive: Path, *extra: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "danvan.settings.test", "DANVAN_DATABASE_URL": self.url,
               "DANVAN_MEDIA_ROOT": str(self.media)}
        return subprocess.run([str(BIN / "danvan"), "restore", str(archive), *extra],  # noqa: S603
                              env=env, capture_output=True, text=True, timeout=300, check=False)

    def drop(self) -> None:
        if connection.vendor != "sqlite":
            with connection.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Target]:
    t = Target(tmp_path)
    yield t
    t.drop()


# --------------------------------------------------------------------------- the round trip


def test_restore_into_empty_database_gives_back_rows_files_and_audit_chain(
        data: dict[str, Any], media: Path, tmp_path: Path, target: Target) -> None:
    before = _counts()
    with connection.cursor() as cur:
        cur.execute(AUDIT_SQL)
        chain = _audit_rows(cur.fetchall())
    assert len(chain) >= 3 and verify_chain().ok
    files = _files(media)
    assert len(files) == 3
    ciphertext = FilerIdentity.objects.get().ciphertext

    result = create_backup(tmp_path)
    assert result.manifest["tables"] == {t: n for t, n in before.items()}

    # A damaged copy first: refused, and the new database and media folder stay empty.
    damaged = tmp_path / "damaged.tar.gz"
    raw = bytearray(result.path.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    damaged.write_bytes(bytes(raw))
    failed = target.restore(damaged, "--yes")
    assert failed.returncode != 0
    assert target.tables() == []
    assert not target.media.exists() or not any(target.media.rglob("*"))

    done = target.restore(result.path, "--yes")
    assert done.returncode == 0, done.stderr

    # Rows: every table as it was, plus the restore's own audit event.
    expected = {**before, "core_auditevent": before["core_auditevent"] + 1}
    assert target.counts() == expected
    # Files: the same bytes under the same names (the encrypted scan stays encrypted).
    assert _files(target.media) == files
    stored_scan = (target.media / data["scan"].file.name).read_bytes()
    assert SCAN not in stored_scan and Fernet(KEY.encode()).decrypt(stored_scan) == SCAN
    # The identity came back encrypted, readable with the key kept outside the archive.
    restored_cipher = target.query("SELECT ciphertext FROM petitions_fileridentity")[0][0]
    assert restored_cipher == ciphertext and crypto.decrypt(restored_cipher)["name"] == IDENTITY["name"]
    # The audit chain: the same events, then the restore, linked to the archive's last event.
    restored = _audit_rows(target.query(AUDIT_SQL))
    assert restored[: len(chain)] == chain
    last = restored[-1]
    assert last[2] == "core.backup_restored" and last[6] == chain[-1][7]
    summary = last[5]
    assert summary["sha256"] == result.sha256 and summary["audit_head_hash"] == chain[-1][7]
    head = target.query("SELECT last_seq, last_hash FROM core_auditchainhead")[0]
    assert (head[0], head[1]) == (last[0], last[7])


def test_archive_holds_data_and_manifest_but_no_key(data: dict[str, Any], media: Path, tmp_path: Path) -> None:
    head = AuditChainHead.objects.get()
    result = create_backup(tmp_path)

    assert result.path.name.startswith("danvan-backup-") and result.path.name.endswith(".tar.gz")
    assert result.path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left
    plain = gzip.decompress(result.path.read_bytes())
    secrets = [django_settings.SECRET_KEY, KEY, *django_settings.DANVAN_IDENTITY_KEYS]
    if connection.settings_dict.get("PASSWORD"):
        secrets.append(connection.settings_dict["PASSWORD"])
    for secret in secrets:
        assert secret.encode() not in plain
    for value in (IDENTITY["name"], IDENTITY["id_number"], IDENTITY["email"]):
        assert value.encode() not in plain, "an identity must stay encrypted in the archive"
    assert SCAN not in plain

    with tarfile.open(result.path) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    member = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}[connection.vendor]
    assert names[0] == member and names[-1] == "manifest.json"
    assert sorted(n for n in names if n.startswith("media/")) == sorted(f"media/{p}" for p in _files(media))
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["audit"] == {"events": head.last_seq, "head_seq": head.last_seq, "head_hash": head.last_hash}
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder.Migration.objects.order_by("id").values_list("app", "name"):
        latest[app] = name
    assert manifest["migrations"] == latest and "petitions" in latest
    assert {f["path"]: f["sha256"] for f in manifest["files"]} == {
        p: hashlib.sha256(b).hexdigest() for p, b in _files(media).items()}
    assert manifest["tables"]["petitions_fileridentity"] == 1 and manifest["tables"]["petitions_attachment"] == 2
    assert manifest["missing_files"] == []


def test_backup_is_recorded_after_the_snapshot_with_the_archive_digest(data: dict[str, Any], tmp_path: Path) -> None:
    head_before = AuditChainHead.objects.get()
    out = io.StringIO()
    call_command("backup", output=str(tmp_path), stdout=out)
    archive = next(tmp_path.glob("danvan-backup-*.tar.gz"))
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.action == "core.backup_created"
    assert event.seq == head_before.last_seq + 1  # not in the archive: the archive ends before it
    assert event.summary["sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()
    assert event.summary["audit_head_hash"] == head_before.last_hash
    assert event.summary["archive"] == archive.name and "/" not in event.summary["archive"]
    assert event.summary["sha256"] in out.getvalue()
    assert verify_chain().ok


def test_backup_names_files_missing_on_disk_and_refuses_to_overwrite(
        data: dict[str, Any], media: Path, tmp_path: Path) -> None:
    (media / data["plain"].file.name).unlink()
    first = create_backup(tmp_path / "one.tar.gz")
    assert first.manifest["missing_files"] == [data["plain"].file.name]
    with pytest.raises(BackupError):
        create_backup(tmp_path / "one.tar.gz")
    with pytest.raises(BackupError):
        create_backup(tmp_path / "no-such-folder" / "x.tar.gz")


# --------------------------------------------------------------------------- archives refused before any write


def _repack(source: Path, dest: Path, change: Callable[[dict[str, bytes], dict[str, Any]], None]) -> Path:
    with tarfile.open(source) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar}  # type: ignore[union-attr]
    manifest = json.loads(members.pop("manifest.json"))
    change(members, manifest)
    with tarfile.open(dest, "w:gz") as tar:
        for name, body in [*members.items(), ("manifest.json", json.dumps(manifest).encode())]:
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return dest


@pytest.fixture
def archive(data: dict[str, Any], tmp_path: Path) -> Path:
    return create_backup(tmp_path / "good.tar.gz").path


@pytest.fixture
def unchanged(media: Path) -> Iterator[None]:
    """Whatever a refused restore tried, the database and the media folder are as they were."""
    counts, files = _counts(), _files(media)
    yield
    assert _counts() == counts and _files(media) == files


def _refused(path: Path, code: str, **kwargs: Any) -> BackupError:
    with pytest.raises(BackupError) as info:
        prepare_restore(path, **kwargs)
    assert info.value.code == code, str(info.value)
    return info.value


def test_missing_archive_is_refused(archive: Path, tmp_path: Path, unchanged: None) -> None:
    _refused(tmp_path / "nope.tar.gz", "missing")
    with pytest.raises(CommandError, match="nope.tar.gz"):
        call_command("restore", str(tmp_path / "nope.tar.gz"), yes=True)


def test_flipped_byte_is_refused(archive: Path, tmp_path: Path, unchanged: None) -> None:
    raw = bytearray(archive.read_bytes())
    raw[len(raw) // 3] ^= 0x40
    bad = tmp_path / "flipped.tar.gz"
    bad.write_bytes(bytes(raw))
    _refused(bad, "damaged")
    with pytest.raises(CommandError):
        call_command("restore", str(bad), check=True)


def test_altered_file_or_database_is_refused_by_its_checksum(
        archive: Path, tmp_path: Path, unchanged: None, data: dict[str, Any]) -> None:
    def alter_file(members: dict[str, bytes], manifest: dict[str, Any]) -> None:
        members[f"media/{data['plain'].file.name}"] = PDF + b"% altered\n"

    def alter_db(members: dict[str, bytes], manifest: dict[str, Any]) -> None:
        name = manifest["database"]["member"]
        members[name] = members[name][:-1] + bytes([members[name][-1] ^ 1])

    def extra_file(members: dict[str, bytes], manifest: dict[str, Any]) -> None:
        members["media/tests/planted.pdf"] = PDF

    for n, change in enumerate((alter_file, alter_db, extra_file)):
        _refused(_repack(archive, tmp_path / f"altered{n}.tar.gz", change), "damaged")


def test_expected_digest_must_match(archive: Path, tmp_path: Path, unchanged: None) -> None:
    _refused(archive, "damaged", expect_sha256="0" * 64)
    good = hashlib.sha256(archive.read_bytes()).hexdigest()
    assert read_archive(archive, expect_sha256=good).sha256 == good


def test_paths_leading_out_of_the_media_folder_are_refused(archive: Path, tmp_path: Path, unchanged: None) -> None:
    def escape(members: dict[str, bytes], manifest: dict[str, Any]) -> None:
        members["media/../../escaped.pdf"] = PDF
        manifest["files"].append({"path": "../../escaped.pdf", "size": len(PDF),
                                  "sha256": hashlib.sha256(PDF).hexdigest()})

    def absolute(members: dict[str, bytes], manifest: dict[str, Any]) -> None:
        members["/tmp/absolute.pdf"] = PDF  # noqa: S108

    for n, change in enumerate((escape, absolute)):
        _refused(_repack(archive, tmp_path / f"escape{n}.tar.gz", change), "damaged")
    assert not (tmp_path.parent / "escaped.pdf").exists()


def test_archive_of_another_database_vendor_is_refused(archive: Path, tmp_path: Path, unchanged: None) -> None:
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    member = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}

    def swap(members: dict[str, bytes], manifest: dict[str, Any]) -> None:
        members[member[other]] = members.pop(member[connection.vendor])
        manifest["database"].update(vendor=other, member=member[other])

    _refused(_repack(archive, tmp_path / "other.tar.gz", swap), "vendor")


def test_archive_of_a_newer_version_is_refused(archive: Path, tmp_path: Path, unchanged: None) -> None:
    def newer(members: dict[str, bytes], manifest: dict[str, Any]) -> None:
        manifest["migrations"]["core"] = "9999_from_the_future"

    _refused(_repack(archive, tmp_path / "newer.tar.gz", newer), "newer")


def test_non_empty_database_and_media_folder_are_refused(
        archive: Path, settings: Any, tmp_path: Path, media: Path) -> None:
    counts = _counts()
    _refused(archive, "media_not_empty")  # the files are still where the backup found them
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    _refused(archive, "not_empty")  # the test database has tables and rows
    with pytest.raises(CommandError):
        call_command("restore", str(archive), yes=True)
    assert _counts() == counts
    assert not (tmp_path / "empty-media").exists()


def test_check_reads_the_archive_and_writes_nothing(archive: Path, unchanged: None) -> None:
    out = io.StringIO()
    call_command("restore", str(archive), check=True, stdout=out)
    assert hashlib.sha256(archive.read_bytes()).hexdigest() in out.getvalue()


# --------------------------------------------------------------------------- the command line


@pytest.mark.django_db(transaction=False)
def test_danvan_backup_and_restore_are_commands() -> None:
    assert cli._translate(["danvan", "backup", "--output", "/x"]) == ["danvan", "backup", "--output", "/x"]
    assert cli._translate(["danvan", "restore", "a.tar.gz", "--yes"]) == ["danvan", "restore", "a.tar.gz", "--yes"]
    listing = ManagementUtility(["danvan"]).main_help_text()
    assert "    backup\n" in listing and "    restore\n" in listing
