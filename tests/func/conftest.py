"""Fixtures of the end-to-end tests: servers and a browser, each stopped after its tests; a
bare remote; a version 8 run."""

from __future__ import annotations

from pathlib import Path

import pytest

from testing.app_server import AppServers
from testing.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium
from testing.gitrepo import git
from testing.project import new_run
from testing.published_history import build_template
from testing.raw_server import RawServers
from testing.seaweedfs import SeaweedFS
from testing.servers import serve_in_thread
from web_assets_doit.serve import make_server


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory) -> SeaweedFS:
    """One SeaweedFS for the whole session; tests isolate themselves with `new_bucket()`."""
    with SeaweedFS(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


@pytest.fixture(scope="session")
def history_template(tmp_path_factory):
    """A project with releases 7 to 11, built once: tests copy it (testing.project.clone_tree)."""
    return build_template(tmp_path_factory)


@pytest.fixture
def app_server(tmp_path):
    """Start stand-ins of the web app: `app_server(manifest, data_dir, *flags)` -> base url."""
    servers = AppServers(tmp_path)
    yield servers.start
    servers.stop()


@pytest.fixture
def raw_server(tmp_path):
    """Start raw servers: `raw_server(bare_repo, "--stale", ...)` -> base url."""
    servers = RawServers(tmp_path)
    yield servers.start
    servers.stop()


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium, shared by a module's tests."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def served(project):
    """`doit serve`'s server on the project, in a thread: its base URL."""
    for url in serve_in_thread(make_server(project)):
        yield f"{url}/"


@pytest.fixture
def remote(tmp_path, project) -> Path:
    """A bare repository as the project's `origin`, holding its main branch (a module may
    define its own `remote`, which takes precedence there)."""
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    git(project, "remote", "add", "origin", str(bare))
    git(project, "push", "--quiet", "origin", "main")
    return bare


@pytest.fixture
def version_8(project) -> list[str]:
    """Settings of a version 8 run whose files live in the project, outside what git tracks."""
    run_dir = new_run(project / "scratch", version=8, seed=8)
    data = project / "scratch/data/processed"
    (project / ".git/info/exclude").write_text("scratch/\n")
    return [
        f"run_dir={run_dir}",
        f"dataset={data / 'Dataset_Version_8.csv'}",
        f"financial_dataset={data / 'financial_dataset.csv'}",
        "version=8",
    ]
