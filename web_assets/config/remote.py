"""The default `uri_template` follows the push remote: a GitHub clone's URIs name its own repo.

Without a configured template, a clone whose push remote is on github.com publishes
`https://raw.githubusercontent.com/{owner}/{repo}/{commit}/<export folder>/{filename}`, which the
push makes live. Any other remote needs the template named (a publish says so, in one line).
A configured GitHub template that names another repository than the push remote's is kept, with
a warning: pushing would not make its URIs live.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote

from web_assets.git.run import run, toplevel

_GITHUB_REMOTE = re.compile(
    r"^(?:(?:https?|git|ssh)://(?:[^@/]+@)?github\.com(?::\d+)?/|(?:[^@/]+@)?github\.com:)"
    r"/?([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\.git)?/?$",
    re.IGNORECASE,
)
_RAW_TEMPLATE = re.compile(r"^https://raw\.githubusercontent\.com/([^/{}]+)/([^/{}]+)/", re.I)


def push_url(root: Path, remote: str) -> str | None:
    """Where `git push REMOTE` goes (its pushurl, else its url); None without such a remote."""
    result = run(root, "remote", "get-url", "--push", "--", remote, check=False)
    url = result.stdout.strip()
    return url if result.returncode == 0 and url else None


def github_repo(url: str | None) -> tuple[str, str] | None:
    """(owner, repo) of a github.com remote URL (https, ssh://, scp-like), else None."""
    match = _GITHUB_REMOTE.match(url.strip()) if url else None
    return (match.group(1), match.group(2)) if match else None


def template_repo(template: str) -> tuple[str, str] | None:
    """(owner, repo) a raw.githubusercontent.com template names, else None."""
    match = _RAW_TEMPLATE.match(template)
    return (match.group(1), match.group(2)) if match else None


def github_template(root: Path, remote: str, export_dir: Path) -> str:
    """The push remote's raw.githubusercontent.com template, or "" when it is not on GitHub."""
    repo = github_repo(push_url(root, remote))
    if repo is None:
        return ""
    # Raw URLs name paths from the repository's top, which may be above the project.
    folder = Path(os.path.relpath(export_dir, toplevel(root))).as_posix()
    parts = [*repo, "{commit}", *folder.split("/"), "{filename}"]
    escaped = [part if part in ("{commit}", "{filename}") else _literal(part) for part in parts]
    return "https://raw.githubusercontent.com/" + "/".join(escaped)


def _literal(segment: str) -> str:
    return quote(segment, safe="").replace("{", "{{").replace("}", "}}")


def remote_mismatch(root: Path, remote: str, template: str) -> str | None:
    """A warning when a GitHub template names another repository than the push remote's."""
    named = template_repo(template)
    if named is None:
        return None
    pushed = github_repo(push_url(root, remote))
    if pushed is None or [part.casefold() for part in named] == [
        part.casefold() for part in pushed
    ]:
        return None
    return (
        f"uri_template names github.com/{'/'.join(named)}, but the push remote `{remote}` is "
        f"github.com/{'/'.join(pushed)}: pushing does not make these URIs live. Fix uri_template "
        "in [tool.web-assets] of pyproject.toml, or remove it to follow the remote"
    )
