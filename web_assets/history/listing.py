"""`doit releases` as lines: each release, what it changed, and what it was (a rollback, a first)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from web_assets.history.branch import UNSHALLOW
from web_assets.history.diff import changes, release_line
from web_assets.history.log import PastRelease, ReleaseList, same_content
from web_assets.history.recorded_lines import headline, metrics_of
from web_assets.history.rollback import MESSAGE

ROLLBACK_SUBJECT = MESSAGE.split("{", 1)[0]


class Listed(NamedTuple):
    """A release as the listings show it: the one before it, whether only its records moved,
    and the older release it publishes again (`again`), by rollback or not."""

    release: PastRelease
    older: PastRelease | None
    records_only: bool
    again: PastRelease | None
    rollback: bool


def listed(releases: ReleaseList) -> Iterator[Listed]:
    """Each release, newest first, as `doit releases` and the status page classify it."""
    earlier = _published_before(releases)
    for place, release in enumerate(releases):
        older = releases[place + 1] if place + 1 < len(releases) else None
        records_only = older is not None and _records_only(older, release)
        again = earlier.get(release.commit)
        rollback = again is not None and _is_rollback(release, older)
        yield Listed(release, older, records_only, again, rollback)


def release_lines(releases: ReleaseList) -> list[str]:
    """One line per release, newest first, marking rollbacks and a shallow clone's oldest.

    A commit that changed only what the lock file records of a release (its checks, its inputs),
    no published file, version or run, is not listed: a last line names them.
    """
    lines, quiet = [], []
    for release, older, records_only, again, rollback in listed(releases):
        if older is None and releases.shallow:
            lines.append(release_line(release, f"earliest in this shallow clone ({UNSHALLOW})"))
            continue
        if records_only:
            quiet.append(release.commit[:8])
            continue
        line = release_line(release, changes(older, release))
        if release.tags:
            line += f"  [{', '.join(release.tags)}]"
        if again is not None:
            said = "rollback to" if rollback else "same as"
            line += f"  ({said} {again.version}, commit {again.commit[:8]})"
        metric = headline(metrics_of(release))
        lines.append(f"{line}  [{metric}]" if metric else line)
    if quiet:
        named = ", ".join(quiet[:5]) + (f" and {len(quiet) - 5} more" if len(quiet) > 5 else "")
        lines.append(
            f"(not listed: {named}, which changed the lock file's records only, "
            "no published file, version or run)"
        )
    return lines


def _records_only(older: PastRelease, release: PastRelease) -> bool:
    """Both made by this tool, with the same files, version and run: only the records moved."""

    def facts(r: PastRelease) -> tuple:
        files = {path: (ref.sha256, ref.size) for path, ref in r.files.items()}
        return r.has_lock, r.version, r.run_id, r.trained_at, files

    return older.has_lock and facts(older) == facts(release)


def _is_rollback(release: PastRelease, older: PastRelease | None) -> bool:
    """Made by `doit rollback`, or going back to a lower version than the release before it."""
    if release.subject.startswith(ROLLBACK_SUBJECT):
        return True
    versions = (release.version, older.version if older else "")
    if not all(v.isascii() and v.isdigit() for v in versions):
        return False
    return int(versions[0]) < int(versions[1])


def _published_before(releases: ReleaseList) -> dict[str, PastRelease]:
    """Each release that publishes an older one again, file for file, and the newest such older one.

    One pass from the oldest; only releases with the same files, version and run are compared.
    """
    seen: dict[tuple, list[PastRelease]] = {}
    again: dict[str, PastRelease] = {}
    for release in reversed(releases):
        if not release.has_lock:
            continue
        files = frozenset((path, ref.sha256, ref.size) for path, ref in release.files.items())
        candidates = seen.setdefault((release.version, release.run_id, files), [])
        found = next((o for o in reversed(candidates) if same_content(o, release)), None)
        if found is not None:
            again[release.commit] = found
        candidates.append(release)
    return again
