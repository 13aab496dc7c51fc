"""The records of a batch: a planned job, what happened to it, and the batch's summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Job:
    """One params file planned for a run; ``error`` set means it cannot run."""

    params_file: str
    name: str  # "<year>/<stem>": the row in the index and the summary
    year: str
    ipynb: str | None = None
    html: str | None = None
    notebook: str | None = None
    key: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    from_state: bool = False  # planned from its last run's state, not validated: only ever skipped (batch.plan)


@dataclass
class Outcome:
    """What happened to one job: ``ok``, ``failed``, ``skipped`` or ``invalid``."""

    job: Job
    status: str
    seconds: float = 0.0
    error: str | None = None

    @property
    def bad(self) -> bool:
        return self.status in ("failed", "invalid")


@dataclass
class Summary:
    outcomes: list[Outcome]
    index: Path
    seconds: float

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.bad]

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)
