"""What can be wrong with a backup or a restore, said in Thai and English (never a traceback)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BackupProblem:
    code: str  # machine-readable: missing_manifest, checksum_mismatch, count_mismatch, ...
    message_th: str
    message_en: str

    def __str__(self) -> str:
        return f"{self.message_th} / {self.message_en}"


class BackupRefused(Exception):
    """A backup cannot be made, verified or restored; `problems` say why (each in Thai and English)."""

    def __init__(self, problems: list[BackupProblem] | BackupProblem):
        self.problems = problems if isinstance(problems, list) else [problems]
        super().__init__("; ".join(p.message_en for p in self.problems))

    @property
    def codes(self) -> set[str]:
        return {p.code for p in self.problems}


def refuse(code: str, th: str, en: str) -> BackupRefused:
    return BackupRefused(BackupProblem(code, th, en))
