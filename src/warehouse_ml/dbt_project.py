"""The files that make up the dbt project, and a copy of them in another folder.

Tests and benchmarks that add model specs or staging models build a copy of the
project, so that the project itself is never changed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

__all__ = ["PROJECT_PARTS", "copy_dbt_project"]

#: What a copy of the dbt project needs, relative to its root (no data, caches or
#: Python sources: the package comes from the environment).
PROJECT_PARTS: tuple[str, ...] = (
    "dbt_project.yml",
    "profiles.yml",
    "models",
    "python_models",
    "macros",
    "model_specs",
    "analyses",
    "seeds",
    "tests/dbt",
)


def copy_dbt_project(root: Path, dest: Path) -> Path:
    """Copy :data:`PROJECT_PARTS` of the project at ``root`` (as they are in the work
    tree) into ``dest``; return ``dest``. A part ``root`` lacks is left out."""
    for part in PROJECT_PARTS:
        source = root / part
        if source.is_dir():
            shutil.copytree(source, dest / part)
        elif source.exists():
            (dest / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, dest / part)
    return dest
