"""Artifacts for running the pipeline with ``spark-submit`` on a cluster (``make package``).

``python -m corpus_pipeline.packaging --out dist`` writes into ``dist/``:

``corpus_pipeline.zip``
    The library (``corpus_pipeline/`` at the zip root: its ``.py`` files and package data). Entries are sorted
    and carry fixed timestamps, so the same sources always give the same sha256.
    ``--py-files dist/corpus_pipeline.zip``
``env.tar.gz``
    The runtime dependencies of ``pyproject.toml`` except pyspark (the cluster's Spark puts its own
    ``pyspark.zip`` and py4j on the Python workers' PYTHONPATH), installed into a venv under
    ``build/package-env`` and packed with venv-pack. venv-pack does not bundle the interpreter: ``bin/python``
    stays a link to the interpreter the env was built with (``package.json`` names it), which every node needs
    at that path. ``--archives dist/env.tar.gz#env --conf spark.pyspark.python=./env/bin/python``
``models.zip``, ``rules.zip``
    The repository's ``models/`` (without its build scripts) and ``rules/``, contents at the zip root.
    ``--archives dist/models.zip#models,dist/rules.zip#rules`` unpacks them as ``models/`` and ``rules/`` in
    each executor's SparkFiles root (its working directory; YARN: the container's working directory).
``jobs/``
    The spark-submit entry points (``jobs/run.py``, ``jobs/clean.py``, ...), the main file of a submit.
``package.json``
    Each artifact's name, bytes and sha256, the jobs, and the Python the env needs.

The env is rebuilt only when the dependency list or the interpreter changes (a stamp in the build venv
holds their hash): installing takes minutes, while pip's wheel cache keeps the kenlm sdist build for reuse.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterable
from pathlib import Path

from corpus_pipeline.io.shipped import file_sha256

REPO_ROOT = Path(__file__).resolve().parents[1]
BUILD_DIR = REPO_ROOT / "build"
VENV_PACK = "venv-pack==0.2.0"
EXCLUDED_DEPENDENCIES = {"pyspark"}
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def write_zip(out: Path, files: Iterable[tuple[str, Path]]) -> Path:
    """A zip of ``(name in the zip, file)`` pairs: sorted, fixed timestamps and modes, so it is reproducible."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, source in sorted(files):
            info = zipfile.ZipInfo(name, _ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, source.read_bytes())
    os.replace(partial, out)
    return out


def _tree(root: Path, skip: tuple[str, ...] = ()) -> list[tuple[str, Path]]:
    """Files under ``root`` as ``(path relative to root, file)``, without caches and ``skip`` globs."""
    found = []
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if not path.is_file() or "__pycache__" in relative.parts or relative.name.startswith("."):
            continue
        if path.suffix == ".pyc" or any(relative.match(pattern) for pattern in skip):
            continue
        found.append((relative.as_posix(), path))
    return found


def build_code_zip(out_dir: Path) -> Path:
    files = [(f"corpus_pipeline/{name}", path) for name, path in _tree(REPO_ROOT / "corpus_pipeline")]
    return write_zip(out_dir / "corpus_pipeline.zip", files)


def build_models_zip(out_dir: Path) -> Path:
    return write_zip(out_dir / "models.zip", _tree(REPO_ROOT / "models", skip=("*.sh",)))


def build_rules_zip(out_dir: Path) -> Path:
    return write_zip(out_dir / "rules.zip", _tree(REPO_ROOT / "rules"))


JOB_TEMPLATE = '''"""spark-submit entry point of ``corpus-pipeline {command}``: ``spark-submit jobs/{file} ARGS``."""

import sys

from corpus_pipeline.cli import main

if __name__ == "__main__":
    sys.exit(main(["{command}", *sys.argv[1:]]))
'''


def write_jobs(out_dir: Path) -> list[Path]:
    """``out_dir/jobs/<command>.py`` for every command that runs Spark jobs (each registered stage, ``run``,
    ``report``, ``train-tokenizer``): the main file of a spark-submit."""
    from corpus_pipeline.cli import spark_commands

    target = out_dir / "jobs"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for command in spark_commands():
        path = target / f"{command.replace('-', '_')}.py"
        path.write_text(JOB_TEMPLATE.format(command=command, file=path.name), encoding="utf-8")
        written.append(path)
    return written


def runtime_dependencies(pyproject: Path = REPO_ROOT / "pyproject.toml") -> list[str]:
    """``[project] dependencies`` without pyspark (the cluster's Spark provides it)."""
    dependencies = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    name = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
    return [
        dep for dep in dependencies if name.match(dep).group().lower().replace("_", "-") not in EXCLUDED_DEPENDENCIES
    ]


def base_python() -> Path:
    """The interpreter behind this one (a venv's python is a link to it): the one the env is built with."""
    return Path(getattr(sys, "_base_executable", sys.executable)).resolve()


def _run(command: list[str], **kwargs) -> None:
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, **kwargs)


def build_env(python: Path, env_dir: Path = BUILD_DIR / "package-env") -> Path:
    """The dependency venv, created with ``python``; reused while its stamp matches the dependency list."""
    dependencies = runtime_dependencies()
    key = hashlib.sha256(json.dumps([str(python), dependencies]).encode()).hexdigest()
    stamp = env_dir / ".dependencies-sha256"
    if stamp.is_file() and stamp.read_text().strip() == key:
        return env_dir
    shutil.rmtree(env_dir, ignore_errors=True)
    # No pip or setuptools in the env: this interpreter's pip installs into it (pip --python).
    _run([str(python), "-m", "venv", "--without-pip", str(env_dir)])
    _run(
        [sys.executable, "-m", "pip", "--python", str(env_dir / "bin" / "python"), "install", "--quiet", *dependencies]
    )
    stamp.write_text(key + "\n")
    return env_dir


def pack_env(env_dir: Path, out_dir: Path) -> Path:
    """``env.tar.gz`` from the env with venv-pack (installed apart, in ``build/package-tools``)."""
    out = out_dir / "env.tar.gz"
    stamp = env_dir / ".dependencies-sha256"
    if not (out.is_file() and out.stat().st_mtime > stamp.stat().st_mtime):
        tools = BUILD_DIR / "package-tools"
        if not (tools / "venv_pack").is_dir():
            _run([sys.executable, "-m", "pip", "install", "--quiet", "--target", str(tools), VENV_PACK])
        environ = {**os.environ, "PYTHONPATH": str(tools)}
        _run(
            [sys.executable, "-m", "venv_pack", "--prefix", str(env_dir), "--output", str(out), "--force"],
            env=environ,
            stdout=subprocess.DEVNULL,
        )
    out.chmod(0o644)  # venv-pack leaves it readable by its owner only; the archive holds nothing secret
    return out


def _env_python(env_dir: Path) -> dict[str, str]:
    """The interpreter ``env_dir/bin/python`` links to, from ``pyvenv.cfg``."""
    lines = (env_dir / "pyvenv.cfg").read_text(encoding="utf-8").splitlines()
    config = {key.strip(): value.strip() for key, _, value in (line.partition("=") for line in lines)}
    return {"version": config["version"], "executable": config["executable"]}


def write_manifest(out_dir: Path, artifacts: list[Path], env_dir: Path, jobs: list[Path]) -> Path:
    manifest = {
        "artifacts": [
            {"name": path.name, "bytes": path.stat().st_size, "sha256": file_sha256(path)} for path in artifacts
        ],
        "jobs": [f"jobs/{path.name}" for path in jobs],
        "python": _env_python(env_dir),
        "dependencies": runtime_dependencies(),
    }
    out = out_dir / "package.json"
    out.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return out


def build_all(out_dir: Path, python: Path | None = None) -> dict:
    """Every artifact into ``out_dir``; returns ``package.json``'s content."""
    out_dir.mkdir(parents=True, exist_ok=True)
    env_dir = build_env(python or base_python())
    artifacts = [
        build_code_zip(out_dir),
        pack_env(env_dir, out_dir),
        build_models_zip(out_dir),
        build_rules_zip(out_dir),
    ]
    jobs = write_jobs(out_dir)
    return json.loads(write_manifest(out_dir, artifacts, env_dir, jobs).read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m corpus_pipeline.packaging", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "dist", help="output folder (default: dist/)")
    parser.add_argument(
        "--python",
        type=Path,
        help="the Python 3.11 the env links to, at the path it has on the "
        "cluster's nodes (default: the interpreter behind this one)",
    )
    args = parser.parse_args(argv)
    manifest = build_all(args.out, args.python)
    for artifact in manifest["artifacts"]:
        print(f"{args.out / artifact['name']}  {artifact['bytes']:>12,d} bytes  sha256 {artifact['sha256']}")
    print(f"the env needs Python {manifest['python']['version']} at {manifest['python']['executable']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
