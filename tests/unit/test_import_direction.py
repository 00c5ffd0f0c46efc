"""The Python flow is one-way: pipelines/ imports nothing from orchestration/ and nothing of Dagster."""

import ast
from pathlib import Path

PIPELINES = Path(__file__).parents[2] / "pipelines"
FORBIDDEN = ("orchestration", "dagster", "dagster_dbt")


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def test_pipelines_import_nothing_from_orchestration_or_dagster():
    offending = sorted(
        f"{path.relative_to(PIPELINES.parent)}: {module}"
        for path in PIPELINES.rglob("*.py")
        for module in _imported_modules(path)
        if module.split(".")[0] in FORBIDDEN
    )

    assert len(list(PIPELINES.rglob("*.py"))) > 50
    assert offending == []
