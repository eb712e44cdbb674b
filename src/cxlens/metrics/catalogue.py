"""The metric catalogue: the built-in library (YAML in ``library/``) plus the user's own
metric files, validated together — every problem in every file reported at once."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from cxlens.errors import ConfigError, NotFound, did_you_mean
from cxlens.metrics import derived, relations, typecheck, variant_check
from cxlens.metrics.spec import (
    DEFER_CHECKS,
    Metric,
    expression_texts,
    param_problems,
    spec_problems,
    variant_problems,
)
from cxlens.metrics.userfiles import user_files
from cxlens.specfile import problems_of

LIBRARY = Path(__file__).parent / "library"
#: libyaml's safe loader when PyYAML has it: 10× faster, and on every command's start-up path.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _docs(path: Path, problems: list[str]) -> list[tuple[str, Any]]:
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.append(f"{path}: not valid YAML{at}: {what} (check the indentation and "
                        "quoting there)")
        return []
    items = doc.get("metrics", []) if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        problems.append(f"{path}: expected a list of metrics under 'metrics:' (see "
                        "docs/metrics.md, 'Your own metrics')")
        return []
    return [(f"{path.name}[{i}]", item) for i, item in enumerate(items)]


def _problems(data: dict[str, Any]) -> tuple[Metric | None, list[str]]:
    """Every problem of one metric or variant (``field: what``), from every stage at once:
    the table, pydantic's field checks, the cross-field checks, and each expression
    type-checked against the schema."""
    out: list[str] = []
    source = data.get("source")
    if isinstance(source, str) and source not in relations.SOURCES:
        out.append(f"source: no table {source!r}.{did_you_mean(source, relations.SOURCES)}")
    metric: Metric | None = None
    try:
        metric = Metric.model_validate(data, context={DEFER_CHECKS: True})
    except ValidationError as exc:
        out += problems_of(exc)
        params = data.get("params")
        out += param_problems(list(expression_texts(data).values()),
                              params if isinstance(params, dict) else {})
        variants = data.get("variants")
        out += variant_problems(variants if isinstance(variants, dict) else {})
    else:
        out += spec_problems(metric)
    if isinstance(source, str) and source in relations.SOURCES:
        out += typecheck.metric_problems(data, relations.column_types(source))
    return metric, list(dict.fromkeys(out))


def _validate(where: str, item: Any, problems: list[str]) -> Metric | None:
    """The metric, or None; its problems and its variants' are added to ``problems``."""
    if not isinstance(item, dict):
        problems.append(f"{where}: a metric is a mapping of fields")
        return None
    name = item.get("name", "?")
    metric, found = _problems(item)
    problems.extend(f"{where} ({name}) {p}" for p in found)
    if metric is not None:
        problems.extend(f"{where} ({name}:{variant}) {p}"
                        for variant, p in variant_check.undescribed(metric).items())
    variants = item.get("variants")
    base = {k: v for k, v in item.items() if k != "variants"}
    for vname, override in (variants if isinstance(variants, dict) else {}).items():
        if not isinstance(override, dict):
            continue  # reported with the metric
        known = {k: v for k, v in override.items()
                 if k in Metric.model_fields and k != "variants"}
        _, own = _problems({**base, **known, "variant": vname})
        problems.extend(f"{where} ({name}:{vname}) {p}" for p in own if p not in found)
    return metric


def load(paths: Iterable[Path], reserved: Collection[str] = ()) -> dict[str, Metric]:
    """Metrics from YAML files; raises one ConfigError listing every problem of every
    metric and variant in every file (YAML, fields, tables, columns, types, names defined
    twice or ``reserved`` by the built-in library), and of the derived columns declared
    under ``derived:`` in them."""
    paths = list(paths)
    _, problems = derived.user_problems(paths)
    out: dict[str, Metric] = {}
    for path in paths:
        for where, item in _docs(path, problems):
            at = f"{path.parent.name}/{where}"
            metric = _validate(at, item, problems)
            if metric is None:
                continue
            if metric.name in reserved:
                problems.append(f"{at} ({metric.name}) name: a built-in metric has this "
                                f"name (cxlens metrics show {metric.name}): rename yours")
            elif metric.name in out:
                problems.append(f"{at} ({metric.name}) name: defined twice")
            out[metric.name] = metric
    if problems:
        raise ConfigError(f"{len(problems)} problem(s) in the metric definitions:\n  "
                          + "\n  ".join(problems), "fix each line in the file and metric it "
                          "names (the fields are described in docs/metrics.md, 'Your own "
                          "metrics')")
    return out


@cache
def _library() -> dict[str, Metric]:
    return load(sorted(LIBRARY.glob("*.yaml")))


def catalogue(extra: Iterable[Path] = ()) -> dict[str, Metric]:
    """Built-in metrics plus the user's; a user metric may not reuse a built-in name."""
    lib = _library()
    files = [*user_files(), *extra]
    if not files:
        return dict(lib)
    return {**lib, **load(files, reserved=lib)}


def resolve(name: str, metrics: dict[str, Metric] | None = None) -> Metric:
    """``csat`` or ``csat:mean`` → the metric (with the variant applied)."""
    metrics = metrics if metrics is not None else catalogue()
    base, _, variant = name.strip().partition(":")
    if base not in metrics:
        raise NotFound(f"no metric {base!r}.{did_you_mean(base, metrics)}",
                       "cxlens metrics lists them all")
    metric = metrics[base]
    if variant and variant not in metric.variants:
        raise NotFound(f"{base} has no variant {variant!r}."
                       f"{did_you_mean(variant, metric.variants)}",
                       f"variants of {base}: {', '.join(metric.variants) or 'none'}")
    return metric.with_variant(variant or None)
