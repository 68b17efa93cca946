"""Print a ``fakescope robustness --json`` result as Markdown tables (for docs/robustness.md).

Usage::

    .venv/bin/python scripts/robustness/markdown_table.py /work/data/robustness/results/*.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from fakescope.robustness.report import HEADER, table_rows


def main(paths: list[str]) -> None:
    for path in paths:
        payload = json.loads(Path(path).read_text())
        if "results" not in payload:  # score_gallery.py output
            for s in payload["summary"]:
                print(f"- {path}: {s['method']} -> {s['direction']}: {s['fooling']}/{s['n']}")
            continue
        for result in payload["results"]:
            c = result["clean"]
            print(
                f"\n{path}: {result['modality']}, {result['column']} ({c['n_real']} real, "
                f"{c['n_fake']} fake)\n"
            )
            print("| " + " | ".join(HEADER) + " |")
            print("|" + " --- |" * len(HEADER))
            for row in table_rows(result):
                print("| " + " | ".join(row) + " |")
            fooling = result.get("fooling") or {}
            for s in fooling.get("summary", []):
                print(
                    f"- fooling {s['method']} -> {s['direction']}: {s['fooling_target']}/{s['n']}"
                    f" by {fooling['target']}, {s['fooling_judged']}/{s['n']} judged"
                )


if __name__ == "__main__":
    main(sys.argv[1:])
