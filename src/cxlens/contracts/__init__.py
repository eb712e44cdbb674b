"""Contracts with outsourced contact centres (BPO partners): KPI targets, service credits,
bonuses and earn-back, and the monthly statement per vendor."""

from cxlens.contracts.spec import Contract, load_folder, parse
from cxlens.contracts.statement import Statement, statement

__all__ = ["Contract", "Statement", "load_folder", "parse", "statement"]
