"""A rollback with storage = "s3": the release's objects checked in the store, then fetched back.

The files a release keeps in the object store are not in git: its lock file names their keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from web_assets.config.settings import Settings
from web_assets.errors import PublishError
from web_assets.store.collect import object_paths

__all__ = ["fetch", "object_paths", "refuse_missing_objects"]

CHUNK = 1 << 20


def refuse_missing_objects(settings: Settings, target) -> None:
    """Every object the target's lock file names must still be in the store (one HEAD each)."""
    from web_assets.steps.upload import store_for
    from web_assets.store.collect import missing_objects

    objects = object_paths(target.lock).values()
    missing = missing_objects(store_for(settings), objects, settings.s3_threads)
    if missing:
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise PublishError(
            f"Release {target.version} (commit {target.commit[:8]}) names objects no longer in "
            f"the store: {', '.join(missing[:5])}{more}. Publish that run again (`doit "
            f"version={target.version} run_dir=...`) to upload them, then roll back. Nothing was "
            "written."
        )


def fetch(
    settings: Settings,
    objects: dict[str, tuple[str, str]],
    write: Callable[[str, Iterator[bytes]], None],
) -> None:
    """Stream each object to `write(path, chunks)`, a chunk at a time (memory stays flat)."""
    if not objects:
        return
    from web_assets.steps.upload import store_for
    from web_assets.store.client import make_client
    from web_assets.store.send import publish_error

    store = store_for(settings)
    client = make_client(store)
    for path, (bucket, key) in sorted(objects.items()):
        try:
            body = client.get_object(Bucket=bucket, Key=key)["Body"]
            write(path, body.iter_chunks(CHUNK))
        except PublishError:
            raise
        except Exception as error:
            raise publish_error(error, replace(store, bucket=bucket), key) from None
