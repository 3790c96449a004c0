from typing import Any
from pathlib import Path
def checks(result: dict[str, Any]) -> list[dict[str, Any]]:
    return []
def markdown(result: dict[str, Any], out_dir: Path) -> str:
    return ""
