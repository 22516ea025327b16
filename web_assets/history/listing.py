"""`doit releases` as lines: each release, what it changed, and what it was (a rollback, a first)."""

from __future__ import annotations

from web_assets.history.branch import UNSHALLOW
from web_assets.history.diff import changes, release_line
from web_assets.history.log import PastRelease, ReleaseList, same_content
from web_assets.history.recorded_lines import headline, metrics_of
from web_assets.history.rollback import MESSAGE

ROLLBACK_SUBJECT = MESSAGE.split("{", 1)[0]


def release_lines(releases: ReleaseList) -> list[str]:
    """One line per release, newest first, marking rollbacks and a shallow clone's oldest.

    A commit that changed only what the lock file records of a release (its checks, its inputs),
    no published file, version or run, is not listed: a last line names them.
    """
    lines, quiet = [], []
    earlier = _published_before(releases)
    for place, release in enumerate(releases):
        older = releases[place + 1] if place + 1 < len(releases) else None
        if older is None and releases.shallow:
            lines.append(release_line(release, f"earliest in this shallow clone ({UNSHALLOW})"))
            continue
        changed = changes(older, release)
        if older is not None and _records_only(older, release):
            quiet.append(release.commit[:8])
            continue
        line = release_line(release, changed)
        if release.tags:
            line += f"  [{', '.join(release.tags)}]"
        again = earlier.get(release.commit)
        if again is not None:
            said = "rollback to" if _is_rollback(release, older) else "same as"
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
