"""Every process that runs git is started by web_assets/git/run.py: found by reading the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
SCANNED = ["web_assets", "web_assets_doit", "tasks", "dodo.py"]
RUNNER = "web_assets/git/run.py"
# The functions that start a program, and the position of the program among their arguments.
STARTERS = {
    **{
        f"subprocess.{name}": 0
        for name in (
            "run",
            "Popen",
            "call",
            "check_call",
            "check_output",
            "getoutput",
            "getstatusoutput",
        )
    },
    **{f"os.{name}": 0 for name in ("system", "popen", "posix_spawn", "posix_spawnp")},
    **{f"os.exec{tail}": 0 for tail in ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe")},
    **{f"os.spawn{tail}": 1 for tail in ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe")},
    "asyncio.create_subprocess_exec": 0,
    "asyncio.create_subprocess_shell": 0,
    "pty.spawn": 0,
}
# Programs named by an expression rather than a literal, known not to be git.
KNOWN = {"sys.executable": "python"}
UNKNOWN = "?"


def _imports(tree: ast.Module) -> dict[str, str]:
    """Local name -> dotted name, for `import x as y` and `from x import y as z` anywhere."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _dotted(node: ast.expr, imports: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return imports.get(node.id, node.id)
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value, imports)
        return f"{base}.{node.attr}" if base else None
    return None


def _assignments(scope: ast.AST) -> dict[str, list[ast.expr]]:
    found: dict[str, list[ast.expr]] = {}
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign | ast.NamedExpr) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name):
                found.setdefault(target.id, []).append(value)
    return found


def _programs(node: ast.expr, names: dict, imports: dict, seen: frozenset = frozenset()) -> set:
    """The programs `node` (a command list, a shell string or a name bound to one) may start."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
        words = (node.value.decode() if isinstance(node.value, bytes) else node.value).split()
        return {Path(words[0]).name if words else UNKNOWN}
    if isinstance(node, ast.List | ast.Tuple) and node.elts:
        first = node.elts[0]
        return _programs(first.value if isinstance(first, ast.Starred) else first, names, imports)
    if isinstance(node, ast.BinOp):
        return _programs(node.left, names, imports, seen)
    if isinstance(node, ast.JoinedStr) and node.values:
        return _programs(node.values[0], names, imports, seen)
    if isinstance(node, ast.Name) and node.id in names and node.id not in seen:
        seen = seen | {node.id}
        return set().union(*(_programs(v, names, imports, seen) for v in names[node.id]))
    dotted = _dotted(node, imports)
    return {KNOWN[dotted]} if dotted in KNOWN else {UNKNOWN}


def process_starts(source: str) -> list[tuple[int, str]]:
    """(line, program) for each call in `source` that starts a process; `?` when it cannot tell."""
    tree = ast.parse(source)
    imports = _imports(tree)
    module_names = _assignments(tree)
    found = []
    scopes = [
        tree,
        *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)),
    ]
    for scope in scopes:
        names = {**module_names, **_assignments(scope)} if scope is not tree else module_names
        body = scope.body if scope is not tree else tree.body
        for call in _own_calls(body):
            where = STARTERS.get(_dotted(call.func, imports) or "")
            if where is None:
                continue
            given = [a for a in call.args if not isinstance(a, ast.Starred)]
            keyword = next(
                (k.value for k in call.keywords if k.arg in ("args", "cmd", "path")), None
            )
            program = given[where] if len(given) > where else keyword
            for name in sorted(_programs(program, names, imports) if program else {UNKNOWN}):
                found.append((call.lineno, name))
    return sorted(found)


def _own_calls(body: list[ast.stmt]) -> list[ast.Call]:
    """Calls in `body`, leaving out those of nested functions (their own scope lists them)."""
    calls, stack = [], list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.Call):
            calls.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return calls


def _modules() -> list[Path]:
    paths = []
    for name in SCANNED:
        path = PROJECT / name
        paths += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return paths


def test_only_the_runner_starts_git():
    modules = _modules()
    starts = {
        path.relative_to(PROJECT).as_posix(): process_starts(path.read_text(encoding="utf-8"))
        for path in modules
    }
    outside = {
        module: [f"line {line}: {program}" for line, program in found]
        for module, found in starts.items()
        if module != RUNNER and any(program in ("git", UNKNOWN) for _, program in found)
    }
    assert outside == {}, "run git through web_assets.git.run (and name other programs literally)"
    # The scan reads the runner too: its two ways to start git (run and start) are seen.
    assert [program for _, program in starts[RUNNER]] == ["git", "git"]
    assert len(modules) > 50


@pytest.mark.parametrize(
    "source",
    [
        'import subprocess\nsubprocess.run(["git", "status"], check=True)\n',
        'import subprocess as sp\ncommand = ["git", "log"]\nsp.Popen(command)\n',
        'from subprocess import check_output as out\nout("git log -1", shell=True)\n',
        'import os\nos.execvp("git", ["git", "gc"])\n',
        'import os\nos.spawnlp(os.P_WAIT, "/usr/bin/git", "git", "gc")\n',
        'import subprocess\ndef f(*a):\n    return subprocess.run(["git", *a])\n',
        'import subprocess\nGIT = "git"\ndef f():\n    subprocess.call(args=[GIT, "fetch"])\n',
        'import subprocess, shutil\nsubprocess.run([shutil.which("git"), "gc"])\n',
    ],
)
def test_the_scan_finds_git_started_by_hand(source):
    assert {program for _, program in process_starts(source)} & {"git", UNKNOWN}


@pytest.mark.parametrize(
    "source",
    [
        'import subprocess\nsubprocess.run(["ls", "-l"])\n',
        'import subprocess, sys\nsubprocess.run([sys.executable, "-c", "pass"])\n',
        'from web_assets.git.run import run\nrun(root, "status")\n',
        'import os\nos.system("make")\n',
    ],
)
def test_the_scan_lets_other_programs_and_the_runner_pass(source):
    assert {program for _, program in process_starts(source)} <= {"ls", "python", "make"}
