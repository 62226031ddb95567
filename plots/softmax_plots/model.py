"""A results file and a processor (every file of one results/<processor-id>/ folder, with the rows selected
for each figure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .vocabulary import isa_order


@dataclass
class ResultFile:
    csv_path: Path
    json_path: Path | None
    meta: dict
    experiment: str
    rows: list[dict]                 # status == ok rows, numbers parsed
    total_rows: int                  # every data row, whatever its status
    rows_by_kind: dict[str, int]     # every data row, by kind
    ignored: dict[str, int]          # status -> count of rows left out
    accuracy_failed: list[dict] = field(default_factory=list)  # accuracy rows with status error (drawn as failures)

    @property
    def kinds(self) -> set[str]:
        return set(self.rows_by_kind)


@dataclass
class Processor:
    id: str
    files: list[ResultFile] = field(default_factory=list)
    softmax: list[dict] = field(default_factory=list)   # selected kind == softmax rows
    passes: list[dict] = field(default_factory=list)    # selected kind in (pass, reference) rows
    multicore: list[dict] = field(default_factory=list)  # rows of multicore experiments (softmax, reference)
    batched: list[dict] = field(default_factory=list)  # softmax rows of batched experiments (B rows per call)
    accuracy: list[dict] = field(default_factory=list)  # selected kind == accuracy rows, status ok
    accuracy_failed: list[dict] = field(default_factory=list)  # accuracy rows of the same series that failed
    run_label: str = ""   # set where runs are drawn beside each other: "this run", "reference run at <commit>, <date>"
    is_reference: bool = False  # a committed reference run drawn beside a local run of the same processor

    @property
    def meta(self) -> dict:
        """Metadata of the processor: the first file that has it (they describe the same machine)."""
        for f in self.files:
            if f.meta:
                return f.meta
        return {}

    @property
    def model_name(self) -> str:
        return str(self.meta.get("processor", {}).get("model_name") or self.id)

    @property
    def microarchitecture(self) -> str:
        m = self.meta.get("processor", {}).get("microarchitecture")
        if m:
            return str(m)
        for f in self.files:
            for r in f.rows:
                if r.get("microarchitecture"):
                    return r["microarchitecture"]
        return "unknown"

    @property
    def vendor(self) -> str:
        return str(self.meta.get("processor", {}).get("vendor") or "")

    @property
    def isas(self) -> list[str]:
        """The ISAs this CPU runs (metadata), else those its rows measured."""
        isas = self.meta.get("processor", {}).get("isas")
        if isinstance(isas, list) and isas:
            return [str(i) for i in isas]
        return sorted({r["isa"] for f in self.files for r in f.rows}, key=isa_order)

    @property
    def commit_and_date(self) -> str:
        """`82127fb, 2026-11-29` from the metadata (the newest run's date where files differ)."""
        commits = sorted({str(f.meta.get("git_commit"))[:7] for f in self.files if f.meta.get("git_commit")})
        dates = sorted({str(f.meta.get("date"))[:10] for f in self.files if f.meta.get("date")})
        return f"{'/'.join(commits) or 'unknown commit'}, {dates[-1] if dates else 'unknown date'}"

    @property
    def llc_bytes(self) -> int | None:
        for f in self.files:
            v = (f.meta.get("caches") or {}).get("llc_bytes")
            if isinstance(v, (int, float)) and v > 0:
                return int(v)
        return None

    @property
    def title(self) -> str:
        return f"{self.model_name} ({self.microarchitecture})"
