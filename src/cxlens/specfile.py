"""Reading a YAML specification into a pydantic model, every problem reported at once (the
survey programmes, the contracts and the QA scorecards are all files of this kind)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from cxlens.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


def problems_of(exc: ValidationError) -> list[str]:
    """``where.in.the.file: what is wrong`` for each error pydantic found."""
    return [f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: "
            f"{e['msg'].removeprefix('Value error, ')}" for e in exc.errors()]


def parse_yaml(text: str, model: type[M], where: str, hint: str,
               shape: str = "a mapping of fields") -> M:
    """``text`` (YAML) as ``model``; ``hint`` says where the fields are documented,
    ``shape`` what the top of the file must be."""
    try:
        doc: Any = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where} is not valid YAML: {exc}",
                          "fix the indentation or quoting at the line shown") from exc
    if not isinstance(doc, dict):
        raise ConfigError(f"{where}: the file must be {shape}", hint)
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        problems = problems_of(exc)
        raise ConfigError(f"{where} has {len(problems)} problem(s): " + "; ".join(problems),
                          hint) from None


def read(path: str | Path, what: str, hint: str) -> str:
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"no {what} file {p}", hint)
    return p.read_text(encoding="utf-8")
