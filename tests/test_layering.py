"""The package's imports point one way (README, "Layout of the code"): no two modules import each other,
not even through an import inside a function, which Python allows and which hides a layer turned upside
down (``fsutil`` asking ``outputs`` what a unit workbook is, a page module reaching back into the app)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"jixiao": ROOT / "jixiao", "jixiao.converters": ROOT / "converters", "jixiao.addin": ROOT / "addin"}


def _modules() -> dict[str, Path]:
    found = {}
    for prefix, folder in PACKAGES.items():
        for path in folder.rglob("*.py"):
            parts = path.relative_to(folder).with_suffix("").parts
            name = ".".join((prefix, *parts))
            found[name.removesuffix(".__init__")] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            subs = {f"{target}.{a.name}" for a in node.names} & modules.keys()
            out |= subs if len(subs) == len(node.names) else subs | ({target} & modules.keys())
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names} & modules.keys()
    return out - {name}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_two_modules_import_each_other():
    modules = _modules()
    assert "jixiao.forms.reader" in modules and "jixiao.converters.docx" in modules
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    assert "jixiao.forms.layouts" in graph["jixiao.checks.context"]  # the walk sees imports at all
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_one():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_package_is_installed():
    """pyproject lists the packages by hand (addin/ and converters/ install into the ``jixiao`` namespace):
    a new package folder left off the list works from a checkout and is missing from an installed wheel."""
    import tomllib

    setup = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(setup["packages"])
    folders = {prefix: ROOT / setup["package-dir"].get(prefix, prefix) for prefix in PACKAGES}
    found = set()
    for prefix, folder in folders.items():
        for init in folder.rglob("__init__.py"):
            parts = init.parent.relative_to(folder).parts
            found.add(".".join((prefix, *parts)))
    # folders shipped whole as package data (the xlwings Server project: project/**/*) are not packages
    data = {f"{package}.{glob.split('/')[0]}" for package, globs in setup["package-data"].items()
            for glob in globs if "/**" in glob}
    found = {name for name in found if not any(name == d or name.startswith(d + ".") for d in data)}
    assert "jixiao.cli" in found and "jixiao.consolidation" in found
    assert found - listed == set()
