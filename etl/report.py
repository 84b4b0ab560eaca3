"""What the ETL did, in numbers: rows in and out per file, each fix with its count, each quarantined row."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from config import ETL_REPORT_FILE
from errors import InputError

# An input file with fewer rows than this share of what the previous run read looks cut off.
MIN_ROWS_OF_PREVIOUS_RUN = 0.9
QUARANTINE_COLUMNS = ["file", "row", "reason", "values"]


@dataclass(frozen=True)
class QuarantineLimit:
    """How much of one input file may be quarantined before the run is refused as abnormal (a cut-off or
    wrong file): a share of its rows, set above the file's known rate on the real data, plus a few rows of
    allowance so that small files are judged by more than one bad row."""

    share: float
    allowance: int = 10

    def allows(self, quarantined: int, rows_in: int) -> bool:
        return quarantined <= self.share * rows_in + self.allowance


@dataclass
class Report:
    files: dict[str, dict] = field(default_factory=dict)
    fixes: list[dict] = field(default_factory=list)
    quarantined: list[pd.DataFrame] = field(default_factory=list)
    summary: dict = field(default_factory=dict)

    def add_file(self, name: str, rows_in: int, rows_out: int, **extra) -> None:
        self.files[name] = {"rows_in": int(rows_in), "rows_out": int(rows_out), **extra}

    def add_fix(self, file: str, column: str, fix: str, count: int) -> None:
        """Record a fix; zero counts are kept out so the report lists what really happened."""
        if count:
            self.fixes.append({"file": file, "column": column, "fix": fix, "count": int(count)})

    def quarantine(self, file: str, rows: pd.Series | list[int], reason: str, values: pd.Series | list[str]) -> None:
        """Rows that cannot be fixed: `rows` are 1-based data-row numbers (the header is not counted)."""
        frame = pd.DataFrame({"file": file, "row": list(rows), "reason": reason, "values": list(values)})
        if len(frame):
            self.quarantined.append(frame)

    def enforce(self, limits: dict[str, QuarantineLimit]) -> None:
        """InputError naming the first file (by report name prefix in `limits`) whose quarantine is abnormal."""
        table = self.quarantine_table()
        for name, stats in self.files.items():
            limit = next((lim for prefix, lim in limits.items() if name.startswith(prefix)), None)
            mine = table[table["file"] == name]
            if limit is None or limit.allows(len(mine), stats["rows_in"]):
                continue
            reason, count = mine["reason"].value_counts().index[0], int(mine["reason"].value_counts().iloc[0])
            raise InputError(f"{name}: {len(mine):,} of {stats['rows_in']:,} rows quarantined, more than the "
                             f"{limit.share:.1%} (+{limit.allowance}) this file allows; mostly '{reason}' "
                             f"({count:,}): a cut-off or wrong input file? Earlier outputs are left as they were")

    def quarantine_table(self) -> pd.DataFrame:
        if not self.quarantined:
            return pd.DataFrame(columns=QUARANTINE_COLUMNS)
        return pd.concat(self.quarantined, ignore_index=True)[QUARANTINE_COLUMNS]

    def to_dict(self) -> dict:
        table = self.quarantine_table()
        by_reason = table.groupby("reason").size().sort_values(ascending=False)
        return {
            **self.summary,
            "files": self.files,
            "fixes": self.fixes,
            "quarantine": {"rows": len(table), "by_reason": {k: int(v) for k, v in by_reason.items()}},
        }

    def lines(self) -> list[str]:
        """The short summary printed at the end of a run."""
        out = ["file                                      rows in   rows out"]
        for name, f in self.files.items():
            out.append(f"{name:<40} {f['rows_in']:>9,} {f['rows_out']:>10,}")
        out.append(f"fixes: {len(self.fixes)} kinds, {sum(f['count'] for f in self.fixes):,} values changed")
        for fix in sorted(self.fixes, key=lambda f: -f["count"])[:12]:
            out.append(f"  {fix['count']:>9,}  {fix['file']}:{fix['column']}: {fix['fix']}")
        q = self.to_dict()["quarantine"]
        out.append(f"quarantined: {q['rows']:,} rows" + "".join(f"\n  {n:>9,}  {r}" for r, n in q["by_reason"].items()))
        return out


def check_row_counts(report: Report, out_dir: Path) -> None:
    """InputError when a file has far fewer rows than the previous run's report (in out_dir) says it had."""
    try:
        previous = json.loads((out_dir / ETL_REPORT_FILE).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return  # no usable previous run: nothing to compare with
    for name, stats in report.files.items():
        before = previous.get(name, {}).get("rows_in") if isinstance(previous.get(name), dict) else None
        if isinstance(before, int) and stats["rows_in"] < MIN_ROWS_OF_PREVIOUS_RUN * before:
            raise InputError(f"{name}: {stats['rows_in']:,} rows where the previous run read {before:,}; a cut-off "
                             "or partial file? Rerun with --accept-row-drop if the drop is intended")
