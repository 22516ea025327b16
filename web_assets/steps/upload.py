"""The upload step of a publish with storage = "s3": one file to its content-addressed key.

Each file is its own step, so an unchanged file is up to date without a request to the store;
every upload ends before the manifest step starts, so a failure leaves the manifest and git as
they were.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from web_assets.config.settings import Settings
from web_assets.errors import PublishError
from web_assets.files.digests import cache_for
from web_assets.files.hashing import stat_key
from web_assets.store.client import make_client
from web_assets.store.pending import PendingUploads
from web_assets.store.upload import Store, Upload, abort_stale_uploads, object_key, upload

# One client and one sweep of stale multipart uploads per store and process: the steps run in
# threads, and one step's sweep must never abort another step's upload in progress.
_LOCK = threading.Lock()
_CLIENTS: dict[Store, Any] = {}
# One record of uploads in progress per project and process, shared by the steps' threads.
_PENDING: dict[Path, PendingUploads] = {}
# A store that could not be reached is not asked again by the other steps of the run: each ask
# of a hung store costs its timeouts again.
_UNREACHABLE: dict[Store, PublishError] = {}


def store_for(settings: Settings) -> Store:
    return Store(
        bucket=settings.s3_bucket or "",
        prefix=settings.s3_prefix or "",
        endpoint_url=settings.s3_endpoint_url,
        region=settings.s3_region,
        public_base_url=settings.public_base_url or "",
        checksums=settings.s3_checksums,
        timeout=settings.s3_timeout,
    )


def store_settings(settings: Settings) -> dict[str, Any]:
    """What an uploaded object depends on besides its bytes: a change uploads again."""
    return {
        "bucket": settings.s3_bucket,
        "prefix": settings.s3_prefix,
        "endpoint_url": settings.s3_endpoint_url,
        "region": settings.s3_region,
        "public_base_url": settings.public_base_url,
    }


def pending_for(root: Path) -> PendingUploads:
    with _LOCK:
        return _PENDING.setdefault(root, PendingUploads(root))


def _client(store: Store, threads: int, pending: PendingUploads):
    with _LOCK:
        if store in _UNREACHABLE:
            raise _UNREACHABLE[store]
        if store not in _CLIENTS:
            client = make_client(store, threads)
            try:
                # Multipart uploads a killed run of ours left under the prefix (or abandoned for
                # a day): aborted before ours start. Another publisher's are left alone.
                abort_stale_uploads(store, client, pending)
            except PublishError as error:
                _UNREACHABLE[store] = error
                raise
            _CLIENTS[store] = client
        return _CLIENTS[store]


def forget_failures() -> None:
    """At the end of a run: the next one asks every store afresh."""
    with _LOCK:
        _UNREACHABLE.clear()


def upload_object(settings: Settings, path: Path) -> dict[str, Any]:
    """Send `path` to `{prefix}/{sha256}/{filename}` unless the store holds it; what the lock
    file and the manifest record of it."""
    store = store_for(settings)
    hashed_at = os.stat(path)
    digest = cache_for(settings.root).digest(path, hashed_at)
    key = object_key(store.prefix, digest.sha256, path.name)
    item = Upload(path, digest.sha256, digest.size, key, stat_key(hashed_at))
    pending = pending_for(settings.root)
    client = _client(store, settings.s3_threads, pending)
    report = upload(
        store, [item], settings.s3_threads, client=client, abort_stale=False, pending=pending
    )
    return {
        "bucket": store.bucket,
        "key": key,
        "uri": store.uri(key),
        "sha256": digest.sha256,
        "size_bytes": digest.size,
        "sent": bool(report.uploaded),
    }
