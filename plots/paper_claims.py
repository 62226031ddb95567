"""The paper's claims, read from claims/paper.json (the one owner of the claimed numbers and of the out-of-cache
rule). The plots only mark the claimed values; whether a run meets a claim is decided by the runner
(results/CLAIMS.md), not here.

A processor of a microarchitecture the paper measured is held to its own claims; another is held to the
claims of the first `held_to` entry matching its vendor (and, where the entry says so, an ISA it has): that
is the project's choice, and every label drawn from it says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_NAME = "claims/paper.json"  # relative to the repository root
DEFAULT_PATH = Path(__file__).resolve().parent.parent / DEFAULT_NAME


class ClaimsError(Exception):
    """A claims file that exists but cannot be used (bad input: exit status 2)."""


def norm(name: str) -> str:
    """`Skylake-X`, `skylake-x` and `skylakex` name the same microarchitecture."""
    return "".join(ch for ch in str(name).lower() if ch.isalnum())


@dataclass(frozen=True)
class Mark:
    """One claim as a figure marks it: `value` is the claimed speedup (None for a claim without a number)."""
    claim_id: str
    isa: str
    value: float | None
    label: str


@dataclass
class Claims:
    source: Path
    out_of_cache_llc_factor: float
    claims: list[dict] = field(default_factory=list)
    held_to: list[dict] = field(default_factory=list)

    def measured_by_paper(self) -> set[str]:
        return {norm(u) for c in self.claims for u in c.get("microarchitectures", [])}

    def holding(self, microarchitecture: str, vendor: str, isas: list[str]) -> tuple[str | None, str]:
        """(microarchitecture whose claims apply, why): its own where the paper measured it, else the first
        held_to entry matching vendor (and ISA); (None, why not) when none applies."""
        if norm(microarchitecture) in self.measured_by_paper():
            return microarchitecture, "measured in the paper"
        v = (vendor or "").lower()
        for entry in self.held_to:
            if entry.get("vendor", "").lower() not in v or not v:
                continue
            needed = entry.get("requires_isa")
            if needed and needed not in isas:
                continue
            return entry["as"], f"project's choice: held to {entry['as']}" + (
                f" ({entry['why']})" if entry.get("why") else "")
        return None, f"not in the paper, and no held_to entry for vendor {vendor or 'unknown'!r}"

    def marks(self, microarchitecture: str, vendor: str, isas: list[str], isa: str) -> list[Mark]:
        """The speedup claims that apply to this processor at `isa`, labelled for a figure."""
        held, _why = self.holding(microarchitecture, vendor, isas)
        if held is None:
            return []
        chosen = norm(held) != norm(microarchitecture)
        out = []
        for c in self.claims:
            if norm(held) not in {norm(u) for u in c.get("microarchitectures", [])} or c.get("isa") != isa:
                continue
            test = c.get("test")
            if test == "speedup-up-to" and isinstance(c.get("value"), (int, float)):
                label = f"paper, {held} {isa.upper()}: up to {c['value']:.2f}"
            elif test == "faster":
                label = f"paper, {held} {isa.upper()}: two-pass faster (no number)"
            else:
                continue
            if chosen:
                label += " (held to it: project's choice)"
            value = float(c["value"]) if test == "speedup-up-to" else None
            out.append(Mark(c.get("id", ""), isa, value, label))
        return out

    def describe(self, microarchitecture: str, vendor: str, isas: list[str], isa: str) -> str:
        """The SUMMARY's "paper's claim" cell."""
        marks = self.marks(microarchitecture, vendor, isas, isa)
        if marks:
            return "; ".join(m.label for m in marks)
        held, why = self.holding(microarchitecture, vendor, isas)
        if held is None:
            return f"none ({why})"
        return f"none for {isa} (held to {held})"


def load(path: Path) -> Claims | None:
    """The claims file, or None when it does not exist (the caller says what is then left out)."""
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ClaimsError(f"{path}: cannot read the claims file: {e}; fix the JSON or pass --claims FILE") from e
    if not isinstance(data, dict):
        raise ClaimsError(f"{path}: the claims file is not a JSON object; fix it or pass --claims FILE")
    for key, kind, what in (("out_of_cache_llc_factor", (int, float), "a number"), ("claims", list, "a list"),
                            ("held_to", list, "a list")):
        if not isinstance(data.get(key), kind):
            raise ClaimsError(f"{path}: key {key!r} is missing or not {what}; fix the claims file or pass --claims FILE")
    for i, c in enumerate(data["claims"]):
        if not isinstance(c, dict) or not isinstance(c.get("microarchitectures"), list) or "test" not in c:
            raise ClaimsError(f"{path}: claims[{i}] lacks 'microarchitectures' (a list) or 'test'; fix the claims file")
        if c["test"] == "speedup-up-to" and not isinstance(c.get("value"), (int, float)):
            raise ClaimsError(f"{path}: claims[{i}] ({c.get('id', '?')}) is a speedup-up-to claim without a numeric "
                              "'value'; fix the claims file")
    for i, h in enumerate(data["held_to"]):
        if not isinstance(h, dict) or not h.get("vendor") or not h.get("as"):
            raise ClaimsError(f"{path}: held_to[{i}] lacks 'vendor' or 'as'; fix the claims file")
    return Claims(path, float(data["out_of_cache_llc_factor"]), data["claims"], data["held_to"])
