"""Statistics on small results: intervals, significance, false-discovery control, shrinkage.

One concept per module; every function is vectorised over numpy arrays so a whole result
table (one row per segment and period) is handled in one call. Empty groups give NaN, never 0.
"""

from cxlens.stats.fdr import benjamini_hochberg
from cxlens.stats.mean import t_interval
from cxlens.stats.nps import nps_interval, nps_variance
from cxlens.stats.quantile import quantile_ranks
from cxlens.stats.wilson import wilson_interval

__all__ = [
    "benjamini_hochberg",
    "nps_interval",
    "nps_variance",
    "quantile_ranks",
    "t_interval",
    "wilson_interval",
]
