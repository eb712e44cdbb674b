"""The sentiment page with a trained model stored: it scores with it, says so, and offers the
lexicon models (a server of its own: storing a model changes what the shared one shows)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from html import unescape
from pathlib import Path

import httpx
import pytest

from cxlens import accounts, store
from cxlens.accounts import users
from cxlens.text import model_store, training
from cxlens.web.app import create_app
from tests.text.test_model_store import scored_comments
from tests.web.conftest import PASSWORD, csrf_of
from tests.web.server import running


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    wh = store.connect(str(Path(tmp_path_factory.mktemp("trained")) / "w.duckdb"))
    scored_comments(wh)
    data = training.from_warehouse(wh)
    model, evaluation = training.train(data)
    model_store.save(wh, model, evaluation, data.trained_on, len(data.texts))
    accounts.ensure(wh)
    users.add(wh, "ann", PASSWORD, "analyst", None)
    app = create_app(wh)
    with running(app) as url, closing(httpx.Client(base_url=url, timeout=120)) as c:
        form = c.get("/login")
        c.post("/login", data={"username": "ann", "password": PASSWORD,
                               "csrf_token": csrf_of(form.text), "next": "/sentiment"})
        yield c
    wh.close()


def test_the_page_scores_with_the_stored_model_and_says_so(client: httpx.Client) -> None:
    body = client.get("/api/pages/sentiment").json()
    assert body["notes"][0].startswith("Scored by the trained model of ")
    assert "on 1,372 scored survey comments" in body["notes"][0]
    html = unescape(client.get("/sentiment").text)
    assert "Scored by the trained model of " in html
    assert '<option value="trained"' in html and '<option value="vader"' in html
    vader = client.get("/api/pages/sentiment", params={"model": "vader"}).json()
    assert vader["notes"][0] == "Scored by the vader lexicon model (chosen)."
    # same comments, another model: other shares
    assert vader["figures"][0]["value"] != body["figures"][0]["value"]
