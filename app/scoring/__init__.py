"""Scoring of assessments declared in the workbook (see app.xlsform.scoring_spec). Pure Python."""
from app.scoring.core import ScoreResult, score

__all__ = ["ScoreResult", "score"]
