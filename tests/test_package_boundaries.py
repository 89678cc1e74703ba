"""The product package is only the product: it imports nothing of the evaluation package and needs no snownlp."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PRODUCT = REPO / "corpus_pipeline"


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_product_module_imports_the_evaluation_package():
    offenders = {
        str(path.relative_to(REPO)): sorted(
            name for name in _imported_modules(path) if name.split(".")[0] in ("corpus_eval", "snownlp", "tests")
        )
        for path in PRODUCT.rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}
    assert len(offenders) > 50  # the walk saw the package


def test_every_product_module_imports_without_snownlp_or_the_evaluation_package():
    script = (
        "import importlib, pkgutil, sys\n"
        "sys.modules['snownlp'] = None\n"  # any import of it now fails
        "sys.modules['corpus_eval'] = None\n"
        "import corpus_pipeline\n"
        "names = [m.name for m in pkgutil.walk_packages(corpus_pipeline.__path__, 'corpus_pipeline.')"
        "         if not m.name.endswith('__main__')]\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "print(len(names))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert int(done.stdout) > 50
