"""`doit releases`, `doit diff` and `doit rollback`: the release history, read from git objects.

doit commands rather than tasks: they take their own `name=value` arguments (`to=8`), which
dodo.py would refuse as unknown settings, and they need no task loaded. `doit help` lists them.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

from doit.cmd_base import Command

from web_assets.config.settings import read_pyproject_settings, resolve_settings
from web_assets.config.table import DEFAULTS
from web_assets.errors import PublishError

REFUSED = 3  # doit's status for an error before any task runs


def history_paths(root: Path) -> tuple[str, str]:
    """The manifest and lock file paths the settings name; the defaults when they cannot load.

    Listing must work whatever state the work tree is in (a damaged lock file, a missing run).
    """
    try:
        settings = resolve_settings(root, {})
        return settings.relative(settings.manifest), settings.relative(settings.lock_file)
    except PublishError:
        try:
            table = read_pyproject_settings(root)
        except PublishError:
            table = {}
        names = ("manifest", "lock_file")
        return tuple(str(table.get(name) or DEFAULTS[name]) for name in names)  # type: ignore[return-value]


def variables(allowed: set[str] | None) -> dict[str, str]:
    """The `name=value` arguments; PublishError for a name the command does not take."""
    from web_assets_doit.variables import command_line

    given = command_line()
    unknown = sorted(set(given) - allowed) if allowed is not None else []
    if unknown:
        raise PublishError(
            f"Unknown argument {', '.join(map(repr, unknown))}: this command takes "
            f"{', '.join(f'{name}=' for name in sorted(allowed)) or 'no name=value argument'}."
        )
    return given


def refused(err: PublishError) -> int:
    sys.stderr.write(f"ERROR: {err}\n")
    return REFUSED


def releases_text(root: Path) -> list[str]:
    from web_assets.history.listing import release_lines
    from web_assets.history.log import list_releases

    manifest, lock = history_paths(root)
    return release_lines(list_releases(root, "HEAD", manifest, lock))


def diff_text(root: Path, since: str | None, until: str | None) -> list[str]:
    from web_assets.history.branch import shallow_note
    from web_assets.history.diff import diff_lines
    from web_assets.history.log import list_releases
    from web_assets.history.names import resolve

    manifest, lock = history_paths(root)
    found = list_releases(root, "HEAD", manifest, lock)
    if not found:
        raise PublishError("No release on this branch: there is nothing to compare.")
    if len(found) < (1 if since else 2):
        raise PublishError(
            f"{len(found)} release(s) on this branch: there is nothing to compare. "
            "Name two with from=VERSION to=VERSION." + shallow_note(found.shallow)
        )
    newer = resolve(found, until, root) if until else found[0]
    if since:
        older = resolve(found, since, root)
    else:
        place = found.index(newer)
        if place + 1 >= len(found):
            raise PublishError(
                f"Version {newer.version} is the first release: name another with from=VERSION."
                + shallow_note(found.shallow)
            )
        older = found[place + 1]
    return diff_lines(root, older, newer)


class Releases(Command):
    """doit command: `doit releases`."""

    name = "releases"
    doc_purpose = "list the releases on this branch, newest first, with what each changed"
    doc_usage = ""
    doc_description = None
    cmd_options = ()

    def execute(self, params, args):
        try:
            variables(set())
            lines = releases_text(Path.cwd())
        except PublishError as err:
            return refused(err)
        sys.stdout.write("".join(f"{line}\n" for line in lines) or "No release on this branch.\n")
        return 0


class Diff(Command):
    """doit command: `doit diff [from=VERSION|COMMIT|TAG] [to=VERSION|COMMIT|TAG]`."""

    name = "diff"
    doc_purpose = "what changed between two releases (default: the last one and the one before)"
    doc_usage = "[from=VERSION|COMMIT|TAG] [to=VERSION|COMMIT|TAG]"
    doc_description = None
    cmd_options = ()

    def execute(self, params, args):
        try:
            given = variables({"from", "to"})
            lines = diff_text(Path.cwd(), given.get("from"), given.get("to"))
        except PublishError as err:
            return refused(err)
        sys.stdout.write("".join(f"{line}\n" for line in lines))
        return 0


class Rollback(Command):
    """doit command: `doit rollback to=VERSION|COMMIT|TAG [push=true] [remote=...] [branch=...]`."""

    name = "rollback"
    doc_purpose = "publish an earlier release again, as a new commit (to=VERSION, COMMIT or TAG)"
    doc_usage = "to=VERSION|COMMIT|TAG [push=true] [remote=NAME] [branch=NAME]"
    doc_description = None
    cmd_options = ()

    def execute(self, params, args):
        from web_assets.history.rollback import apply_rollback, plan_rollback

        root = Path.cwd().resolve()
        try:
            given = variables({"to", "push", "remote", "branch", "manifest", "lock_file"})
            to = given.pop("to", None)
            settings = resolve_settings(root, given)
            plan = plan_rollback(settings, to)
        except PublishError as err:
            return refused(err)
        from web_assets.files import publish_lock
        from web_assets.files.digests import close_cache, save_caches

        try:
            # A publish started meanwhile must not write beside the rollback.
            publish_lock.take(root)
            done = apply_rollback(plan)
            save_caches()
        except PublishError as err:
            sys.stderr.write(f"ERROR: {err}\n")
            return 1
        finally:
            close_cache(root)
            publish_lock.drop(root)
        target = plan.target
        removed = f", {len(plan.removed)} removed" if plan.removed else ""
        # A rollback tags nothing new: it names the release tag it restored.
        tag = f", tag {', '.join(target.tags)}" if target.tags else ""
        print(
            f"Rolled back to version {target.version} (commit {target.commit[:8]}{tag}, run "
            f"{target.run_id or '-'}): {len(plan.restored)} files restored{removed}."
        )
        print(rollback_line(plan, done, to))
        print(refresh_record(root, given))
        return verify_after(root)


def rollback_line(plan: Any, done: dict[str, Any], to: str | None) -> str:
    """What the rollback committed, and whether the web app serves it: it loads what is pushed."""
    if done["pushed"]:
        made = f"Committed {done['commit'][:10]}: {plan.message}" if done["commit"] else "No commit"
        return f"{made}; pushed to {done['pushed']}: live."
    if not done["commit"]:
        return "No commit, nothing pushed: the web app loads what it loaded before."
    return (
        f"Committed {done['commit'][:10]} locally only: {plan.message}. The web app still loads "
        f"version {plan.current.version} until you push (git push {plan.settings.remote} "
        f"{plan.branch}, or roll back with `doit rollback to={to} push=true`)."
    )


def refresh_record(root: Path, given: dict[str, Any]) -> str:
    """Bring doit's record in line with the restored release, so that a plain `doit` runs nothing.

    doit's record (`.doit.db`) still describes the release rolled back from. When the restored lock
    file's sources still hold the recorded bytes, publishing them again writes the same bytes: the
    steps run once here, with the settings a plain `doit` takes, and the commit step finds nothing
    to commit. When they are gone, a plain `doit` keeps the published files (see recorded.py).
    """
    from web_assets.git.run import run as run_git
    from web_assets.release.recorded import changed_sources, gone_inputs, resolve_run
    from web_assets_doit.runner import run_doit

    plain = {name: given[name] for name in ("manifest", "lock_file") if name in given}
    run = resolve_run(root, plain)
    if run.problem:
        raise PublishError(run.problem)
    settings = run.settings
    gone = gone_inputs(settings, plain, run.recorded)
    if gone:
        return (
            f"Its recorded inputs are gone ({', '.join(gone)}): a plain `doit` keeps it as it is."
        )
    changed = changed_sources(settings)
    if changed:
        return (
            f"Its recorded sources changed since ({', '.join(changed[:3])}): a plain `doit` would "
            "publish them as they are now."
        )
    head = run_git(root, "rev-parse", "HEAD").stdout
    status, summary = run_doit(root, ["lockfile"], out=io.StringIO(), given=plain)
    published = [settings.relative(path) for path in _published(settings)]
    dirty = run_git(root, "status", "--porcelain", "--", *published).stdout
    if status != 0 or dirty:
        said = "; ".join(summary.failures) or dirty.strip().replace("\n", ", ")
        return f"doit's record was not refreshed ({said}): a plain `doit` publishes again."
    status, summary = run_doit(root, ["commit"], out=io.StringIO(), given=plain)
    if status != 0 or run_git(root, "rev-parse", "HEAD").stdout != head:
        return f"doit's record was not refreshed ({'; '.join(summary.failures)})."
    return "doit's record matches it: a plain `doit` runs nothing."


def _published(settings) -> list[Path]:
    from web_assets.records.lockfile import read_lock

    lock = read_lock(settings.lock_file) or {"files": []}
    paths = [settings.root / entry["path"] for entry in lock["files"]]
    return [*paths, settings.manifest, settings.lock_file]


def verify_after(root: Path) -> int:
    from web_assets.verify.offline import verify

    problems, files = verify(resolve_settings(root, {}))
    for found in problems:
        print(f"verify: {found.line()}")
    if problems:
        print(f"verify: {len(problems)} problem(s) in {files} files.")
        return 1
    print(f"verify: {files} files match the manifest and the lock file.")
    return 0
