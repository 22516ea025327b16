"""doit's file_dep check, by content."""

from __future__ import annotations

from pathlib import Path

from doit.dependency import FileChangedChecker

from web_assets.files.digests import cache_for


class ContentChecker(FileChangedChecker):
    """doit's file_dep check by SHA-256 content, through the project's digest cache.

    doit runs with the project root as working folder, so that is the cache's root.
    """

    def __init__(self) -> None:
        self.cache = cache_for(Path.cwd())

    def check_modified(self, file_path, file_stat, state) -> bool:
        try:
            return list(self.cache.digest(file_path, file_stat)) != state
        except OSError:
            return True  # not a readable file now (a folder, say): the step reports it when run

    def get_state(self, dep, current_state):
        state = list(self.cache.digest(dep))
        return None if state == current_state else state
