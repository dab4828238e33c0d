"""The fuzz suite counts its cases into ``build/fuzz_cases.json`` at the end of a run."""
import json
import pathlib

import harness


def pytest_sessionfinish(session, exitstatus):
    if not harness.CASES:
        return
    out = pathlib.Path(__file__).resolve().parents[2] / "build" / "fuzz_cases.json"
    out.parent.mkdir(exist_ok=True)
    functions = sorted({c["function"] for c in harness.CASES.values()})
    out.write_text(json.dumps({
        "distinct_cases": len(harness.CASES),
        "passed": sum(c["ok"] for c in harness.CASES.values()),
        "functions": len(functions),
    }, indent=1))
