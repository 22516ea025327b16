"""The summary a person reads after a run: what changed, which version, which commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from web_assets.config.spelling import Entry
from web_assets.modelcheck.report import model_check_lines
from web_assets.records.manifest import Change


@dataclass
class Summary:
    """What one doit run did, from the values its steps returned."""

    datasets: list[dict[str, Any]] = field(default_factory=list)
    manifest: dict[str, Any] | None = None
    # The commit step's values (its reason when it made none, its warnings): for the lines.
    commit_step: dict[str, Any] | None = None
    ran: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    # check:models' values: each model's missing features and prediction shift.
    checks: dict[str, Any] | None = None
    # The previous release's files the new run lacks, removed from the export folder.
    removed: list[str] = field(default_factory=list)
    # The upload steps' values (storage = "s3").
    uploads: list[dict[str, Any]] = field(default_factory=list)
    # The app check after the push: its values (the confirmation), or the line saying what fails.
    app: dict[str, Any] | None = None
    app_problem: str | None = None
    # A read-only step (verify) failed: its own lines said why, and nothing was being written.
    read_only_failed: bool = False
    # Whether the run included a step that writes: a failure then says the files are whole.
    writes: bool = True
    # How the person started the run: the advice names settings as it takes them.
    entry: Entry = Entry.DOIT

    @property
    def commit(self) -> str | None:
        """The id of the commit this run made, or None when it made none."""
        return (self.commit_step or {}).get("commit") or None

    @property
    def pushed(self) -> str | None:
        """`REMOTE BRANCH` this run pushed to, or None when it did not push."""
        return (self.commit_step or {}).get("pushed") or None

    @property
    def live(self) -> bool:
        """Whether the web app loads this release now: it loads what is pushed (a pull
        request's branch once it is merged)."""
        return self.pushed is not None and not (self.commit_step or {}).get("pr")

    @property
    def changes(self) -> list[Change]:
        return [Change(*change) for change in (self.manifest or {}).get("changes", [])]

    def lines(self) -> list[str]:
        if self.failures:
            intact = " Every file is intact: old or new, never half-written." if self.writes else ""
            return [f"Stopped: a step failed (see above).{intact}"]
        if self.read_only_failed:
            return []
        if not self.ran and not self.app_problem:
            return ["Nothing to publish: every step is up to date."]
        lines: list[str] = []
        if self.manifest:
            lines.append(_version_line(self.manifest))
            lines += [_change_line(change) for change in self.changes]
            if not self.changes:
                lines.append("  models and preprocessing unchanged")
        lines += [
            f"  removed {path}: not in the new run (git keeps it in history)"
            for path in sorted(self.removed)
        ]
        lines += [
            f"  dataset {item['target']} ({_size(item['size_bytes'])}, sha256 {item['sha256'][:8]})"
            for item in self.datasets
        ]
        lines += model_check_lines(self.checks)
        if self.uploads:
            lines.append(_upload_line(self.uploads))
        if self.commit_step:
            lines.append(_commit_line(self.commit_step, self.manifest, self.entry))
            lines += [f"warning: {warning}" for warning in self.commit_step.get("warnings", [])]
        if self.app_problem:
            lines.append(self.app_problem)
        elif self.app:
            lines.append(self.app["line"])
        return lines


def _upload_line(uploads: list[dict[str, Any]]) -> str:
    sent = [item for item in uploads if item["sent"]]
    size = sum(item["size_bytes"] for item in sent)
    kept = len(uploads) - len(sent)
    already = f", {kept} already there" if kept else ""
    return f"  uploaded {len(sent)} object(s) ({_size(size)}) to bucket {uploads[0]['bucket']}{already}"


def _version_line(manifest: dict[str, Any]) -> str:
    old, new = manifest["old_version"], manifest["dataset_version"]
    version = new if old in (None, new) else f"{old} -> {new}"
    state = "updated" if manifest["written"] else "already up to date"
    return f"Dataset version {version}, run {manifest['run_id']}: {manifest['manifest']} {state}"


def _change_line(change: Change) -> str:
    label = f"  {change.section:<13} {change.id:<24}"
    if change.old_sha256 is None:
        return f"{label} added    {_short(change.new_sha256)}  {_size(change.new_size)}"
    if change.new_sha256 is None:
        return f"{label} removed  (its file is gone from the export folder)"
    return (
        f"{label} changed  {_short(change.old_sha256)} -> {_short(change.new_sha256)}  "
        f"{_size(change.old_size)} -> {_size(change.new_size)}"
    )


def _commit_line(commit: dict[str, Any], manifest: dict[str, Any] | None, entry: Entry) -> str:
    """What was committed, and whether the web app serves it yet: it loads what is pushed."""
    if not commit["commit"]:
        # The commit step names the setting that turned it off as doit takes it.
        off = commit["reason"] == "commit=false"
        reason = entry.given("commit", False).strip("`") if off else None
        return f"No commit: {reason or commit['reason']}."
    if commit.get("pr"):
        return _pr_commit_line(commit, entry)
    sha = commit["commit"][:10]
    if commit["pushed"]:
        return f"Committed {sha}, pushed to {commit['pushed']}: live."
    old, new = (manifest or {}).get("old_version"), (manifest or {}).get("dataset_version")
    old = f"version {old}" if old and old != new else "the previous release"
    remote = commit.get("remote") or "origin"
    branch = commit.get("branch") or "BRANCH"
    return (
        f"Committed {sha} locally only: the web app still loads {old} until you push "
        f"(git push {remote} {branch}, or publish with {entry.given('push', True).strip('`')})."
    )


def _pr_commit_line(commit: dict[str, Any], entry: Entry) -> str:
    """The summary's last line for a pull-request publish: where the branch is, and what next."""
    pr, sha = commit["pr"], commit["commit"][:10]
    branch, remote, base = pr["branch"], commit.get("remote") or "origin", pr["base"] or "main"
    where = (
        f"open the pull request at {pr['url']}" if pr["url"] else f"open a pull request into {base}"
    )
    if commit["pushed"]:
        return (
            f"Committed {sha} on branch {branch}, pushed to {remote}: {where}. The web app "
            f"loads it once the branch is merged into {base} (with a merge commit: pinned URIs "
            "must stay reachable)."
        )
    return (
        f"Committed {sha} on branch {branch}, made locally only: push it (git push {remote} "
        f"{branch}, or publish with {entry.given('push', True).strip('`')}), then {where}."
    )


def _short(digest: str | None) -> str:
    return (digest or "?")[:8]


def _size(size: int | None) -> str:
    return "?" if size is None else f"{size:,} B"
