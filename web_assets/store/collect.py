"""The objects releases name: are they still in the store, and which ones no kept release names
(`doit gc`, as `dvc gc --cloud`)."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from web_assets.store.client import make_client
from web_assets.store.send import publish_error
from web_assets.store.upload import Store

DELETE_BATCH = 1000  # S3's most keys per DeleteObjects request


def object_paths(lock: dict[str, Any] | None) -> dict[str, tuple[str, str]]:
    """Each path a lock file keeps in the object store, and its (bucket, key)."""
    entries = lock.get("files") if isinstance(lock, dict) else None
    found = {}
    for entry in entries if isinstance(entries, list) else []:
        stored = entry.get("object") if isinstance(entry, dict) else None
        if isinstance(stored, dict) and isinstance(entry.get("path"), str):
            bucket, key = stored.get("bucket"), stored.get("key")
            if isinstance(bucket, str) and isinstance(key, str):
                found[entry["path"]] = (bucket, key)
    return found


def lock_objects(lock: dict[str, Any] | None) -> set[tuple[str, str]]:
    """(bucket, key) of every object a lock file names."""
    return set(object_paths(lock).values())


def missing_objects(store: Store, objects: Iterable[tuple[str, str]], threads: int) -> list[str]:
    """The keys (as `bucket/key`) not in the store: one HEAD each, `threads` at a time, each
    bounded by the client's timeouts and retries. PublishError when the store cannot answer."""
    wanted = sorted(set(objects))
    if not wanted:
        return []
    client = make_client(store, threads)

    def absent(item: tuple[str, str]) -> bool:
        from botocore.exceptions import ClientError

        bucket, key = item
        try:
            client.head_object(Bucket=bucket, Key=key)
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code"))
            if code in {"404", "NoSuchKey", "NotFound", "NoSuchBucket"}:
                return True
            raise publish_error(error, replace(store, bucket=bucket), key) from None
        except Exception as error:
            raise publish_error(error, replace(store, bucket=bucket), key) from None
        return False

    with ThreadPoolExecutor(max(1, threads), thread_name_prefix="s3-head") as pool:
        gone = list(pool.map(absent, wanted))
    return [f"{bucket}/{key}" for (bucket, key), lost in zip(wanted, gone, strict=True) if lost]


@dataclass(frozen=True)
class Garbage:
    """What `doit gc` would delete (`doomed`: key -> size), and what it keeps."""

    doomed: dict[str, int]
    kept: int
    in_progress: int

    @property
    def size(self) -> int:
        return sum(self.doomed.values())


def find_garbage(store: Store, referenced: set[str], client=None) -> Garbage:
    """Every object under the prefix that no key in `referenced` names, and that no multipart
    upload in progress is writing."""
    client = client or make_client(store)
    prefix = f"{store.prefix.strip('/')}/" if store.prefix.strip("/") else ""
    listed: dict[str, int] = {}
    writing: set[str] = set()
    try:
        for page in client.get_paginator("list_objects_v2").paginate(
            Bucket=store.bucket, Prefix=prefix
        ):
            listed.update(
                (item["Key"], int(item.get("Size", 0))) for item in page.get("Contents", [])
            )
        for page in client.get_paginator("list_multipart_uploads").paginate(
            Bucket=store.bucket, Prefix=prefix
        ):
            writing.update(upload["Key"] for upload in page.get("Uploads", []))
    except Exception as error:
        raise publish_error(error, store) from None
    doomed = {key: size for key, size in sorted(listed.items()) if key not in referenced | writing}
    return Garbage(doomed, len(listed) - len(doomed), len(writing & listed.keys()))


def delete_objects(store: Store, keys: list[str], client=None) -> None:
    """Delete `keys`, a thousand per request; PublishError naming the first that failed."""
    client = client or make_client(store)
    for start in range(0, len(keys), DELETE_BATCH):
        batch = [{"Key": key} for key in keys[start : start + DELETE_BATCH]]
        try:
            answer = client.delete_objects(
                Bucket=store.bucket, Delete={"Objects": batch, "Quiet": True}
            )
        except Exception as error:
            raise publish_error(error, store) from None
        errors = answer.get("Errors") or []
        if errors:
            first = errors[0]
            raise publish_error(
                _client_error(first.get("Code", "unknown")), store, first.get("Key")
            )


def _client_error(code: str) -> Exception:
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": code}}, "DeleteObjects")
