"""The presentation layer: how figures, tables and pages read to people.

It sits above the domain packages (it may import them) and below the dashboard, the reports
and the CLI, which all format through it; no domain package imports it (tests/test_layers.py).
"""
