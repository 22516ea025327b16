"""doit's console output, then the summary a person reads."""

from __future__ import annotations

import sys

from doit.reporter import ConsoleReporter

from web_assets.errors import PublishError
from web_assets.files.digests import save_caches
from web_assets.records.summary import Summary
from web_assets.report.write import ReportTarget, write_report

# The step that reports bad settings or inputs found when dodo.py loaded (see checks.check_tasks).
LOAD_PROBLEM = "check:inputs"
MODEL_CHECK = "check:models"
# Steps that write nothing: their failure is no stopped publish.
APP_CHECK = "app"
READ_ONLY = {"verify", APP_CHECK}


def writes(step: str) -> bool:
    """Whether the step may write a file: the checks, verify and the app check never do."""
    return step not in READ_ONLY and step.split(":", 1)[0] != "check"


class SummaryReporter(ConsoleReporter):
    """doit's console output, then the summary."""

    desc = "console output and a publish summary"
    # With `report` set: where the release report goes (tasks/creators.py, doit_config).
    report: ReportTarget | None = None

    def __init__(self, outstream, options):
        super().__init__(outstream, options)
        self.summary = Summary()
        # Taken now: while steps run in threads, sys.stderr may be another step's capture.
        self.errstream = sys.stderr
        self.refused = ""

    def initialize(self, tasks, selected_tasks):
        """Note whether this run may write: only then does a failure's line speak of the files."""
        super().initialize(tasks, selected_tasks)
        seen: set[str] = set()
        todo = list(selected_tasks)
        while todo:
            name = todo.pop()
            if name not in seen and name in tasks:
                seen.add(name)
                todo += [*tasks[name].task_dep, *tasks[name].setup_tasks]
        self.summary.writes = any(tasks[name].actions and writes(name) for name in seen)

    def execute_task(self, task):
        if task.name != LOAD_PROBLEM:
            super().execute_task(task)

    def add_success(self, task):
        super().add_success(task)
        if task.name == MODEL_CHECK:
            # What the models' run found, told when it ran: an up-to-date one found nothing new.
            self.summary.checks = task.values
        if not task.actions or task.name.startswith("_"):
            return
        self.summary.ran.append(task.name)
        if task.name.startswith("datasets:"):
            self.summary.datasets.append(task.values)
        elif task.name == "prune":
            self.summary.removed = list((task.values or {}).get("removed") or [])
        elif task.name.startswith("upload:"):
            self.summary.uploads.append(task.values)
        elif task.name == "commit":
            self.summary.commit_step = task.values
        elif task.name in ("manifest", APP_CHECK):
            setattr(self.summary, task.name, task.values)

    def add_failure(self, task, fail):
        if task.name == LOAD_PROBLEM:
            # Bad input is one line on stderr, as doit prints a dodo.py that cannot load.
            self.refused = fail.get_msg().strip()
            self.summary.failures.append(self.refused)
            return
        message = fail.get_msg().strip()
        if task.name == APP_CHECK:
            # The summary's last line says it, with the way back; doit need not say it first.
            self.summary.app_problem = message
            return
        if task.name in READ_ONLY:
            super().add_failure(task, fail)
            self.summary.read_only_failed = True
            return
        if any(failure.endswith(f": {message}") for failure in self.summary.failures):
            # Two checks that read the same file find the same problem: say it once.
            return
        super().add_failure(task, fail)
        self.summary.failures.append(f"{task.name}: {message}")

    def runtime_error(self, msg):
        super().runtime_error(msg)
        self.summary.failures.append(msg)

    def complete_run(self):
        save_caches()
        if self.refused:
            self.errstream.write(f"ERROR: {self.refused}\n")
            self.errstream.flush()
            return
        super().complete_run()
        self.write("".join(f"{line}\n" for line in self.summary.lines()))
        if self.report is not None and self.summary.writes and not self.summary.failures:
            try:
                self.write(write_report(self.report, self.summary) + "\n")
            except (PublishError, OSError) as err:
                self.write(f"warning: the report {self.report.path} was not written: {err}\n")
