"""Metric definitions and --where filters are type-checked against the schema before any
engine sees them, and every problem of every stage is reported in one error."""

from __future__ import annotations

import itertools
from pathlib import Path

import ibis
import pytest

from cxlens.errors import ConfigError
from cxlens.metrics import expr, relations, typecheck
from cxlens.metrics.catalogue import LIBRARY, catalogue, load
from cxlens.schema import Column

ONE_OF_EACH = """
metrics:
  - name: bad_field
    label: Bad field
    description: A unit that does not exist.
    source: interactions
    time: created_at
    kind: share
    condition: "escalated"
    unit: percnt
  - name: misspelt_column
    label: x
    description: x
    source: interactions
    time: created_at
    kind: share
    condition: "chanel = 'chat'"
    unit: percent
  - name: unknown_function
    label: x
    description: x
    source: interactions
    time: created_at
    kind: mean
    value: "median(talk_seconds)"
    unit: seconds
  - name: outbound_share
    label: x
    description: x
    source: interactions
    time: created_at
    kind: share
    condition: "direction = 1"
    unit: percent
  - name: not_a_condition
    label: x
    description: x
    source: interactions
    time: created_at
    kind: share
    condition: "talk_seconds + hold_seconds"
    unit: percent
  - name: undeclared_param
    label: x
    description: x
    source: interactions
    time: created_at
    kind: share
    condition: "talk_seconds > {limit}"
    unit: percent
  - name: bad_variant
    label: x
    description: x
    source: interactions
    time: created_at
    kind: share
    condition: "escalated"
    unit: percent
    variants:
      mean: {kind: mean, value: "channel", unit: seconds}
"""


def test_one_error_lists_a_problem_of_each_kind_with_file_metric_and_field(tmp_path: Path,
                                                                          ) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(ONE_OF_EACH)
    broken = tmp_path / "broken.yaml"
    broken.write_text("metrics: [\n")
    with pytest.raises(ConfigError) as info:
        load([path, broken])
    lines = str(info.value).splitlines()
    assert lines[0] == "9 problem(s) in the metric definitions:"
    where = f"{tmp_path.name}/mine.yaml"
    expected = [
        f"{where}[0] (bad_field) unit: Input should be 'percent'",
        f"{where}[1] (misspelt_column) condition: \"chanel = 'chat'\": no column \"chanel\". "
        'Did you mean "channel"?',
        f"{where}[2] (unknown_function) value: 'median(talk_seconds)': MEDIAN() is not a "
        "supported function (supported: COALESCE, GREATEST, LEAST, ABS, LOWER, UPPER, "
        "SECONDS_BETWEEN)",
        f"{where}[3] (outbound_share) condition: 'direction = 1': compares direction (text) "
        "with 1 (a whole number): direction is one of inbound, outbound, e.g. "
        "direction = 'inbound'",
        f"{where}[4] (not_a_condition) condition: 'talk_seconds + hold_seconds' is a number; "
        "it must be a condition",
        f"{where}[5] (undeclared_param) {{limit}} in 'talk_seconds > {{limit}}' is not one of "
        "the params (none)",
        f"{where}[6] (bad_variant:mean) description: the variant changes kind, value, so give "
        "it its own description (it would read 'x')",
        f"{where}[6] (bad_variant:mean) value: 'channel' is text; it must be a number",
        f"{broken}: not valid YAML",
    ]
    for line, want in zip(lines[1:-1], expected, strict=True):
        assert line.strip().startswith(want), (line, want)
    assert "fix: fix each line" in lines[-1]


def test_field_errors_do_not_hide_expression_errors_of_the_same_metric(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("""
metrics:
  - name: two_rounds_before
    label: x
    description: x
    source: interactions
    time: created_at
    kind: share
    conditon: "escalated"
    population: ["priority = 'urgnet'", "created_at > 3"]
    unit: percent
    variants:
      late: {time: closed, colour: red}
""")
    with pytest.raises(ConfigError) as info:
        load([path])
    text = str(info.value)
    assert "conditon: Extra inputs are not permitted" in text
    assert "population[0]: \"priority = 'urgnet'\": 'urgnet' is never a priority" in text
    assert 'Did you mean "urgent"?' in text
    assert "population[1]: 'created_at > 3': compares created_at (a timestamp) with 3" in text
    assert "variant late: unknown field(s) colour" in text
    assert '(two_rounds_before:late) time: no column "closed". Did you mean "closed_at"?' in text
    # a problem the variant inherits is listed once, on the metric
    assert text.count("urgnet") == 2  # the message and its suggestion, once
    assert text.startswith("5 problem(s)")


def test_a_reused_built_in_name_comes_with_the_other_problems(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("""
metrics:
  - {name: csat, label: x, description: x, source: interactions, time: created_at,
     kind: count, unit: count}
  - {name: twice, label: x, description: x, source: interactions, time: created_at,
     kind: count, unit: count}
  - {name: twice, label: x, description: x, source: interactions, time: created_at,
     kind: count, unit: count, population: ["escalated = 'yes'"]}
""")
    with pytest.raises(ConfigError) as info:
        catalogue(extra=[path])
    text = str(info.value)
    assert "(csat) name: a built-in metric has this name (cxlens metrics show csat): " \
        "rename yours" in text
    assert "mine.yaml[2] (twice) name: defined twice" in text
    assert "compares escalated (true/false) with 'yes' (text)" in text
    assert text.startswith("3 problem(s)")


def test_aggregates_only_in_the_condition_of_a_per_metric(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("""
metrics:
  - name: repeaters
    label: x
    description: x
    source: orders
    time: ordered_at
    kind: share
    per: customer_id
    population: ["count(*) > 0"]
    condition: "count(*) >= 2 AND sum(amount) > 10 AND max(min(amount)) > 1 AND status = 'x'"
    unit: percent
""")
    with pytest.raises(ConfigError) as info:
        load([path])
    text = str(info.value)
    assert "population[0]: 'count(*) > 0': COUNT() is an aggregate: only the condition of a " \
        "per-entity metric" in text
    assert "an aggregate inside an aggregate" in text
    assert "status is a value of each row, but this condition is evaluated once per " \
        "customer_id: put row conditions in the population" in text
    assert text.startswith("3 problem(s)")


def test_start_end_and_time_must_be_timestamps(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("""
metrics:
  - name: odd_duration
    label: x
    description: x
    source: interactions
    time: reopen_count
    kind: duration
    start: created_at
    end: talk_seconds
    unit: seconds
    variants:
      business: {hours: business, end: "coalesce(resolved_at, closed_at)"}
""")
    with pytest.raises(ConfigError) as info:
        load([path])
    text = str(info.value)
    assert "time: reopen_count is a whole number, not a timestamp" in text
    assert "end: 'talk_seconds' is a number; it must be a timestamp column" in text
    assert "(odd_duration:business) end: business hours need a timestamp column here" in text


@pytest.mark.parametrize(("text", "message"), [
    ("escalated = 1", "compares escalated (true/false) with 1 (a whole number): write "
     "escalated or NOT escalated"),
    ("created_at >= 'yesterday'", "'yesterday', which is not a date"),
    ("created_at - 3 > 3", "- needs numbers, but created_at is a timestamp (use "
     "seconds_between(start, end)"),
    ("coalesce(channel, 1) = 'chat'", "COALESCE() mixes channel (text) with 1"),
    ("greatest(created_at, '2024-01-01') > created_at",
     "GREATEST() mixes created_at (a timestamp) with '2024-01-01' (text)"),
    ("lower(talk_seconds) = 'x'", "lower() needs text, but talk_seconds is a number"),
    ("seconds_between(created_at, talk_seconds) > 1", "seconds_between() needs timestamps"),
    ("NOT talk_seconds", "NOT needs true/false, but talk_seconds is a number"),
    ("channel LIKE 3", "LIKE needs text, but 3 is a whole number"),
    ("channel IN ('chat', 'fax')", "'fax' is never a channel"),
    ("reopen_count * 99999999999999999999 > 1", "is too large a whole number"),
    ("CASE WHEN escalated THEN 1 ELSE 'a' END = 1", "CASE mixes 1 (a whole number) with 'a'"),
    ("talk_seconds IS TRUE", "is not supported"),
    ("channel = 'chat", "cannot read the expression \"channel = 'chat\": a quote is not closed"),
    ("channel = = 'chat'", "Required keyword: 'expression' missing for EQ"),
    ("closed_at = NULL", "a comparison with NULL is never true: write x IS NULL"),
    ("talk_seconds + NULL > 1", "+ with NULL is always NULL"),
    ("seconds_between(created_at) > 1", "seconds_between() takes 2 argument(s), not 1"),
])
def test_type_errors(text: str, message: str) -> None:
    found = typecheck.problems(text, relations.column_types("interactions"), "boolean")
    assert len(found) == 1 and message in found[0], found


def _ibis_table(columns: dict[str, Column]) -> ibis.Table:
    return ibis.table({name: {"string": "string", "integer": "int64", "float": "float64",
                              "boolean": "boolean", "timestamp": "timestamp('UTC')"}[c.type]
                       for name, c in columns.items()}, name="interactions")


OPERANDS = ["channel", "reopen_count", "talk_seconds", "escalated", "created_at", "'chat'",
            "'2024-01-01'", "3", "2.5", "TRUE", "NULL", "seconds_between(created_at, "
            "answered_at)", "lower(channel)", "coalesce(talk_seconds, 0)",
            "CASE WHEN escalated THEN 1 END", "-talk_seconds", "greatest(created_at, closed_at)"]
FORMS = ["{a} = {b}", "{a} < {b}", "{a} + {b}", "{a} / {b}", "{a} AND {b}", "{a} LIKE {b}",
         "{a} IN ({b}, {b})", "{a} BETWEEN {b} AND {b}", "coalesce({a}, {b})",
         "greatest({a}, {b})", "CASE WHEN {a} THEN {b} ELSE {b} END", "NOT {a}", "{a} IS NULL",
         "abs({a})", "lower({a})", "-{a}"]


def test_every_expression_the_checker_accepts_ibis_translates() -> None:
    """Every form × every pair of operands of each type: what the checker lets through, ibis
    builds and compiles to SQL (no ibis error can reach a user through a checked metric)."""
    columns = relations.column_types("interactions")
    table = _ibis_table(columns)
    accepted = 0
    for form, a, b in itertools.product(FORMS, OPERANDS, OPERANDS):
        text = form.format(a=a, b=b)
        if typecheck.problems(text, columns):
            continue
        accepted += 1
        value = expr.to_ibis(text, table)
        assert ibis.to_sql(table.select(x=value), dialect="duckdb"), text
    assert accepted > 1000  # the checker refuses what is wrong, not everything


@pytest.mark.parametrize("text", [
    "created_at >= '2024-01-01' AND channel IN ('chat', 'email')",
    "seconds_between(created_at, answered_at) / 60 <= 2.5 OR escalated",
    "coalesce(talk_seconds, 0) + reopen_count * 2 BETWEEN 1 AND 1e3",
    "CASE WHEN resolved THEN 1.0 WHEN escalated THEN 0 END > -1",
    "lower(category) LIKE 'bill%' AND agent_id IS NOT NULL AND NOT (segment = 'smb')",
    "greatest(answered_at, created_at) > least(closed_at, resolved_at)",
])
def test_what_the_checker_accepts_ibis_builds(text: str) -> None:
    columns = relations.column_types("interactions")
    assert typecheck.problems(text, columns, "boolean") == []
    assert expr.to_ibis(text, _ibis_table(columns)).type().is_boolean()


def test_the_checker_and_the_translator_accept_the_same_functions() -> None:
    translated = {*expr._FUNCTIONS, "seconds_between"}
    assert translated == set(typecheck.FUNCTIONS)
    assert set(expr._AGGREGATES) == set(typecheck.AGGREGATES)


def test_every_built_in_metric_and_variant_passes_the_type_checks() -> None:
    library = load(sorted(LIBRARY.glob("*.yaml")))
    checked = 0
    for metric in library.values():
        for variant in [None, *metric.variants]:
            resolved = metric.with_variant(variant)
            columns = relations.column_types(resolved.source)
            assert typecheck.metric_problems(resolved.model_dump(), columns) == [], \
                resolved.full_name
            checked += 1
    assert checked > 80
