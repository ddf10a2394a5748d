"""``danvan backup`` / ``danvan restore``: one archive holding the database and every stored file.

The archive (``danvan-backup-YYYYmmdd-HHMMSS.tar.gz``, mode 0600) holds:

- ``database.sqlite3`` (SQLite's online backup API, a consistent copy while the server runs) or
  ``database.pgdump`` (``pg_dump --format=custom`` of an exported snapshot);
- ``media/...``: every file under ``MEDIA_ROOT`` (attachments, including the encrypted ones that
  identify a whistleblower);
- ``manifest.json``, written last: versions, the migration state, the row count of every table,
  the sha256 of every member and the audit chain's head — all read from the same snapshot as the
  dump, so a restore can prove it got back exactly what was taken.

Never in it: ``SECRET_KEY``, ``DANVAN_IDENTITY_KEYS`` or any other setting or environment
variable. The identities stay encrypted in the database; a stolen archive reveals none of them
without the keys, which are kept elsewhere (docs/backup.md).

A restore goes only into an empty database (no tables: created, not migrated) and never overwrites a
file. The whole archive is read and checked against the manifest before anything is written, so a
damaged or altered archive changes nothing; afterwards the row counts, the files and the audit
chain are checked against the manifest, and only then is the restore recorded in the audit log.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 (pg_dump / pg_restore with a fixed argument list, never a shell)  # nosec B404
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
DB_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
MANIFEST_MAX_BYTES = 256 * 1024 * 1024
CHUNK = 1024 * 1024
# Environment passed to pg_dump / pg_restore: the connection (PG*) and what a program needs to run;
# nothing else, so that no DANVAN_* secret is ever in a child's environment.
_CHILD_ENV_KEEP = ("PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "LC_CTYPE")


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message is for the operator (translated), ``code`` for callers."""

    def __init__(self, message: str, code: str = "error") -> None:
        super().__init__(message)
        self.code = code


# --------------------------------------------------------------------------- helpers


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingReader:
    """A file wrapper that hashes what tarfile reads from it, so each file is read once."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.digest.update(data)
        return data


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("danvan")
    except PackageNotFoundError:
        return "unknown"


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _media_files(root: Path) -> list[tuple[str, Path]]:
    """Every regular file under MEDIA_ROOT (relative POSIX path, absolute path), sorted; links are skipped."""
    out: list[tuple[str, Path]] = []
    if not root.is_dir():
        return out
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            out.append((path.relative_to(root).as_posix(), path))
    return out


def _file_columns() -> list[tuple[str, str]]:
    """(table, column) of every FileField, to name files the rows point to but the disk lacks."""
    out: list[tuple[str, str]] = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for f in model._meta.local_concrete_fields:
            if isinstance(f, models.FileField) and f.column:
                out.append((model._meta.db_table, f.column))
    return out


def _safe_media_path(rel: str) -> bool:
    """A relative path with no way out of MEDIA_ROOT (no ``..``, no absolute path, no backslash or NUL)."""
    if not rel or "\\" in rel or "\x00" in rel or rel.startswith("/"):
        return False
    return all(part not in ("", ".", "..") for part in PurePosixPath(rel).parts) and not rel.endswith("/")


def _child_env() -> dict[str, str]:
    s = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k in _CHILD_ENV_KEEP or k.startswith("PG")}
    for key, value in (("PGHOST", s.get("HOST")), ("PGPORT", s.get("PORT")), ("PGUSER", s.get("USER")),
                       ("PGPASSWORD", s.get("PASSWORD")), ("PGDATABASE", s.get("NAME")),
                       ("PGSSLMODE", (s.get("OPTIONS") or {}).get("sslmode"))):
        if value:
            env[key] = str(value)
    return env


def pg_tool(name: str) -> str:
    """``pg_dump`` / ``pg_restore``: from ``DANVAN_PG_BINDIR`` if set (match the server's major version), else PATH."""
    bindir = os.environ.get("DANVAN_PG_BINDIR", "")
    found = str(Path(bindir) / name) if bindir else shutil.which(name)
    if not found or not os.access(found, os.X_OK):
        raise BackupError(_("%(tool)s was not found: install the PostgreSQL client tools or set DANVAN_PG_BINDIR.")
                          % {"tool": name})
    return found


def _run(argv: list[str]) -> None:
    proc = subprocess.run(argv, env=_child_env(), capture_output=True, text=True, check=False)  # noqa: S603  # nosec B603 (fixed argv, no shell)
    if proc.returncode != 0:
        raise BackupError(_("%(tool)s failed: %(error)s") % {"tool": Path(argv[0]).name,
                                                              "error": proc.stderr.strip()[-2000:]})


# --------------------------------------------------------------------------- snapshot (what is read at backup)


@dataclass
class Snapshot:
    """What the manifest says about the database, read in the same snapshot as the dump."""

    tables: dict[str, int]
    migrations: dict[str, str]
    audit: dict[str, Any]
    referenced_files: set[str]
    server_version: str


def _read_snapshot(execute: Callable[[str], list[tuple[Any, ...]]], tables: list[str], server_version: str) -> Snapshot:
    counts = {t: int(execute(f"SELECT COUNT(*) FROM {_quote(t)}")[0][0]) for t in sorted(tables)}  # noqa: S608  # nosec B608 (introspected names, quoted)
    migrations: dict[str, str] = {}
    if "django_migrations" in counts:
        for app, name in execute("SELECT app, name FROM django_migrations ORDER BY id"):
            migrations[str(app)] = str(name)
    audit: dict[str, Any] = {"events": counts.get("core_auditevent", 0), "head_seq": 0, "head_hash": "0" * 64}
    if "core_auditchainhead" in counts:
        rows = execute("SELECT last_seq, last_hash FROM core_auditchainhead WHERE id = 1")
        if rows:
            audit["head_seq"], audit["head_hash"] = int(rows[0][0]), str(rows[0][1])
    referenced: set[str] = set()
    for table, column in _file_columns():
        if table in counts:
            sql = f"SELECT {_quote(column)} FROM {_quote(table)} WHERE {_quote(column)} <> ''"  # noqa: S608  # nosec B608 (model field names, quoted)
            referenced.update(str(r[0]) for r in execute(sql))
    return Snapshot(counts, migrations, audit, referenced, server_version)


def _snapshot_sqlite(dest: Path) -> Snapshot:
    """Copy the live database with the online backup API (one step: a consistent copy), then read the copy."""
    if connection.in_atomic_block:
        raise BackupError(_("A backup cannot be taken inside a transaction."))
    connection.ensure_connection()
    target = sqlite3.connect(dest)
    try:
        connection.connection.backup(target)  # pages=-1: the whole database under one read lock
        target.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file, no -wal beside it
        check = target.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(_("The database failed SQLite's integrity check: %(error)s") % {"error": check})

        def execute(sql: str) -> list[tuple[Any, ...]]:
            return list(target.execute(sql).fetchall())

        names = [r[0] for r in execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return _read_snapshot(execute, names, sqlite3.sqlite_version)
    finally:
        target.close()


def _snapshot_postgresql(dest: Path) -> Snapshot:
    """Export a REPEATABLE READ snapshot, dump it with pg_dump and count rows in that same snapshot."""
    tool = pg_tool("pg_dump")
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        cur = raw.cursor()
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cur.execute("SELECT pg_export_snapshot()")
        snapshot_id = cur.fetchone()[0]
        _run([tool, "--format=custom", f"--snapshot={snapshot_id}", f"--file={dest}"])

        def execute(sql: str) -> list[tuple[Any, ...]]:
            cur.execute(sql)
            return list(cur.fetchall())

        names = [r[0] for r in execute(
            "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'pg_toast', 'information_schema')"
            " AND pg_catalog.pg_table_is_visible(c.oid)")]
        version = str(execute("SHOW server_version")[0][0])
        return _read_snapshot(execute, names, version)
    finally:
        with contextlib.suppress(Exception):
            raw.rollback()
        raw.close()


# --------------------------------------------------------------------------- backup


@dataclass
class BackupResult:
    path: Path
    sha256: str
    size: int
    manifest: dict[str, Any]


def _output_path(output: str | Path | None, now: dt.datetime) -> Path:
    name = f"danvan-backup-{timezone.localtime(now):%Y%m%d-%H%M%S}.tar.gz"
    if output is None or str(output) == "":
        folder = Path(getattr(settings, "VAR_DIR", Path.cwd())) / "backups"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return folder / name
    path = Path(output)
    if path.is_dir():
        return path / name
    if not path.parent.is_dir():
        raise BackupError(_("The folder %(folder)s does not exist.") % {"folder": path.parent})
    return path


def _tarinfo(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(mtime), 0o600
    return info


def create_backup(output: str | Path | None = None) -> BackupResult:
    """Write the archive (temporary file, then renamed into place) and record it in the audit log."""
    vendor = connection.vendor
    if vendor not in DB_MEMBER:
        raise BackupError(_("Backups support SQLite and PostgreSQL, not %(vendor)s.") % {"vendor": vendor})
    now = timezone.now()
    final = _output_path(output, now)
    if final.exists():
        raise BackupError(_("%(path)s exists already: choose another name.") % {"path": final})
    root = _media_root()
    with tempfile.TemporaryDirectory(prefix="danvan-backup-") as scratch:
        dump = Path(scratch) / DB_MEMBER[vendor]
        snap = _snapshot_sqlite(dump) if vendor == "sqlite" else _snapshot_postgresql(dump)
        fd, tmp_name = tempfile.mkstemp(dir=final.parent, prefix=".danvan-backup-", suffix=".part")  # mode 0600
        tmp = Path(tmp_name)
        try:
            files: list[dict[str, Any]] = []
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
                db_sha = _sha256_file(dump)
                with open(dump, "rb") as handle:
                    tar.addfile(_tarinfo(DB_MEMBER[vendor], dump.stat().st_size, now.timestamp()), handle)
                for rel, path in _media_files(root):
                    with open(path, "rb") as handle:
                        st = os.fstat(handle.fileno())
                        reader = _HashingReader(handle)
                        tar.addfile(_tarinfo(MEDIA_PREFIX + rel, st.st_size, st.st_mtime), reader)  # type: ignore[arg-type]
                    files.append({"path": rel, "size": st.st_size, "sha256": reader.digest.hexdigest()})
                on_disk = {f["path"] for f in files}
                manifest = {
                    "format": FORMAT,
                    "application": "danvan",
                    "version": _version(),
                    "created_at": now.isoformat(),
                    "database": {"vendor": vendor, "member": DB_MEMBER[vendor], "sha256": db_sha,
                                 "size": dump.stat().st_size, "server_version": snap.server_version},
                    "migrations": snap.migrations,
                    "tables": snap.tables,
                    "files": files,
                    "missing_files": sorted(snap.referenced_files - on_disk),
                    "audit": snap.audit,
                }
                body = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False).encode()
                tar.addfile(_tarinfo(MANIFEST, len(body), now.timestamp()), _bytes_reader(body))
                raw.flush()
                os.fsync(raw.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, final)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    _fsync_dir(final.parent)
    digest, size = _sha256_file(final), final.stat().st_size
    _record_backup(final, digest, size, manifest)
    return BackupResult(final, digest, size, manifest)


def _bytes_reader(body: bytes) -> IO[bytes]:
    import io

    return io.BytesIO(body)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _record_backup(path: Path, digest: str, size: int, manifest: dict[str, Any]) -> None:
    """After the archive exists: its digest is then known, so the live log says exactly which archive was taken.

    The event is not in the archive itself (it happens after the snapshot); the archive's own
    manifest carries the chain head it ends at.
    """
    from . import audit

    with transaction.atomic():
        audit.record("core.backup_created", summary={
            "archive": path.name, "sha256": digest, "size": size,
            "database": manifest["database"]["vendor"], "tables": len(manifest["tables"]),
            "rows": sum(manifest["tables"].values()), "files": len(manifest["files"]),
            "audit_head_seq": manifest["audit"]["head_seq"], "audit_head_hash": manifest["audit"]["head_hash"],
        })


# --------------------------------------------------------------------------- reading an archive


@dataclass
class Archive:
    """An archive read through once and found whole: every member matches the manifest."""

    path: Path
    sha256: str
    manifest: dict[str, Any]

    @property
    def vendor(self) -> str:
        return str(self.manifest["database"]["vendor"])

    @property
    def db_member(self) -> str:
        return str(self.manifest["database"]["member"])


def _damaged(reason: str) -> BackupError:
    return BackupError(_("The archive is damaged or altered (%(reason)s): nothing was restored.") % {"reason": reason}, "damaged")


def _check_manifest_shape(manifest: Any) -> dict[str, Any]:
    if not isinstance(manifest, dict) or manifest.get("application") != "danvan":
        raise _damaged(_("no danvan manifest"))
    if manifest.get("format") != FORMAT:
        raise BackupError(_("This archive's format (%(format)s) is not one this version of danvan reads.")
                          % {"format": manifest.get("format")}, "format")
    db = manifest.get("database")
    if not isinstance(db, dict) or db.get("vendor") not in DB_MEMBER or db.get("member") != DB_MEMBER[db["vendor"]]:
        raise _damaged(_("the database entry of the manifest"))
    if not isinstance(manifest.get("tables"), dict) or not isinstance(manifest.get("files"), list) \
            or not isinstance(manifest.get("audit"), dict) or not isinstance(manifest.get("migrations"), dict):
        raise _damaged(_("the manifest is incomplete"))
    for entry in manifest["files"]:
        if not isinstance(entry, dict) or not _safe_media_path(str(entry.get("path", ""))):
            raise _damaged(_("a file path leads outside the media folder"))
    return manifest


def read_archive(path: str | Path, *, expect_sha256: str = "") -> Archive:
    """Read the whole archive and check every member against the manifest; nothing is written."""
    archive = Path(path)
    if not archive.is_file():
        raise BackupError(_("No archive at %(path)s.") % {"path": archive}, "missing")
    digest = _sha256_file(archive)
    if expect_sha256 and digest != expect_sha256.strip().lower():
        raise _damaged(_("its sha256 is not the one expected"))
    seen: dict[str, tuple[str, int]] = {}
    manifest_body = b""
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:
                name = member.name
                if name in seen or (name == MANIFEST and manifest_body):
                    raise _damaged(_("a member appears twice"))
                if not member.isfile():
                    raise _damaged(_("a member is not a regular file"))
                if name != MANIFEST and name not in DB_MEMBER.values() and not (
                        name.startswith(MEDIA_PREFIX) and _safe_media_path(name[len(MEDIA_PREFIX):])):
                    raise _damaged(_("an unexpected member"))
                handle = tar.extractfile(member)
                if handle is None:
                    raise _damaged(_("a member cannot be read"))
                if name == MANIFEST:
                    if member.size > MANIFEST_MAX_BYTES:
                        raise _damaged(_("the manifest is too large"))
                    manifest_body = handle.read()
                    continue
                h = hashlib.sha256()
                size = 0
                while chunk := handle.read(CHUNK):
                    h.update(chunk)
                    size += len(chunk)
                seen[name] = (h.hexdigest(), size)
    except BackupError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, OSError, ValueError) as exc:
        raise _damaged(type(exc).__name__) from None
    if not manifest_body:
        raise _damaged(_("no manifest"))
    try:
        manifest = _check_manifest_shape(json.loads(manifest_body))
    except ValueError:
        raise _damaged(_("the manifest is not valid JSON")) from None
    db = manifest["database"]
    if seen.pop(db["member"], None) != (db.get("sha256"), db.get("size")):
        raise _damaged(_("the database does not match its checksum"))
    expected = {MEDIA_PREFIX + f["path"]: (f.get("sha256"), f.get("size")) for f in manifest["files"]}
    if len(expected) != len(manifest["files"]) or set(expected) != set(seen):
        raise _damaged(_("the files are not the ones the manifest lists"))
    for name, value in seen.items():
        if expected[name] != value:
            raise _damaged(_("%(file)s does not match its checksum") % {"file": name[len(MEDIA_PREFIX):]})
    return Archive(archive, digest, manifest)


def _members(archive: Archive, wanted: Callable[[str], bool]) -> Iterator[tuple[str, IO[bytes]]]:
    with tarfile.open(archive.path, "r:*") as tar:
        for member in tar:
            if wanted(member.name):
                handle = tar.extractfile(member)
                if handle is None:  # pragma: no cover (read_archive checked every member)
                    raise _damaged(_("a member cannot be read"))
                yield member.name, handle


def _copy_checked(source: IO[bytes], target: IO[bytes], expected: str) -> None:
    """Copy and hash again: the archive could have changed since it was checked."""
    h = hashlib.sha256()
    while chunk := source.read(CHUNK):
        h.update(chunk)
        target.write(chunk)
    if h.hexdigest() != expected:
        raise _damaged(_("it changed while being restored"))


# --------------------------------------------------------------------------- restore


@dataclass
class RestorePlan:
    archive: Archive
    database: str
    media_root: Path
    notes: list[str] = field(default_factory=list)


def _database_label() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return str(s["NAME"])
    return f"{s.get('NAME')}@{s.get('HOST') or 'localhost'}:{s.get('PORT') or 5432}"


def _unknown_migrations(manifest: dict[str, Any]) -> list[str]:
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [f"{app}.{name}" for app, name in sorted(manifest["migrations"].items()) if (app, name) not in known]


def _tables() -> list[str]:
    return [t for t in connection.introspection.table_names() if not t.startswith("sqlite_")]


def prepare_restore(path: str | Path, *, expect_sha256: str = "") -> RestorePlan:
    """Every check that needs no write: the archive is whole, fits this database and this code, the target is empty."""
    archive = read_archive(path, expect_sha256=expect_sha256)
    if archive.vendor != connection.vendor:
        raise BackupError(
            _("This archive holds a %(archive)s database but the configured database is %(target)s: "
              "restore it into a %(archive)s database.")
            % {"archive": VENDOR_NAMES[archive.vendor], "target": VENDOR_NAMES.get(connection.vendor, connection.vendor)},
            "vendor")
    unknown = _unknown_migrations(archive.manifest)
    if unknown:
        raise BackupError(_("The archive comes from a newer version of danvan (unknown migrations: %(names)s): "
                            "install that version first.") % {"names": ", ".join(unknown[:5])}, "newer")
    root = _media_root()
    clashes = [f["path"] for f in archive.manifest["files"] if (root / f["path"]).exists() or (root / f["path"]).is_symlink()]
    if clashes:
        raise BackupError(_("%(n)d files of the archive exist already in %(folder)s (e.g. %(file)s): "
                            "restore into an empty media folder.") % {"n": len(clashes), "folder": root,
                                                                      "file": clashes[0]}, "media_not_empty")
    tables = _tables()
    if tables:
        raise BackupError(
            _("The database %(db)s is not empty (%(n)d tables): restore only into a new, empty database "
              "(created but not migrated).") % {"db": _database_label(), "n": len(tables)}, "not_empty")
    if connection.vendor == "sqlite" and str(connection.settings_dict["NAME"]).startswith((":memory:", "file:memory")):
        raise BackupError(_("Restore needs a database file, not an in-memory database."))
    return RestorePlan(archive, _database_label(), root)


def _restore_sqlite(source: Path) -> None:
    connection.close()
    src = sqlite3.connect(source)
    try:
        check = src.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise _damaged(check)
        dst = sqlite3.connect(connection.settings_dict["NAME"])
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _restore_postgresql(source: Path) -> None:
    tool = pg_tool("pg_restore")
    connection.close()
    _run([tool, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          f"--dbname={connection.settings_dict['NAME']}", str(source)])


def _restore_database(plan: RestorePlan) -> None:
    archive = plan.archive
    with tempfile.TemporaryDirectory(prefix="danvan-restore-") as scratch:
        target = Path(scratch) / archive.db_member
        for _name, handle in _members(archive, lambda n: n == archive.db_member):
            with open(target, "xb") as out:
                _copy_checked(handle, out, archive.manifest["database"]["sha256"])
        (_restore_sqlite if archive.vendor == "sqlite" else _restore_postgresql)(target)


def _restore_files(plan: RestorePlan) -> None:
    root = plan.media_root
    expected = {MEDIA_PREFIX + f["path"]: f["sha256"] for f in plan.archive.manifest["files"]}
    root.mkdir(parents=True, exist_ok=True)
    real_root = root.resolve()
    for name, handle in _members(plan.archive, lambda n: n in expected):
        target = root / name[len(MEDIA_PREFIX):]
        if not target.parent.resolve().is_relative_to(real_root):  # e.g. a folder of MEDIA_ROOT linked elsewhere
            raise _damaged(_("a file path leads outside the media folder"))
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_name(f".{target.name}.restore-part")
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                _copy_checked(handle, out, expected[name])
                out.flush()
                os.fsync(out.fileno())
            try:
                os.link(part, target)  # fails rather than overwrite a file that appeared meanwhile
            except FileExistsError:
                raise
            except OSError:  # a file system without hard links
                if target.exists():
                    raise
                os.replace(part, target)
        finally:
            part.unlink(missing_ok=True)


@dataclass
class RestoreResult:
    tables: int
    rows: int
    files: int
    audit_events: int
    pending_migrations: list[str]


def _verify(plan: RestorePlan) -> RestoreResult:
    """The restored database and files against the manifest: counts, bytes, and the audit chain's head."""
    from .audit import verify_chain
    from .models import AuditChainHead

    manifest = plan.archive.manifest
    problems: list[str] = []
    tables = set(_tables())
    if tables != set(manifest["tables"]):
        problems.append(_("the tables differ from the archive's"))
    with connection.cursor() as cur:
        for table, count in sorted(manifest["tables"].items()):
            if table not in tables:
                continue
            cur.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608  # nosec B608 (introspected, quoted)
            got = cur.fetchone()[0]
            if got != count:
                problems.append(_("%(table)s has %(got)d rows instead of %(count)d")
                                % {"table": table, "got": got, "count": count})
    for entry in manifest["files"]:
        path = plan.media_root / entry["path"]
        if not path.is_file() or _sha256_file(path) != entry["sha256"]:
            problems.append(_("file %(file)s differs from the archive's") % {"file": entry["path"]})
    audit_expected = manifest["audit"]
    result = verify_chain()
    head = AuditChainHead.objects.filter(id=1).first()
    head_hash = head.last_hash if head else "0" * 64
    if not result.ok:
        problems.append(_("the audit chain does not verify (event #%(seq)s)") % {"seq": result.broken_seq})
    elif result.checked != audit_expected["events"] or head_hash != audit_expected["head_hash"]:
        problems.append(_("the audit chain does not end where the archive's did"))
    if problems:
        raise BackupError(_("The restored data does not match the archive: %(problems)s.")
                          % {"problems": "; ".join(problems[:20])}, "mismatch")
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = [f"{m.app_label}.{m.name}" for m, _backwards in executor.migration_plan(executor.loader.graph.leaf_nodes())]
    return RestoreResult(len(tables), sum(manifest["tables"].values()), len(manifest["files"]),
                         result.checked, pending)


def apply_restore(plan: RestorePlan) -> RestoreResult:
    """Database, then files, then the checks; the restore is recorded only once they pass.

    The event is appended to the restored chain: it links to the archive's last event, so the log
    itself shows that everything recorded after the backup was taken is not in this database.
    """
    from . import audit

    _restore_database(plan)
    _restore_files(plan)
    result = _verify(plan)
    manifest = plan.archive.manifest
    with transaction.atomic():
        audit.record("core.backup_restored", summary={
            "archive": plan.archive.path.name, "sha256": plan.archive.sha256,
            "backup_created_at": manifest["created_at"], "database": manifest["database"]["vendor"],
            "audit_head_seq": manifest["audit"]["head_seq"], "audit_head_hash": manifest["audit"]["head_hash"],
            "rows": result.rows, "files": result.files,
        })
    after = audit.verify_chain()
    if not after.ok or after.checked != result.audit_events + 1:
        raise BackupError(_("The audit chain does not verify after the restore was recorded."))
    result.audit_events = after.checked
    return result
