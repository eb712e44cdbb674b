"""Trained sentiment models kept in the warehouse (``cxlens sentiment train``), the newest of
which scores comments and mentions in place of the lexicon model.

Why in the warehouse and not a file: the model belongs to the data it was learned from — it
travels with backups, both engines hold it the same way, and every process serving the
warehouse finds it.

The bytes are :meth:`cxlens.text.learned.Learned.to_bytes` (an ``.npz`` of plain arrays,
read back with ``allow_pickle=False``), base64 in a text column: no pickle, so a warehouse
someone else wrote cannot make cxlens run code by planting a model (joblib and plain pickle
run whatever the bytes say; skops would have added a dependency to do what four arrays do).

Saving a model bumps the data version: the dashboard's cached sentiment pages were computed
with the previous model. ``data_version`` records the version of the data it was trained on
(before the bump).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cxlens.personal import keep
from cxlens.schema import Column, Table, Type
from cxlens.store.base import Warehouse
from cxlens.store.migrate import bump_data_version, data_version

if TYPE_CHECKING:  # the registry imports this module whenever a warehouse opens: keep it light
    import pandas as pd

    from cxlens.text.learned import Learned

SENTIMENT_MODELS = Table(
    "sentiment_models",
    "Sentiment models trained on the warehouse's scored comments (cxlens sentiment train); "
    "the newest scores texts in place of the lexicon model.", (
        Column("model_id", Type.STRING, "Random id of the model.", required=True),
        Column("created_at", Type.TIMESTAMP, "When it was trained.", required=True),
        Column("data_version", Type.STRING, "The warehouse's data version it was trained on.",
               required=True),
        Column("trained_on", Type.STRING, "What it learned from: the warehouse's scored "
               "comments, or a labelled file.", required=True),
        Column("classes", Type.STRING, "Its labels, comma-separated (positive, negative; "
               "neutral when the labels had it).", required=True),
        Column("n", Type.INTEGER, "Labelled texts it was trained on.", required=True),
        Column("evaluation", Type.STRING, "Its evaluation beside the majority class and the "
               "lexicon model, as JSON records.", required=True),
        Column("model", Type.STRING, "The model: base64 of an .npz of plain arrays (no "
               "pickle).", required=True),
        Column("kind", Type.STRING, "The kind of text it learned from (comments, mentions or "
               "tickets: the text sources); empty when a labelled file did not say. Without "
               "labels to compare on, the model scores only texts of this kind."),
    ), key=("model_id",),
    personal=keep("model weights over word and character n-grams of redacted comments, with "
                  "no customer id; train again after an erasure to drop an erased customer's "
                  "words from it"))

TABLES = (SENTIMENT_MODELS,)
#: What saving or forgetting models writes: its data-version bump names only this table, so
#: a model trained at 10 M interactions recomputes the pages reading models (sentiment), not
#: every page (tests/store/test_scoped_bumps.py records the statements).
WRITES = (SENTIMENT_MODELS.name,)


@dataclass(frozen=True)
class Stored:
    model_id: str
    created_at: dt.datetime
    data_version: str
    trained_on: str
    classes: tuple[str, ...]
    n: int
    evaluation: pd.DataFrame
    model: Learned
    kind: str | None = None  # comments, mentions or tickets; None when not known


#: How ``trained_on`` starts for a model learned from the warehouse's scored comments (models
#: stored before the ``kind`` column are recognised by it).
COMMENTS_PREFIX = "scored survey comments"


def save(wh: Warehouse, model: Learned, evaluation: pd.DataFrame, trained_on: str,
         n: int, kind: str | None = None) -> str:
    """Store ``model`` as the newest (``kind``: the text source its texts are); returns its
    id."""
    model_id = uuid.uuid4().hex
    records = json.loads(evaluation.to_json(orient="records"))
    with wh.transaction():
        version = data_version(wh)
        wh.execute("INSERT INTO sentiment_models (model_id, created_at, data_version, "
                   "trained_on, classes, n, evaluation, model, kind) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [model_id, dt.datetime.now(dt.UTC), version, trained_on,
                    ",".join(model.classes), n, json.dumps(records),
                    base64.b64encode(model.to_bytes()).decode("ascii"), kind])
        bump_data_version(wh, WRITES)
    return model_id


def latest(wh: Warehouse) -> Stored | None:
    """The newest stored model, or None when none was trained."""
    rows = wh.query("SELECT model_id, created_at, data_version, trained_on, classes, n, "
                    "evaluation, model, kind FROM sentiment_models "
                    "ORDER BY created_at DESC, model_id LIMIT 1")
    if not rows:
        return None
    import pandas as pd

    from cxlens.text.learned import Learned

    model_id, created, version, trained_on, classes, n, evaluation, data, kind = rows[0]
    if not kind and str(trained_on).startswith(COMMENTS_PREFIX):
        kind = "comments"
    return Stored(str(model_id), created, str(version), str(trained_on),
                  tuple(str(classes).split(",")), int(n),
                  pd.DataFrame(json.loads(evaluation)),
                  Learned.from_bytes(base64.b64decode(data)), str(kind) if kind else None)


def forget(wh: Warehouse) -> int:
    """Delete every stored model (texts are scored by the lexicon model again); how many."""
    with wh.transaction():
        count = int(wh.scalar("SELECT count(*) FROM sentiment_models"))
        wh.execute("DELETE FROM sentiment_models")
        if count:
            bump_data_version(wh, WRITES)
    return count
