"""`doit releases` as lines: each release, what it changed, and what it was (a rollback, a first)."""

from __future__ import annotations

from web_assets.history.branch import UNSHALLOW
from web_assets.history.diff import changes, release_line
from web_assets.history.log import Release, ReleaseList, same_content
from web_assets.history.rollback import MESSAGE

ROLLBACK_SUBJECT = MESSAGE.split("{", 1)[0]


def release_lines(releases: ReleaseList) -> list[str]:
    """One line per release, newest first, marking rollbacks and a shallow clone's oldest."""
    lines = []
    for place, release in enumerate(releases):
        older = releases[place + 1] if place + 1 < len(releases) else None
        if older is None and releases.shallow:
            lines.append(release_line(release, f"earliest in this shallow clone ({UNSHALLOW})"))
            continue
        line = release_line(release, changes(older, release))
        earlier = _same_as(release, releases[place + 2 :])
        if earlier is not None:
            said = "rollback to" if _is_rollback(release, older) else "same as"
            line += f"  ({said} {earlier.version}, commit {earlier.commit[:8]})"
        lines.append(line)
    return lines


def _is_rollback(release: Release, older: Release | None) -> bool:
    """Made by `doit rollback`, or going back to a lower version than the release before it."""
    if release.subject.startswith(ROLLBACK_SUBJECT):
        return True
    versions = (release.version, older.version if older else "")
    if not all(v.isascii() and v.isdigit() for v in versions):
        return False
    return int(versions[0]) < int(versions[1])


def _same_as(release: Release, older: list[Release]) -> Release | None:
    """The newest older release this one publishes again, file for file (a rollback)."""
    if not release.has_lock:
        return None
    return next((o for o in older if o.has_lock and same_content(o, release)), None)
