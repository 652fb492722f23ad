"""The house follows the flow: annotations -> corpus -> (data) -> submission -> scoring -> reports -> grading ->
cli. No module imports a module of a later stage (imports inside functions included), no package-level import
cycle, at most 8 flat modules in benchmark/, no module over 600 lines."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# stage of each part of the package, in the order data flows; the flat base modules come first
STAGES = {
    "benchmark": 0, "benchmark.errors": 0, "benchmark.labels": 0, "benchmark.safe_io": 0, "benchmark.dataset": 0,
    "benchmark.corpus": 1,
    "benchmark.submission": 2,
    "benchmark.scoring": 3,
    "benchmark.reports": 4,
    "benchmark.grading": 5,
    "benchmark.bench": 6, "benchmark.codabench": 6, "benchmark.cli": 6, "benchmark.__main__": 6,
}
# users of the public API: the baselines are extractors that are scored like any submission (the reports show them
# next to the submissions); the classroom kit uses everything up to the reports
USERS = {"baselines": 3.5, "assignments": 4.5}


def _modules() -> dict[str, Path]:
    out = {}
    for package in ("benchmark", "baselines", "assignments"):
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


def _stage(module: str) -> float:
    for prefix in sorted({**STAGES, **USERS}, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            return {**STAGES, **USERS}[prefix]
    raise AssertionError(f"{module}: no stage")


def _imports(path: Path, module: str) -> set[str]:
    """Every module of this project named by an import in the file (at any depth)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] in ("benchmark", "baselines", "assignments")}


def test_no_module_imports_a_later_stage():
    modules = _modules()
    wrong = []
    for module, path in modules.items():
        for target in _imports(path, module):
            if target not in modules:                   # an attribute imported from a module
                continue
            if _stage(target) > _stage(module):
                wrong.append(f"{module} (stage {_stage(module)}) imports {target} (stage {_stage(target)})")
    assert not wrong, "\n".join(wrong)


def test_no_package_level_import_cycles():
    modules = _modules()

    def part(name: str) -> str:
        parts = name.split(".")
        return ".".join(parts[:2]) if parts[0] == "benchmark" and len(parts) > 1 else parts[0]

    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        for target in _imports(path, module):
            if target in modules and part(target) != part(module):
                graph.setdefault(part(module), set()).add(part(target))

    def reaches(start: str, goal: str, seen: set) -> bool:
        return any(n == goal or (n not in seen and not seen.add(n) and reaches(n, goal, seen))
                   for n in graph.get(start, ()))

    cycles = sorted(p for p in graph if reaches(p, p, set()))
    assert not cycles, f"parts in an import cycle: {cycles}"


def test_few_flat_modules_and_none_too_long():
    flat = sorted(p.name for p in (ROOT / "benchmark").glob("*.py"))
    assert len(flat) <= 8, flat
    long = [f"{path.relative_to(ROOT)}: {n} lines" for path in _modules().values()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 600]
    assert not long, long


def test_the_stage_table_covers_every_part():
    for module in _modules():
        _stage(module)


def test_the_import_reader_sees_function_level_and_relative_imports(tmp_path):
    path = tmp_path / "build.py"
    path.write_text("import json\nfrom . import card\n\ndef f():\n    from benchmark.reports.text import terminal\n"
                    "    import benchmark.grading.gradescope\n", encoding="utf-8")
    found = _imports(path, "benchmark.corpus.build")
    assert {"benchmark.corpus.card", "benchmark.reports.text", "benchmark.grading.gradescope"} <= found
    assert max(_stage(m) for m in found) > _stage("benchmark.corpus.build")
