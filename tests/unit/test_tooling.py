"""The strict tooling configured in pyproject.toml holds for the whole tree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing() -> None:
    result = run(str(BIN / "ruff"), "check", "schule", "tests", "bench")

    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing() -> None:
    result = run(str(BIN / "mypy"), "schule")

    assert result.returncode == 0, result.stdout + result.stderr


# -- the lock files ------------------------------------------------------------------------------

LOCKS = {"main": REPO / "requirements" / "main.lock", "test": REPO / "requirements" / "test.lock"}


def _pins(lock: Path) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) of a pip-compile lock file."""
    import re

    pins: dict[str, tuple[str, int]] = {}
    current = None
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)==([^ \\]+)", line)
        if match:
            current = _normalise(match.group(1))
            pins[current] = (match.group(2), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


def _normalise(name: str) -> str:
    import re

    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements(extra: str | None) -> list[str]:
    import re
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = list(project["dependencies"]) + (list(project["optional-dependencies"][extra]) if extra else [])
    return [_normalise(re.split(r"[<>=!~;\[ ]", n, maxsplit=1)[0]) for n in names]


def test_the_locks_pin_every_dependency_with_hashes() -> None:
    for name, extra in (("main", None), ("test", "test")):
        pins = _pins(LOCKS[name])
        missing = [r for r in _requirements(extra) if r not in pins]
        assert not missing, f"{LOCKS[name]} lacks {missing}: run pip-compile (README)"
        assert all(hashes > 0 for _, hashes in pins.values()), f"{LOCKS[name]} has a pin without a hash"


def test_the_installed_versions_are_the_locked_ones() -> None:
    from importlib.metadata import PackageNotFoundError, version

    for name, (locked, _) in _pins(LOCKS["test"]).items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            raise AssertionError(f"{name}=={locked} is locked but not installed") from None
        assert installed == locked, f"{name}: installed {installed}, locked {locked}"


def test_the_main_lock_agrees_with_the_test_lock() -> None:
    main, test = _pins(LOCKS["main"]), _pins(LOCKS["test"])
    assert {n: v for n, (v, _) in main.items()} == {n: test[n][0] for n in main}
