"""Documentation coverage of the dbt project, from dbt's own manifest and catalog (`dbt docs generate`).

    python -m tests.tools.doc_coverage TARGET_DIR

Counts every column of every built model (as the catalog lists them) and whether the model's yml describes
it; lists undocumented mart columns, undocumented seed columns, and macros of the project without a
description or with an argument the yml does not describe. Nothing is left out quietly: a model of the
project the catalog does not list (not built, so its columns cannot be counted) is reported, and so is a
column the yml describes that the built relation does not have.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

# The parameter list of a macro or generic test, as its `{% macro name(...) %}` tag declares it.
_SIGNATURE = re.compile(r"\{%-?\s*(?:macro|test)\s+\w+\s*\((.*?)\)\s*-?%\}", re.DOTALL)


@dataclass
class Coverage:
    """Columns documented, in all and per model, and what is missing where it must not be."""

    documented: int = 0
    total: int = 0
    per_model: dict[str, tuple[int, int]] = field(default_factory=dict)
    undocumented_columns: dict[str, list[str]] = field(default_factory=dict)
    undocumented_mart_columns: list[str] = field(default_factory=list)
    undocumented_seed_columns: list[str] = field(default_factory=list)
    undocumented_macros: list[str] = field(default_factory=list)
    undocumented_macro_arguments: list[str] = field(default_factory=list)
    unbuilt_models: list[str] = field(default_factory=list)
    stale_columns: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        """Share of built model columns with a description."""
        return self.documented / self.total if self.total else 1.0


def macro_parameters(macro_sql: str) -> list[str]:
    """Names of the parameters a macro's (or generic test's) opening tag declares, in order."""
    match = _SIGNATURE.search(macro_sql)
    if match is None or not match.group(1).strip():
        return []
    names, depth, current = [], 0, ""
    for char in match.group(1):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "," and depth == 0:
            names.append(current)
            current = ""
        else:
            current += char
    names.append(current)
    return [name.split("=", 1)[0].strip() for name in names if name.strip()]


def _described(node: dict) -> set[str]:
    return {name.lower() for name, col in node["columns"].items() if col.get("description", "").strip()}


def coverage(target: Path, project: str = "aicost") -> Coverage:
    """Reads ``manifest.json`` and ``catalog.json`` of a dbt target folder."""
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    result = Coverage()
    for unique_id, node in sorted(manifest["nodes"].items()):
        if node["resource_type"] not in ("model", "seed") or node["package_name"] != project:
            continue
        built = catalog["nodes"].get(unique_id)
        if built is None:
            result.unbuilt_models.append(node["name"])
            continue
        described = _described(node)
        names = [col["name"] for col in sorted(built["columns"].values(), key=lambda col: col["index"])]
        missing = [name for name in names if name.lower() not in described]
        built_names = {name.lower() for name in names}
        result.stale_columns += [
            f"{node['name']}.{name}" for name in node["columns"] if name.lower() not in built_names
        ]
        if node["resource_type"] == "seed":
            result.undocumented_seed_columns += [f"{node['name']}.{name}" for name in missing]
            continue
        result.documented += len(names) - len(missing)
        result.total += len(names)
        result.per_model[node["name"]] = (len(names) - len(missing), len(names))
        if missing:
            result.undocumented_columns[node["name"]] = missing
        if "marts" in node["fqn"]:
            result.undocumented_mart_columns += [f"{node['name']}.{name}" for name in missing]
    for macro in sorted(manifest["macros"].values(), key=lambda m: m["name"]):
        if macro["package_name"] != project:
            continue
        if not macro.get("description", "").strip():
            result.undocumented_macros.append(macro["name"])
            continue
        documented = {arg["name"] for arg in macro.get("arguments", []) if arg.get("description", "").strip()}
        result.undocumented_macro_arguments += [
            f"{macro['name']}({name})" for name in macro_parameters(macro["macro_sql"]) if name not in documented
        ]
    return result


def report(result: Coverage) -> str:
    """The coverage as text: the figure, then every gap by kind."""
    lines = [f"columns documented: {result.documented}/{result.total} = {result.ratio:.1%}"]
    for name, (documented, total) in sorted(result.per_model.items(), key=lambda kv: (kv[1][0] / kv[1][1], kv[0])):
        if documented < total:
            lines.append(f"  {name}: {documented}/{total} (missing {total - documented})")
    lines.append(f"undocumented mart columns: {', '.join(result.undocumented_mart_columns) or 'none'}")
    lines.append(f"undocumented seed columns: {', '.join(result.undocumented_seed_columns) or 'none'}")
    lines.append(f"undocumented macros: {', '.join(result.undocumented_macros) or 'none'}")
    lines.append(f"undocumented macro arguments: {', '.join(result.undocumented_macro_arguments) or 'none'}")
    lines.append(f"models or seeds not in the catalog (not built): {', '.join(result.unbuilt_models) or 'none'}")
    lines.append(f"documented columns the built relation lacks: {', '.join(result.stale_columns) or 'none'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Prints the coverage of a target folder; ``--columns`` also lists each model's undocumented columns."""
    args = argv if argv is not None else sys.argv[1:]
    result = coverage(Path(args[0]))
    print(report(result))
    if "--columns" in args:
        for name, missing in sorted(result.undocumented_columns.items()):
            print(f"{name}: {', '.join(missing)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
