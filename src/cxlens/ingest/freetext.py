"""Free text on import: personal data is redacted before anything is stored, and a mention's
sentiment is computed from its text when the file does not give one.

* Redaction (:func:`cxlens.text.redact.redact`: e-mail addresses, phone numbers, Luhn-valid card
  numbers) runs on the *source* columns that feed a free-text column, before rows are mapped,
  checked or skipped — so rejected and skipped rows kept in the quarantine are redacted too —
  and once more on the typed column (a number read from a spreadsheet becomes text only then).
* Sentiment: ``mentions.sentiment`` left blank (or a file without the column) is filled with
  the label of the model trained on the warehouse's own comments when one is stored
  (``cxlens sentiment train``), else of the ``vader`` model (:mod:`cxlens.text.scoring`),
  scored with brand names and @handles made neutral (:mod:`cxlens.text.brands`); a given
  label is kept.
"""

from __future__ import annotations

import pandas as pd

from cxlens.ingest.mapping import Mapping
from cxlens.ingest.transform import passthrough_columns
from cxlens.schema import Table
from cxlens.store.base import Warehouse
from cxlens.text.redact import redact

#: table → its free-text columns (redacted on import).
FREE_TEXT: dict[str, tuple[str, ...]] = {
    "survey_responses": ("comment",),
    "mentions": ("text",),
    "interactions": ("escalation_summary",),
}


def free_text_sources(table: Table, mapping: Mapping | None, columns: list[str]) -> list[str]:
    """The source columns whose values end up in one of ``table``'s free-text columns."""
    targets = FREE_TEXT.get(table.name, ())
    found = [src for canon, src in passthrough_columns(table, mapping, columns).items()
             if canon in targets]
    if mapping is not None:
        for canon, spec in mapping.specs(columns).items():
            if canon in targets:
                found += [spec.source] if spec.source else []
                found += spec.template_fields()
        if mapping.unpivot and "comment" in targets:
            found += [q.comment for q in mapping.unpivot.questions if q.comment]
    present = set(columns)
    return [c for c in dict.fromkeys(found) if c in present]


def _redact_text(values: pd.Series) -> pd.Series:
    return values.map(lambda v: redact(v) if isinstance(v, str) else v)


def redact_sources(data: pd.DataFrame, table: Table, mapping: Mapping | None) -> pd.DataFrame:
    """``data`` (a chunk as read) with the free-text source columns redacted."""
    columns = free_text_sources(table, mapping, list(data.columns))
    if not columns:
        return data
    out = data.copy()
    for c in columns:
        out[c] = _redact_text(out[c])
    return out


def finish(data: pd.DataFrame, table: Table, wh: Warehouse | None = None) -> None:
    """In place, on a checked chunk: redact the typed free-text columns, and fill a mention's
    missing sentiment from its text — with the model ``auto`` chooses for mentions
    (:mod:`cxlens.text.scoring`): the stored trained model when the chunk's labelled mentions
    show it does better than VADER, or when it learned from mentions; VADER otherwise."""
    for c in FREE_TEXT.get(table.name, ()):
        if c in data.columns:
            data[c] = _redact_text(data[c])
    if table.name != "mentions" or "text" not in data.columns:
        return
    from cxlens.text.brands import neutral_texts
    from cxlens.text.scoring import Engine, Evidence, engine
    from cxlens.text.sentiment import DEFAULT_MODEL, LABELS

    if "sentiment" not in data.columns:
        data["sentiment"] = pd.Series([None] * len(data), index=data.index, dtype=object)
    # given labels are told from computed ones: only those are evidence when models compete
    data["sentiment_source"] = data["sentiment"].notna().map({True: "given", False: None})
    blank = data["sentiment"].isna() & data["text"].notna()
    if blank.any():
        data["sentiment"] = data["sentiment"].astype(object)
        brands = data["brand"].dropna().unique() if "brand" in data.columns else ()

        def neutral(rows: pd.Series) -> list[str]:  # brand names and @handles neutral
            return [str(t) for t in neutral_texts(data.loc[rows, "text"].tolist(), brands)]

        given = data["sentiment"].isin(LABELS) & data["text"].notna()
        labelled = Evidence(neutral(given), data.loc[given, "sentiment"].astype(str).tolist(),
                            "labelled mentions in this file")
        scorer = (engine(wh, source="mentions", evidence=labelled) if wh is not None
                  else Engine(DEFAULT_MODEL, None, ""))
        data.loc[blank, "sentiment"] = scorer.score(neutral(blank))["label"].to_numpy()
        data.loc[blank, "sentiment_source"] = scorer.name
