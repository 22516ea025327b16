"""`doit gc keep=N`: the objects no kept release names, found (and deleted when asked)."""

from __future__ import annotations

from dataclasses import dataclass

from web_assets.config.settings import Settings
from web_assets.errors import PublishError
from web_assets.history.branch import UNSHALLOW
from web_assets.history.log import list_releases
from web_assets.records.lockfile import read_lock
from web_assets.store.collect import Garbage, find_garbage, lock_objects


@dataclass(frozen=True)
class Collection:
    """What gc found: the garbage, the versions kept, and the store it is in."""

    garbage: Garbage
    versions: list[str]
    where: str


def plan_gc(settings: Settings, keep: int) -> Collection:
    """The objects under the prefix that neither the last `keep` releases on the branch, nor the
    lock file at the tip of any branch or remote-tracking branch, nor the one in the work tree
    name; nothing is deleted."""
    from web_assets.git.run import is_work_tree
    from web_assets.steps.upload import store_for

    if keep < 1:
        raise PublishError(
            f"keep={keep}: gc keeps at least the current release; give keep=1 or more."
        )
    store = store_for(settings)
    named = lock_objects(read_lock(settings.lock_file))
    versions: list[str] = []
    if is_work_tree(settings.root):
        manifest, lock = settings.relative(settings.manifest), settings.relative(settings.lock_file)
        releases = list_releases(settings.root, "HEAD", manifest, lock)
        if releases.shallow and len(releases) < keep:
            # The older releases to keep are not in the clone: what they name is unknown.
            fewer = f", or give keep={len(releases)}" if releases else ""
            raise PublishError(
                f"keep={keep}: this clone is shallow and holds {len(releases)} release(s), so the "
                f"objects of the older ones it must keep are unknown ({UNSHALLOW}, then run gc "
                f"again{fewer}). Nothing was deleted."
            )
        for release in releases[:keep]:
            named |= lock_objects(release.lock)
            versions.append(release.version)
        named |= _named_at_branch_tips(settings.root, lock)
    referenced = {key for bucket, key in named if bucket == store.bucket}
    where = f"s3://{store.bucket}/{store.prefix.strip('/')}/"
    return Collection(find_garbage(store, referenced), versions, where)


def _named_at_branch_tips(root, lock: str) -> set[tuple[str, str]]:
    """The objects the lock file names at every branch's and remote-tracking branch's tip.

    gc run on a branch made before the latest release would otherwise delete what the live
    release (on another branch, or only on the remote) serves.
    """
    from web_assets.git.objects import read_all
    from web_assets.git.run import run
    from web_assets.records.jsonio import parse_json

    listed = run(
        root,
        "for-each-ref",
        "--format=%(objectname) %(refname:short)",
        "refs/heads",
        "refs/remotes",
    )
    tips = dict(line.split(" ", 1) for line in listed.stdout.splitlines() if " " in line)
    named: set[tuple[str, str]] = set()
    found = read_all(root, [f"{tip}:./{lock}" for tip in tips])
    for tip, branch in tips.items():
        data = found.get(f"{tip}:./{lock}")
        try:
            named |= lock_objects(parse_json(data, f"{branch}:{lock}") if data else None)
        except (ValueError, TypeError, AttributeError):
            raise PublishError(
                f"{lock} at the tip of {branch} cannot be read, so the objects it names are "
                f"unknown: fix or delete that branch, then run gc again. Nothing was deleted."
            ) from None
    return named
