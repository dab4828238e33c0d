"""What a student has seen of a stored notebook before a given markdown cell (sources and printed outputs)."""
import json
import pathlib


def _cell_text(cell) -> str:
    parts = ["".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]]
    for out in cell.get("outputs", []):
        parts.append("".join(out.get("text", "")))
        parts.append("".join(out.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


def text_before(path: pathlib.Path, title: str) -> str:
    """Sources and printed outputs of every cell before the first markdown cell that contains ``title``."""
    cells = json.loads(pathlib.Path(path).read_text())["cells"]
    at = next(i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and title in _cell_text(c))
    return "\n".join(_cell_text(c) for c in cells[:at])
