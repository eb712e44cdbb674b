"""Brand names and @handles are neutral before a mention is scored: hand-written tweets, and
a ranking of brands on a small hand-labelled set that must follow the labels' ranking."""

from __future__ import annotations

import datetime as dt

from cxlens.store.base import Warehouse
from cxlens.text.brands import neutral_texts
from cxlens.text.sentiment import score
from cxlens.text.sentiment_summary import sentiment_summary

#: Hand-labelled tweets (label: what a reader says), by brand.
TWEETS = {
    "United": [
        ("@united lost my bag again", "negative"),
        ("@united my flight is delayed 3 hours and nobody at the gate knows why", "negative"),
        ("@united cancelled my flight and rebooked me two days later", "negative"),
        ("@united still waiting for a refund after six weeks", "negative"),
        ("@united sat on the tarmac for 2 hours, no water, no information", "negative"),
        ("@united thanks, the crew on UA 90 were lovely", "positive"),
        ("@united is my flight to Denver on time?", "neutral"),
        ("Stuck in Newark again. Thanks United.", "negative"),
    ],
    "Delta": [
        ("@delta great crew on my flight to Atlanta, thank you", "positive"),
        ("@delta lost my bag", "negative"),
        ("@delta the app keeps crashing when I check in", "negative"),
        ("@delta do you fly to Lisbon in winter?", "neutral"),
        ("@delta smooth boarding and friendly staff", "positive"),
        ("@delta delayed again, 45 minutes", "negative"),
    ],
    "Southwest": [
        ("@SouthwestAir love the free snacks and the friendly crew", "positive"),
        ("@SouthwestAir best airline, on time every time", "positive"),
        ("@SouthwestAir thank you for helping my mom at the gate", "positive"),
        ("@SouthwestAir my flight was cancelled", "negative"),
        ("@SouthwestAir what time does boarding start?", "neutral"),
    ],
}


def test_the_brands_own_name_does_not_make_a_complaint_positive() -> None:
    text = "@united lost my bag again"
    assert score([text])["compound"][0] > 0  # VADER rates "united" +1.8
    neutral = neutral_texts([text], ["United"])
    assert neutral == ["brand lost my bag again"]
    assert score(neutral)["label"][0] == "negative"


def test_every_form_of_a_brand_name_and_every_handle() -> None:
    got = neutral_texts(["US Airways lost it, #USAirways #fail", "@usairways and usairways",
                         "UNITED LOST MY BAG", "ask @someone_else, not United's desk", None],
                        ["United", "US Airways", None])
    assert got == ["brand lost it, brand #fail", "brand and brand", "BRAND LOST MY BAG",
                   "ask brand, not brand's desk", None]


def _mentions(wh: Warehouse, tweets: dict[str, list[tuple[str, str]]]) -> None:
    at = dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC)
    wh.insert_rows("mentions", ["mention_id", "brand", "source", "posted_at", "text",
                                "sentiment"],
                   [(f"{brand}-{i}", brand, "twitter", at + dt.timedelta(minutes=i), text, lab)
                    for brand, rows in tweets.items() for i, (text, lab) in enumerate(rows)])


def test_brands_rank_as_their_labels(duck: Warehouse) -> None:
    _mentions(duck, TWEETS)
    net = sentiment_summary(duck, "mentions", "vader").overall.set_index("group")["net"]
    # the labels' net sentiment: Southwest (3 − 1)/5 = +40, Delta (2 − 3)/6 = −17,
    # United (1 − 6)/8 = −63; without neutral brand names United scored +100 (8 of 8 positive)
    assert list(net.drop("all").sort_values(ascending=False).index) == [
        "Southwest", "Delta", "United"]
    assert net["United"] < 0
