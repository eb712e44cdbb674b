"""Customer insights: probabilistic customer lifetime value (BG/NBD purchases with Gamma-Gamma
spend, :mod:`cxlens.insights.clv`) and churn-risk scores with an honest holdout evaluation
(:mod:`cxlens.insights.churn`). Every figure carries its n and a 95 % interval."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cxlens.errors import CxlensError


class InsufficientData(CxlensError):
    """The warehouse (or the period asked for) holds too little to fit or evaluate a model."""

    code = "insufficient_data"


@dataclass(frozen=True)
class Figure:
    """A figure with its 95 % interval and the n it rests on."""

    value: float
    ci_low: float
    ci_high: float
    n: int

    def as_dict(self) -> dict[str, float | int | None]:
        def clean(v: float) -> float | None:
            return None if v is None or not np.isfinite(v) else float(v)
        return {"value": clean(self.value), "ci_low": clean(self.ci_low),
                "ci_high": clean(self.ci_high), "n": int(self.n)}
