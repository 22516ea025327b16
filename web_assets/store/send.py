"""Sending one file to the store: a HEAD first, then one PUT or a multipart upload.

Every write carries `If-None-Match: *` and, with checksums="sha256", the SHA-256 of what it sends.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import os
import stat
import threading
from concurrent.futures import Future, wait
from typing import TYPE_CHECKING

from web_assets.errors import PublishError
from web_assets.files.hashing import stat_key
from web_assets.store.client import explain, where

if TYPE_CHECKING:
    from web_assets.store.upload import Store, Upload

MAX_PARTS = 10_000
# Keys are immutable, so any cache may keep an object for good.
CACHE_CONTROL = "public, max-age=31536000, immutable"


def publish_error(error: Exception, store: Store, key: str | None = None) -> PublishError:
    return error if isinstance(error, PublishError) else explain(error, store, key)


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def _object_args(store: Store, item: Upload) -> dict:
    content_type = mimetypes.guess_type(item.path.name)[0] or "application/octet-stream"
    return {
        "Bucket": store.bucket,
        "Key": item.key,
        "ContentType": content_type,
        "CacheControl": CACHE_CONTROL,
        "Metadata": {"sha256": item.sha256},
    }


def _existing(client, store: Store, item: Upload) -> bool:
    """False when the key is free; True when it holds this content; PublishError otherwise."""
    from botocore.exceptions import ClientError

    try:
        head = client.head_object(Bucket=store.bucket, Key=item.key, ChecksumMode="ENABLED")
    except ClientError as error:
        if str(error.response.get("Error", {}).get("Code")) in {"404", "NoSuchKey", "NotFound"}:
            return False
        raise
    if _same_content(client, store, head, item):
        return True
    raise PublishError(
        f"{item.key!r} in {where(store)} already holds other bytes than {item.path} "
        f"({head.get('ContentLength')} bytes, expected {item.size}); content-addressed objects "
        "never change, so it was altered or written by something else: delete it, publish again"
    )


def _same_content(client, store: Store, head: dict, item: Upload) -> bool:
    if head.get("ContentLength") != item.size:
        return False
    theirs = head.get("ChecksumSHA256")
    # A multipart object carries a checksum of its parts' checksums ("...-N"), not of the file.
    if theirs and "-" not in theirs and head.get("ChecksumType", "FULL_OBJECT") == "FULL_OBJECT":
        return theirs == _b64(bytes.fromhex(item.sha256))
    recorded = head.get("Metadata", {}).get("sha256")
    if recorded is not None:
        return recorded == item.sha256
    # Written by another tool, with nothing to compare: read it back (rare, and once).
    return _remote_sha256(client, store, item.key) == item.sha256


def _remote_sha256(client, store: Store, key: str) -> str:
    digest = hashlib.sha256()
    body = client.get_object(Bucket=store.bucket, Key=key)["Body"]
    for chunk in body.iter_chunks(1 << 20):
        digest.update(chunk)
    return digest.hexdigest()


def _precondition_failed(error: Exception) -> bool:
    from botocore.exceptions import ClientError

    return isinstance(error, ClientError) and error.response.get("Error", {}).get("Code") in {
        "PreconditionFailed",
        "412",
    }


def send_whole(client, store: Store, item: Upload) -> bool:
    """One PUT, streamed from the file; True if sent, False if the same object was there."""
    try:
        if _existing(client, store, item):
            return False
        checksum = {}
        if store.checksums == "sha256":
            checksum = {
                "ChecksumAlgorithm": "SHA256",
                "ChecksumSHA256": _b64(bytes.fromhex(item.sha256)),
            }
        with item.path.open("rb") as body:
            _check_size(body, item)
            client.put_object(
                **_object_args(store, item),
                Body=body,
                ContentLength=item.size,
                IfNoneMatch="*",
                **checksum,
            )
        return True
    except Exception as error:
        if _precondition_failed(error):
            return _after_conflict(client, store, item)
        raise publish_error(error, store, item.key) from None


def _check_size(source, item: Upload) -> None:
    """A regular file must still have the size it was hashed at (a pipe has none to check)."""
    status = os.fstat(source.fileno())
    if stat.S_ISREG(status.st_mode) and status.st_size != item.size:
        raise PublishError(
            f"{item.path} changed after it was hashed ({status.st_size} bytes, not {item.size}); "
            "publish again"
        )


def _check_stat(source, item: Upload) -> None:
    """The file still has the stat it was hashed at, when the caller gave it."""
    if item.hashed_at is not None and stat_key(os.fstat(source.fileno())) != item.hashed_at:
        raise PublishError(
            f"{item.path} changed after it was hashed (its SHA-256 may no longer be "
            f"{item.sha256}); publish again"
        )


def _after_conflict(client, store: Store, item: Upload) -> bool:
    """If-None-Match refused the write: someone wrote the key since our HEAD; is it ours?"""
    try:
        if _existing(client, store, item):
            return False
    except Exception as error:
        raise publish_error(error, store, item.key) from None
    raise PublishError(f"{item.key!r} in {where(store)} refused the write and is not there either")


def send_multipart(
    client, store: Store, item: Upload, pool, threads: int, part_size: int, pending=None
) -> bool:
    """Parts read in order (hashing the whole file on the way), sent `threads` at a time.

    `pending` (store/pending.py) records the upload from before its first part until it ends."""
    try:
        if _existing(client, store, item):
            return False
        mpu_args = _object_args(store, item)
        if store.checksums == "sha256":
            mpu_args["ChecksumAlgorithm"] = "SHA256"
        upload_id = client.create_multipart_upload(**mpu_args)["UploadId"]
        if pending is not None:
            pending.add(store, item.key, upload_id)
    except Exception as error:
        raise publish_error(error, store, item.key) from None
    try:
        parts = _send_parts(client, store, item, upload_id, pool, threads, part_size)
        client.complete_multipart_upload(
            Bucket=store.bucket,
            Key=item.key,
            UploadId=upload_id,
            MultipartUpload={"Parts": parts},
            IfNoneMatch="*",
        )
        _forget(pending, upload_id)
        return True
    except BaseException as error:
        if _abort(client, store, item.key, upload_id):
            _forget(pending, upload_id)
        if _precondition_failed(error):
            return _after_conflict(client, store, item)
        if isinstance(error, Exception):
            raise publish_error(error, store, item.key) from None
        raise


def _send_parts(client, store, item, upload_id, pool, threads, part_size) -> list[dict]:
    # Parts are read in the caller's thread, so memory holds at most threads + 1 of them.
    size = max(part_size, -(-item.size // MAX_PARTS))
    slots = threading.BoundedSemaphore(threads + 1)
    # The bytes sent must be the bytes hashed: checked by the file's stat when the caller knows
    # the one it hashed at (as the digest cache does everywhere), else by hashing them again.
    whole = hashlib.sha256() if item.hashed_at is None else None
    futures: list[Future[dict]] = []
    try:
        with item.path.open("rb") as source:
            _check_size(source, item)
            _check_stat(source, item)
            for number in range(1, MAX_PARTS + 1):
                slots.acquire()
                chunk = source.read(size)
                if not chunk:
                    slots.release()
                    break
                if whole is not None:
                    whole.update(chunk)
                future = pool.submit(_send_part, client, store, item.key, upload_id, number, chunk)
                future.add_done_callback(lambda _future: slots.release())
                futures.append(future)
                del chunk
                failed = next((f for f in futures if f.done() and f.exception()), None)
                if failed is not None:
                    raise failed.exception()
            _check_stat(source, item)
        parts = [future.result() for future in futures]
    except BaseException:
        # No part may land after the abort, or it would outlive it as an orphan.
        for future in futures:
            future.cancel()
        wait(futures)
        raise
    if whole is not None and whole.hexdigest() != item.sha256:
        raise PublishError(
            f"{item.path} changed after it was hashed (its SHA-256 is no longer {item.sha256}); "
            "publish again"
        )
    return parts


def _send_part(client, store: Store, key: str, upload_id: str, number: int, chunk: bytes) -> dict:
    part = {"PartNumber": number}
    checksum = {}
    if store.checksums == "sha256":
        part["ChecksumSHA256"] = _b64(hashlib.sha256(chunk).digest())
        checksum = {"ChecksumAlgorithm": "SHA256", "ChecksumSHA256": part["ChecksumSHA256"]}
    reply = client.upload_part(
        Bucket=store.bucket,
        Key=key,
        UploadId=upload_id,
        PartNumber=number,
        Body=chunk,
        **checksum,
    )
    part["ETag"] = reply["ETag"]
    return part


def _abort(client, store: Store, key: str, upload_id: str) -> bool:
    """Best effort: if this fails too, the next run's abort_stale_uploads removes the parts."""
    try:
        client.abort_multipart_upload(Bucket=store.bucket, Key=key, UploadId=upload_id)
    except Exception:
        return False
    return True


def _forget(pending, upload_id: str) -> None:
    if pending is not None:
        pending.remove({upload_id})
