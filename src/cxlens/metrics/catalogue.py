"""The metric catalogue: the built-in library (YAML in ``library/``) plus the user's own
metric files, validated together — every problem in every file reported at once."""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from cxlens.errors import ConfigError, NotFound, did_you_mean
from cxlens.metrics import expr, relations, variant_check
from cxlens.metrics.spec import Metric

LIBRARY = Path(__file__).parent / "library"
USER_ENV = "CXLENS_METRICS"


def _docs(path: Path) -> list[tuple[str, dict[str, Any]]]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}", "fix the YAML syntax") from exc
    items = doc.get("metrics", []) if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise ConfigError(f"{path}: expected a list of metrics under 'metrics:'",
                          "see docs/metrics.md, 'Your own metrics'")
    return [(f"{path.name}[{i}]", item) for i, item in enumerate(items)]


def _validate(where: str, item: Any, problems: list[str]) -> Metric | None:
    if not isinstance(item, dict):
        problems.append(f"{where}: a metric is a mapping of fields")
        return None
    name = item.get("name", "?")
    source = item.get("source")
    if isinstance(source, str) and source not in relations.SOURCES:
        problems.append(f"{where} ({name}): source: no table {source!r}."
                        f"{did_you_mean(source, relations.SOURCES)}")
        source = None
    try:
        metric = Metric.model_validate(item)
    except ValidationError as exc:
        for e in exc.errors():
            loc = ".".join(str(p) for p in e["loc"])
            msg = e["msg"].removeprefix("Value error, ")
            problems.append(f"{where} ({name}){': ' + loc if loc else ''}: {msg}")
        return None
    problems.extend(f"{where} ({name}): {p}" for p in variant_check.undescribed(metric))
    if source is None:
        return None
    for variant in [None, *metric.variants]:
        try:
            resolved = metric.with_variant(variant)
        except ValidationError as exc:
            problems.append(f"{where} ({name}:{variant}): {exc.errors()[0]['msg']}")
            continue
        label = resolved.full_name
        if resolved.source not in relations.SOURCES:
            problems.append(f"{where} ({label}): source: no table {resolved.source!r}."
                            f"{did_you_mean(resolved.source, relations.SOURCES)}")
            continue
        available = relations.columns(resolved.source)
        if resolved.time not in available:
            problems.append(f"{where} ({label}): time: no column {resolved.time!r}."
                            f"{did_you_mean(resolved.time, available)}")
        for field, text in resolved.expressions().items():
            try:
                problems.extend(f"{where} ({label}) {field}: {msg}"
                                for msg in expr.unknown_columns(text, available))
            except ConfigError as exc:
                problems.append(f"{where} ({label}) {field}: {exc.message}")
    return metric


def load(paths: Iterable[Path]) -> dict[str, Metric]:
    """Metrics from YAML files; raises one ConfigError listing every problem."""
    problems: list[str] = []
    out: dict[str, Metric] = {}
    for path in paths:
        for where, item in _docs(path):
            metric = _validate(f"{path.parent.name}/{where}", item, problems)
            if metric is None:
                continue
            if metric.name in out:
                problems.append(f"{where}: metric {metric.name!r} is defined twice")
            out[metric.name] = metric
    if problems:
        raise ConfigError(f"{len(problems)} problem(s) in the metric definitions:\n  "
                          + "\n  ".join(problems), "fix the metric YAML (docs/metrics.md)")
    return out


def user_files() -> list[Path]:
    """Files named by $CXLENS_METRICS (paths separated by ':'; a folder means its *.yaml)."""
    out: list[Path] = []
    for part in filter(None, os.environ.get(USER_ENV, "").split(os.pathsep)):
        p = Path(part)
        if p.is_dir():
            out += sorted(p.glob("*.yaml"))
        elif p.is_file():
            out.append(p)
        else:
            raise NotFound(f"{USER_ENV} names {p}, which does not exist",
                           "point it at a metrics YAML file or a folder of them")
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
    own = load(files)
    clash = sorted(set(own) & set(lib))
    if clash:
        raise ConfigError(f"your metric(s) {', '.join(clash)} reuse built-in names",
                          "rename them, or use a variant of the built-in metric")
    return {**lib, **own}


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
