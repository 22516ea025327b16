"""Content-addressed uploads to an S3-compatible object store (AWS S3, R2, B2, Ceph, SeaweedFS).

Keys are `{prefix}/{sha256}/{filename}`, so an object never changes once written: every upload
sends the SHA-256 the caller computed (the server refuses other bytes) and `If-None-Match: *`
(the server refuses to overwrite). A key already there is checked by a HEAD and skipped.
"""

from __future__ import annotations

import re
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from web_assets.errors import PublishError
from web_assets.store.client import READ_TIMEOUT, make_client
from web_assets.store.pending import PendingUploads, abandoned
from web_assets.store.send import publish_error, send_multipart, send_whole

MiB = 1 << 20
PART_SIZE = 8 * MiB
MIN_PART_SIZE = 5 * MiB
CHECKSUM_MODES = ("sha256", "when_required")
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Store:
    """Where objects go and how the web app reads them back.

    `endpoint_url` is None for AWS S3, else the S3-compatible server (R2, B2, Ceph, SeaweedFS).
    `public_base_url` is how a plain anonymous GET reaches the bucket: its public URL or a CDN;
    `uri(key)` is `{public_base_url}/{key}`.
    `timeout`: seconds one request waits for an answer (s3_timeout).
    `checksums`: "sha256" (default) sends each file's SHA-256 so the server refuses bytes that do
    not match, and validates checksums it returns; "when_required" sends no checksum unless the
    operation needs one (botocore's request_checksum_calculation and
    response_checksum_validation), for S3-compatible servers that reject boto3's checksums.
    """

    bucket: str
    prefix: str
    endpoint_url: str | None
    region: str | None
    public_base_url: str
    checksums: str = "sha256"
    timeout: int = READ_TIMEOUT

    def __post_init__(self) -> None:
        if self.checksums not in CHECKSUM_MODES:
            raise PublishError(
                f"s3_checksums = {self.checksums!r} is not one of {', '.join(CHECKSUM_MODES)}"
            )

    def uri(self, key: str) -> str:
        """The URL the web app fetches `key` from, percent-encoded."""
        return f"{self.public_base_url.rstrip('/')}/{quote(key, safe='/')}"


@dataclass(frozen=True)
class Upload:
    """A local file, its SHA-256 (hex, already computed by the caller), size and target key."""

    path: Path
    sha256: str
    size: int
    key: str
    # The file's stat key (size, mtime, ctime, inode) when it was hashed, if the caller knows it:
    # a multipart upload then checks that the file kept it instead of hashing it a second time.
    hashed_at: tuple[int, int, int, int] | None = None


@dataclass
class UploadReport:
    """Keys in the order given: sent now, or already there with the same content."""

    uploaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    aborted_stale: int = 0


def object_key(prefix: str, sha256: str, filename: str) -> str:
    """`{prefix}/{sha256}/{filename}`; no leading slash when the prefix is empty."""
    if not _SHA256.fullmatch(sha256):
        raise PublishError(f"{sha256!r} is not a lowercase hex SHA-256 (for {filename!r})")
    if not filename or "/" in filename or filename in {".", ".."} or "\x00" in filename:
        raise PublishError(f"{filename!r} cannot be the file name part of an object key")
    if len(filename.encode()) > 512:
        raise PublishError(f"{filename!r} is too long for an object key (S3 allows 1024 bytes)")
    return "/".join(part for part in (prefix.strip("/"), sha256, filename) if part)


def abort_stale_uploads(
    store: Store,
    client=None,
    pending: PendingUploads | None = None,
    now: datetime | None = None,
) -> int:
    """Abort the multipart uploads under the prefix that a killed run of ours left (`pending`
    records them), and any started over a day ago; how many. Another publisher's upload in
    progress on the same prefix is left alone."""
    client = client or make_client(store)
    prefix = f"{store.prefix.strip('/')}/" if store.prefix.strip("/") else ""
    ours = pending.ids(store) if pending is not None else set()
    aborted: set[str] = set()
    listed: set[str] = set()
    try:
        pages = client.get_paginator("list_multipart_uploads").paginate(
            Bucket=store.bucket, Prefix=prefix
        )
        for page in pages:
            for stale in page.get("Uploads", []):
                listed.add(stale["UploadId"])
                if stale["UploadId"] in ours or abandoned(stale, now):
                    client.abort_multipart_upload(
                        Bucket=store.bucket, Key=stale["Key"], UploadId=stale["UploadId"]
                    )
                    aborted.add(stale["UploadId"])
    except Exception as error:
        raise publish_error(error, store) from None
    if pending is not None and ours:
        # Recorded and no longer in progress (aborted now, or finished): nothing to remember.
        pending.remove({upload for upload in ours if upload not in listed or upload in aborted})
    return len(aborted)


def upload(
    store: Store,
    files: list[Upload],
    threads: int = 4,
    part_size: int = PART_SIZE,
    *,
    client=None,
    abort_stale: bool = True,
    pending: PendingUploads | None = None,
) -> UploadReport:
    """Send every file not yet in the store; multipart (parts of part_size) above part_size.

    `abort_stale=False` when the caller already aborted what a killed run left, and other
    uploads of its own may be in progress under the prefix. `pending` records each multipart
    upload while it is in progress, so that the next run can tell a killed one of ours.

    Raises PublishError (one line) on unreachable store, refused credentials, missing bucket,
    bytes not matching their SHA-256, or an object under a key with other content.
    """
    if part_size < MIN_PART_SIZE:
        raise ValueError(f"part_size must be at least {MIN_PART_SIZE} bytes (S3's minimum)")
    if not files:
        return UploadReport()  # nothing to send: not even a request to the store
    client = client or make_client(store, threads)
    aborted = abort_stale_uploads(store, client, pending) if abort_stale else 0
    report = UploadReport(aborted_stale=aborted)
    unique: dict[str, Upload] = {}
    for item in files:
        if unique.setdefault(item.key, item).sha256 != item.sha256:
            raise PublishError(f"two different files map to the object key {item.key!r}")
    pool = ThreadPoolExecutor(max(1, threads), thread_name_prefix="s3-upload")
    try:
        sent: dict[str, Future[bool]] = {}
        for item in unique.values():
            if item.size <= part_size:
                sent[item.key] = pool.submit(send_whole, client, store, item)
        done = {
            item.key: send_multipart(client, store, item, pool, threads, part_size, pending)
            for item in unique.values()
            if item.size > part_size
        }
        done.update({key: future.result() for key, future in sent.items()})
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    for key in unique:
        (report.uploaded if done[key] else report.skipped).append(key)
    return report
