"""Share of voice split by brand is each brand's share of all mentions; a brand that is not in
the data is refused with the brands present, never 0 %."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxlens import store
from cxlens.cli import app
from cxlens.errors import NotFound
from cxlens.ingest.pipeline import import_files
from cxlens.metrics.query import compare, query

MENTIONS = ("mention_id,brand,posted_at\n"
            "m1,Acme,2024-05-01\nm2,Acme,2024-05-02\nm3,Other,2024-05-03\n"
            "m4,Acme,2024-06-01\nm5,Third,2024-06-02\nm6,Third,2024-06-03\n")


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "m.csv"
    path.write_text(MENTIONS)
    out = str(tmp_path / "w.duckdb")
    with store.connect(out) as wh:
        import_files(wh, "mentions", [path])
    return out


def test_by_brand_is_each_brands_share_of_all_mentions(db: str) -> None:
    frame = query("share_of_voice", by=["brand"], db=db)
    # Acme 3, Other 1, Third 2 of 6 mentions
    assert frame["brand"].tolist() == ["Acme", "Other", "Third"]
    assert frame["value"].tolist() == pytest.approx([50.0, 100 / 6, 100 / 3])
    assert frame["n"].tolist() == [6, 6, 6]
    assert frame["value"].sum() == pytest.approx(100.0)


def test_by_brand_and_month_share_within_each_month(db: str) -> None:
    frame = query("share_of_voice", by=["brand"], grain="month", db=db)
    got = {(r.brand, str(r.period)): (r.value, r.n) for r in frame.itertuples()}
    # May: Acme 2, Other 1; June: Acme 1, Third 2
    assert got == {("Acme", "2024-05-01"): (pytest.approx(200 / 3), 3),
                   ("Other", "2024-05-01"): (pytest.approx(100 / 3), 3),
                   ("Acme", "2024-06-01"): (pytest.approx(100 / 3), 3),
                   ("Third", "2024-06-01"): (pytest.approx(200 / 3), 3)}


def test_compare_by_brand_uses_the_same_shares(db: str) -> None:
    frame = compare("share_of_voice", by=["brand"], grain="month", db=db)
    acme = frame[frame["brand"] == "Acme"].iloc[-1]
    assert acme["value"] == pytest.approx(100 / 3)
    assert acme["previous_value"] == pytest.approx(200 / 3)


def test_a_brand_not_in_the_data_is_an_error(db: str) -> None:
    frame = query("share_of_voice", params={"our_brand": "Acme"}, db=db)
    assert frame["value"][0] == 50.0 and frame["n"][0] == 6
    with pytest.raises(NotFound, match="our_brand 'acme' never occurs in mentions.brand") as info:
        query("share_of_voice", params={"our_brand": "acme"}, db=db)
    assert "brand values present: Acme, Other, Third" in info.value.hint
    with store.connect(db) as wh:  # the stored default, as the demo and settings page set it
        wh.execute("INSERT INTO cxlens_meta VALUES ('param.our_brand', 'Nobody')")
    result = CliRunner().invoke(app, ["query", "share_of_voice", "--db", db])
    assert result.exit_code != 0
    assert "'Nobody' never occurs" in result.stderr
    assert "Acme, Other, Third" in result.stderr
    assert "Traceback" not in result.output
