"""The layers of DESIGN.md, checked from the source: the core imports no index, ingest, web or
command line; ``index/`` and ``ingest/`` import no edge; ``import catalogue`` imports nothing.

Every .py file of the three packages is parsed with ``ast`` (nothing is executed), so an import
inside a function counts as much as one at the top of the module. The edges are
``catalogue/web/``, ``catalogue/cli*.py`` and ``catalogue/edges/``; everything else under
``catalogue/`` is the core.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("catalogue", "index", "ingest")

CORE_FORBIDDEN = ("index", "ingest", "catalogue.web", "catalogue.edges", "catalogue.cli", "flask", "whoosh", "bs4", "lxml")
INDEX_INGEST_FORBIDDEN = ("catalogue.web", "catalogue.edges", "catalogue.cli", "flask")


@dataclass(frozen=True)
class Imported:
    """One module named by an import statement (or an ``importlib.import_module("...")`` call)."""

    path: Path
    line: int
    module: str

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: imports {self.module}"


def module_name(path: Path) -> str:
    """'catalogue/edges/service.py' -> 'catalogue.edges.service'; a package's __init__ -> the package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def resolve_relative(path: Path, level: int, module: str | None) -> str:
    """The absolute module of ``from ..x import y`` written in ``path`` (level 2, module 'x')."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package.pop()  # a module's imports are relative to the package that holds it
    if level > 1:
        package = package[: len(package) - (level - 1)]
    return ".".join(package + ([module] if module else []))


def collect_imports(path: Path) -> list[Imported]:
    """Every module ``path`` imports, anywhere in the file. ``from a import b`` names both ``a``
    and ``a.b`` (b may be a submodule: ``from catalogue import web``)."""
    tree = ast.parse(path.read_bytes(), filename=str(path))
    found: list[Imported] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(Imported(path, node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = resolve_relative(path, node.level, node.module) if node.level else node.module
            if base == "__future__":
                continue
            if node.module is not None:
                found.append(Imported(path, node.lineno, base))
            found.extend(Imported(path, node.lineno, f"{base}.{alias.name}") for alias in node.names if alias.name != "*")
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str) and _is_import_call(node.func)):
            found.append(Imported(path, node.lineno, node.args[0].value))
    return found


def _is_import_call(func: ast.expr) -> bool:
    """``importlib.import_module(...)``, ``import_module(...)`` or ``__import__(...)``."""
    if isinstance(func, ast.Attribute):
        return func.attr == "import_module"
    return isinstance(func, ast.Name) and func.id in ("import_module", "__import__")


def is_edge(path: Path) -> bool:
    rel = path.relative_to(ROOT)
    return rel.parts[0] == "catalogue" and (
        rel.parts[1] in ("web", "edges") or (len(rel.parts) == 2 and rel.name.startswith("cli")))


def source_files(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "__pycache__" not in p.parts)


def core_files() -> list[Path]:
    return [p for p in source_files("catalogue") if not is_edge(p)]


def offences(files: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    """One line per import of a forbidden module (or one inside it): 'file:line: imports x'."""
    out = []
    for path in files:
        seen = set()
        for imported in collect_imports(path):
            for f in forbidden:
                if (imported.module == f or imported.module.startswith(f + ".")) and (imported.line, f) not in seen:
                    seen.add((imported.line, f))  # 'from index import x' names index and index.x: said once
                    out.append(str(imported))
    return out


# ------------------------------------------------------------------ the collector itself
def test_the_collector_sees_imports_inside_functions_and_resolves_relative_ones():
    """On the real wiring module and the real command line: function-level imports of index and
    ingest are seen with their lines, and ``from .edges.service import`` is resolved."""
    service = ROOT / "catalogue" / "edges" / "service.py"
    found = {(i.module, i.line) for i in collect_imports(service)}
    text = service.read_text(encoding="utf-8").splitlines()
    ingest_line = next(n for n, line in enumerate(text, 1) if line.strip() == "from ingest.pipeline import ingest_paths")
    assert text[ingest_line - 1].startswith("        ")  # inside a method, not at module level
    assert ("ingest.pipeline", ingest_line) in found
    assert ("ingest.pipeline.ingest_paths", ingest_line) in found
    assert "index" in {m for m, _ in found}
    assert "catalogue.store" in {m for m, _ in found}
    assert offences([service], CORE_FORBIDDEN)  # the rule would catch it, were it in the core

    cli = {i.module for i in collect_imports(ROOT / "catalogue" / "cli.py")}
    assert "catalogue.edges.service" in cli
    assert resolve_relative(ROOT / "catalogue" / "web" / "__init__.py", 2, "errors") == "catalogue.errors"
    assert resolve_relative(ROOT / "catalogue" / "web" / "search.py", 1, None) == "catalogue.web"


def test_the_core_and_the_edges_are_told_apart():
    core = {p.relative_to(ROOT).as_posix() for p in core_files()}
    for name in ("store.py", "records.py", "designation.py", "lifecycle.py", "systems.py", "register.py",
                 "refcheck.py", "notheld.py", "demo.py", "__init__.py"):
        assert f"catalogue/{name}" in core
    for edge in ("catalogue/cli.py", "catalogue/cli_users.py", "catalogue/edges/service.py",
                 "catalogue/web/__init__.py", "catalogue/web/search.py"):
        assert edge not in core
        assert (ROOT / edge).exists()
    assert not (ROOT / "catalogue" / "service.py").exists()  # one way to call the catalogue: no shim


# ------------------------------------------------------------------ the rules
def test_the_core_imports_no_index_ingest_edge_flask_whoosh_or_parser():
    found = offences(core_files(), CORE_FORBIDDEN)
    assert not found, ("the core (catalogue/ but web/, edges/, cli*.py) must not import "
                       f"{', '.join(CORE_FORBIDDEN)}; move the wiring to catalogue/edges/ or pass plain values:\n"
                       + "\n".join(found))


def test_index_and_ingest_import_no_edge_and_no_flask():
    files = source_files("index") + source_files("ingest")
    assert len(files) > 20
    found = offences(files, INDEX_INGEST_FORBIDDEN)
    assert not found, (f"index/ and ingest/ must not import {', '.join(INDEX_INGEST_FORBIDDEN)}:\n" + "\n".join(found))


def test_the_package_init_imports_nothing():
    init = ROOT / "catalogue" / "__init__.py"
    found = [str(i) for i in collect_imports(init)]
    assert not found, "catalogue/__init__.py must import nothing (DESIGN.md):\n" + "\n".join(found)


# ------------------------------------------------------------------ the same, as Python sees it
def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_importing_every_core_module_loads_no_whoosh_flask_index_or_ingest():
    modules = [module_name(p) for p in core_files()]
    assert "catalogue.store" in modules and "catalogue.lifecycle" in modules
    code = (f"import {', '.join(modules)}\n"
            "import sys\n"
            "banned = ('whoosh', 'flask', 'index', 'ingest', 'bs4', 'lxml', 'catalogue.web', 'catalogue.edges',"
            " 'catalogue.cli')\n"
            "loaded = sorted(m for m in sys.modules if any(m == b or m.startswith(b + '.') for b in banned))\n"
            "print(' '.join(loaded))\n")
    done = run_python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"importing the core loaded: {done.stdout.strip()}"


def test_import_catalogue_loads_no_submodule():
    done = run_python("import sys\nimport catalogue\n"
                      "print(' '.join(sorted(m for m in sys.modules if m.startswith('catalogue.'))))")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
