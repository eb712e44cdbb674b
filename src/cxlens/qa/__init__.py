"""Quality assurance: scorecards as data (``scorecards``), Zendesk QA's review and quality
scores computed on the warehouse (``scoring``), and calibration of reviewers with
Krippendorff's α and each reviewer's deviation from the consensus (``calibration``)."""

from cxlens.qa.calibration import Calibration, calibrate, calibrate_reviews
from cxlens.qa.scorecards import Scorecard, Scorecards, builtin, load, parse
from cxlens.qa.scoring import Rating, quality_scores, review_score, review_scores

__all__ = [
    "Calibration",
    "Rating",
    "Scorecard",
    "Scorecards",
    "builtin",
    "calibrate",
    "calibrate_reviews",
    "load",
    "parse",
    "quality_scores",
    "review_score",
    "review_scores",
]
