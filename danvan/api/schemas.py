"""Output schemas every app's API shares: a unit named in a record, and a file's metadata.

One class each, so the OpenAPI schema has one component each instead of one per app with the
same three fields (the apps import them under their own names where that reads better).
"""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field


class UnitBriefOut(Schema):
    id: int = Field(description="The unit's id.")
    name: str = Field(description="Its name.")
    code: str = Field(description="Its official code; empty if it has none.")


class StoredFileOut(Schema):
    id: int = Field(description="The file's id (downloaded from the record's page; files are not served by the API).")
    name: str = Field(description="The file's original name.")
    content_type: str = Field(description="Its media type.")
    size: int = Field(description="Its size in bytes.")
    uploaded_at: dt.datetime = Field(description="When it was attached.")
