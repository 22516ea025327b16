"""The multipart uploads this project started and has not finished (`.web-assets/uploads.json`).

Another machine may publish to the same bucket and prefix: its uploads in progress are not ours
to abort. An upload is recorded before its first part and forgotten once completed or aborted,
so one left by a killed run is known as ours; any other is aborted only when over a day old.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from web_assets.errors import PublishError
from web_assets.files.atomic import atomic_write_bytes
from web_assets.files.publish_lock import make_state_dir, state_dir
from web_assets.records.jsonio import parse_json

if TYPE_CHECKING:
    from web_assets.store.upload import Store

FILE = "uploads.json"
# An upload older than this is nobody's any more: S3's own lifecycle rules use days, too.
ABANDONED_AFTER = timedelta(days=1)


class PendingUploads:
    """The record of one project; safe to share between the threads of one process."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = state_dir(root) / FILE
        self._lock = threading.Lock()

    def add(self, store: Store, key: str, upload_id: str) -> None:
        entry = {**_place(store), "key": key, "upload_id": upload_id}
        with self._lock:
            self._write([*self._read(), entry])

    def remove(self, upload_ids: set[str]) -> None:
        with self._lock:
            entries = self._read()
            kept = [entry for entry in entries if entry["upload_id"] not in upload_ids]
            if len(kept) != len(entries):
                self._write(kept)

    def ids(self, store: Store) -> set[str]:
        """The uploads recorded for this store's bucket (under any prefix)."""
        with self._lock:
            place = _place(store)
            return {
                entry["upload_id"]
                for entry in self._read()
                if all(entry.get(name) == value for name, value in place.items())
            }

    def _read(self) -> list[dict]:
        try:
            data = parse_json(self.path.read_bytes(), str(self.path))
        except FileNotFoundError:
            return []
        except (OSError, ValueError, PublishError):
            data = None
        entries = data.get("uploads") if isinstance(data, dict) else None
        if not isinstance(entries, list) or not all(
            isinstance(entry, dict) and isinstance(entry.get("upload_id"), str) for entry in entries
        ):
            raise PublishError(
                f"{self.path} is damaged: it records this project's multipart uploads in "
                "progress. Remove it and publish again (uploads it named are aborted after a day)."
            )
        return entries

    def _write(self, entries: list[dict]) -> None:
        make_state_dir(self.root)
        ordered = sorted(entries, key=lambda entry: (entry.get("key", ""), entry["upload_id"]))
        text = json.dumps({"uploads": ordered}, indent=2, sort_keys=True) + "\n"
        atomic_write_bytes(self.path, text.encode())


def _place(store: Store) -> dict[str, str]:
    return {"endpoint": store.endpoint_url or "", "bucket": store.bucket}


def abandoned(upload: dict, now: datetime | None = None) -> bool:
    """Whether a listed upload was started over a day ago (by anyone)."""
    started = upload.get("Initiated")
    if not isinstance(started, datetime):
        return False
    if started.tzinfo is None:
        started = started.replace(tzinfo=UTC)
    return (now or datetime.now(UTC)) - started > ABANDONED_AFTER
