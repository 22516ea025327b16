"""A project that publishes to a bucket of the test SeaweedFS (testing/seaweedfs.py)."""

from __future__ import annotations

from pathlib import Path

from testing.gitrepo import git
from testing.project import without_git_template


def use_bucket(project: Path, server, bucket: str, *extra: str) -> None:
    """The store's settings (and `extra` lines) in pyproject.toml, committed, as a project would
    keep them."""
    pyproject = project / "pyproject.toml"
    lines = [
        'storage = "s3"',
        f's3_bucket = "{bucket}"',
        f's3_endpoint_url = "{server.endpoint_url}"',
        f's3_region = "{server.region}"',
        f'public_base_url = "{server.public_base_url}/{bucket}"',
        *extra,
    ]
    text = pyproject.read_text().replace("version = 7\n", "version = 7\n" + "\n".join(lines) + "\n")
    pyproject.write_text(without_git_template(text))
    git(project, "commit", "--quiet", "--all", "-m", "models in the object store")


def bucket_keys(server, bucket: str) -> set[str]:
    """Every object key in `bucket` (the test buckets hold a few dozen at most: one listing)."""
    listed = server.client().list_objects_v2(Bucket=bucket)
    return {item["Key"] for item in listed.get("Contents", [])}
