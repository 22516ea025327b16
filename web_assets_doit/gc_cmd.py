"""`doit gc keep=N [apply=true]`: delete the objects in the store that no kept release names.

Like `dvc gc --cloud`: a dry run unless `apply=true`, and always at least the current release kept.
"""

from __future__ import annotations

from pathlib import Path

from doit.cmd_base import Command

from web_assets.config.converters import boolean
from web_assets.config.settings import resolve_settings
from web_assets.errors import PublishError
from web_assets_doit.history_cmds import refused, variables

SHOWN = 20  # keys listed by name; the count and bytes cover them all


class Gc(Command):
    """doit command: `doit gc keep=N [apply=true]`."""

    name = "gc"
    doc_purpose = 'with storage = "s3": delete objects no kept release names (dry run by default)'
    doc_usage = "keep=N [apply=true]"
    doc_description = None
    cmd_options = ()

    def execute(self, params, args):
        root = Path.cwd().resolve()
        try:
            given = variables({"keep", "apply", "manifest", "lock_file"})
            keep = _count(given.pop("keep", None))
            apply = boolean(root, "apply", given.pop("apply", "false"))
            settings = resolve_settings(root, given)
            if settings.storage != "s3":
                print(
                    f'storage = "{settings.storage}": there is no object store, nothing to collect.'
                )
                return 0
            if not apply:
                return collect(settings, keep, apply)
            from web_assets.files import publish_lock

            # Taken before the listing: a publish finishing meanwhile would name objects that
            # this run's list of kept releases lacks.
            publish_lock.take(root)
            try:
                return collect(settings, keep, apply)
            finally:
                publish_lock.drop(root)
        except PublishError as err:
            return refused(err)


def collect(settings, keep: int, apply: bool) -> int:
    from web_assets.history.gc import plan_gc
    from web_assets.steps.upload import store_for
    from web_assets.store.collect import delete_objects

    found = plan_gc(settings, keep)
    garbage = found.garbage
    kept = f"{garbage.kept} object(s) named by version(s) {', '.join(found.versions) or '-'}"
    writing = f", {garbage.in_progress} being uploaded" if garbage.in_progress else ""
    for key in list(garbage.doomed)[:SHOWN]:
        print(f"  {key}  {garbage.doomed[key]:,} B")
    if len(garbage.doomed) > SHOWN:
        print(f"  ... and {len(garbage.doomed) - SHOWN} more")
    count = f"{len(garbage.doomed)} object(s), {garbage.size:,} B"
    if not garbage.doomed:
        print(f"Nothing to collect under {found.where}: {kept}{writing}.")
        return 0
    if not apply:
        print(
            f"Would delete {count} under {found.where}; kept {kept}{writing}. "
            f"Delete them with `doit gc keep={keep} apply=true`."
        )
        return 0
    delete_objects(store_for(settings), list(garbage.doomed))
    print(f"Deleted {count} under {found.where}; kept {kept}{writing}.")
    return 0


def _count(value: str | None) -> int:
    if value is None or not value.strip().lstrip("-").isdigit():
        raise PublishError(
            f"gc needs keep=N, how many releases of the branch keep their objects (a whole number "
            f"of 1 or more){'' if value is None else f', not {value!r}'}."
        )
    return int(value)
