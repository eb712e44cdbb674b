"""AutoQA checks on hand-written transcripts: every check passes on a model conversation and
fails on a bad one, for the reason a person would give; the check file is data with every
problem reported at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from cxlens.errors import ConfigError
from cxlens.qa import autoqa, checks
from cxlens.qa.scorecards import builtin as builtin_cards


def turns(iid: str, rows: list[tuple[str, float | None, str]],
          start: dt.datetime | None = None) -> list[dict[str, object]]:
    """(speaker, offset seconds, text) rows; with ``start`` the offsets become clock times
    (spoken_at) and offset_seconds stays empty, as in a chat export."""
    return [{"interaction_id": iid, "turn": n, "speaker": who,
             "spoken_at": start + dt.timedelta(seconds=s) if start and s is not None else None,
             "offset_seconds": None if start else s, "text": text}
            for n, (who, s, text) in enumerate(rows)]


GOOD = turns("good", [
    ("system", 0, "Thank you for calling Lumen."),
    ("agent", 5, "Hello, you're through to Lumen, how can I help?"),
    ("customer", 12, "I was charged twice, this is really frustrating."),
    ("agent", 20, "I apologise, I understand how annoying that is."),
    ("agent", 30, "I've issued a refund for the second charge."),
    ("agent", 40, "To recap: the refund takes five days."),
    ("customer", 50, "Great, thank you so much!"),
    ("agent", 55, "Have a great day!"),
])
BAD = turns("bad", [
    ("agent", 0, "This is orders. Account number?"),
    ("customer", 6, "My parcel is late and I'm angry."),
    ("agent", 10, "Hold on."),
    ("agent", 95, "It's with the courier."),
    ("customer", 100, "This is useless, terrible service."),
    ("agent", 104, "Wait for it."),
])
EMAIL = turns("email", [
    ("customer", 0, "Which thermostat fits my boiler?"),
    ("agent", 7200, "Hi Sam, the T2 fits. Kind regards"),
])
CHAT = turns("chat", [
    ("customer", 0, "Is my order on its way?"),
    ("agent", 30, "Hello, welcome to Lumen chat!"),
    ("agent", 160, "I've updated the address and it ships today."),
], start=dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC))
CHANNELS = {"good": "phone", "bad": "phone", "email": "email", "chat": "chat"}

# (result, deciding turn) of every conversation and check, worked out by reading the turns
EXPECTED = {
    "good": {"greeting": ("pass", 1), "closing": ("pass", 7), "empathy": ("pass", 3),
             "apology_when_due": ("pass", 3), "solution_offered": ("pass", 4),
             "recap": ("pass", 5), "long_silence": ("pass", None),
             "end_sentiment": ("pass", 6)},
    # "This" holds "hi" but not as a word; the 85 s between turns 2 and 3 is over 60 s
    "bad": {"greeting": ("fail", None), "closing": ("fail", None), "empathy": ("fail", None),
            "apology_when_due": ("fail", None), "solution_offered": ("fail", None),
            "recap": ("fail", None), "long_silence": ("fail", 3),
            "end_sentiment": ("fail", 4)},
    # no complaint: the apology is not due; a 2-hour gap in e-mail is no silence
    "email": {"greeting": ("pass", 1), "closing": ("fail", None), "empathy": ("fail", None),
              "apology_when_due": ("n/a", None), "solution_offered": ("fail", None),
              "recap": ("fail", None), "long_silence": ("n/a", None),
              "end_sentiment": ("pass", 0)},
    # times from spoken_at: 30 s, then 130 s before turn 2; no closing in the agent's turns
    "chat": {"greeting": ("pass", 1), "closing": ("fail", None), "empathy": ("fail", None),
             "apology_when_due": ("n/a", None), "solution_offered": ("pass", 2),
             "recap": ("fail", None), "long_silence": ("fail", 2),
             "end_sentiment": ("pass", 0)},
}


@pytest.fixture(scope="module")
def results() -> pd.DataFrame:
    frame = pd.DataFrame(GOOD + BAD + EMAIL + CHAT)
    return autoqa.evaluate(frame, checks.builtin(), CHANNELS).set_index(
        ["interaction_id", "check"])


@pytest.mark.parametrize("iid", list(EXPECTED))
def test_every_check_on_hand_written_transcripts(results: pd.DataFrame, iid: str) -> None:
    for check, (result, turn) in EXPECTED[iid].items():
        row = results.loc[(iid, check)]
        assert row["result"] == result, (iid, check, row["evidence"])
        assert (None if pd.isna(row["turn"]) else int(row["turn"])) == turn, (iid, check)


def test_the_evidence_says_why(results: pd.DataFrame) -> None:
    assert results.loc[("good", "greeting"), "evidence"] == 'turn 1: "Hello"'
    assert results.loc[("good", "apology_when_due"), "evidence"] == 'turn 3: "apologise"'
    assert results.loc[("bad", "long_silence"), "evidence"] == \
        "85 s of silence before turn 3 (over 60 s)"
    assert results.loc[("chat", "long_silence"), "evidence"] == \
        "130 s of silence before turn 2 (over 60 s)"
    assert results.loc[("bad", "apology_when_due"), "evidence"] == \
        "due (turn 1: \"angry\") but none of the phrases in the agent's turns"
    assert results.loc[("email", "long_silence"), "evidence"] == \
        "channel email (checked in phone, chat)"
    assert results.loc[("bad", "greeting"), "evidence"] == \
        "none of the phrases in the agent's first 1 turn(s)"
    assert results.loc[("bad", "end_sentiment"), "evidence"].startswith("turn 4: negative (-")


def test_a_conversation_without_agent_turns_is_not_applicable() -> None:
    frame = pd.DataFrame(turns("bot", [("system", 0, "Hello, our office is closed."),
                                       ("customer", 5, "ok")]))
    out = autoqa.evaluate(frame, checks.builtin(), {"bot": "chat"}).set_index("check")
    assert out.loc["greeting", "result"] == "n/a"
    assert out.loc["greeting", "evidence"] == "no agent turn"
    assert out.loc["end_sentiment", "result"] == "pass"  # "ok" is not negative


def test_phrases_match_whole_words_and_a_star_any_ending() -> None:
    rx = checks.pattern(("hi", "apologi*", "you're through to"))
    assert rx.search("Hi there") and rx.search("I APOLOGIZE")
    assert rx.search("You’re  through to Lumen")  # curly apostrophe, two spaces
    assert not rx.search("This is his account")
    assert not rx.search("history")


def test_each_distinct_turn_is_searched_once_and_copies_decide_alike() -> None:
    """Agents repeat their scripts: the words found are looked up per distinct text, and a
    conversation made of copies of another's turns gets the same results and evidence."""
    rx = checks.pattern(("hello", "apologi*"))
    texts = pd.Series(["Hello there", "I apologise", "Hello there", "Nothing here", None])
    assert autoqa.matches(texts.dropna(), rx) == {"Hello there": "Hello",
                                                  "I apologise": "apologise"}
    copy = [{**t, "interaction_id": "good again"} for t in GOOD]
    out = autoqa.evaluate(pd.DataFrame(GOOD + copy), checks.builtin(),
                          {"good": "phone", "good again": "phone"})
    one, two = (out[out["interaction_id"] == i].drop(columns="interaction_id")
                .reset_index(drop=True) for i in ("good", "good again"))
    pd.testing.assert_frame_equal(one, two)


def test_every_builtin_check_scores_an_existing_criterion() -> None:
    spec = checks.builtin().validate_against(builtin_cards())
    assert [c.id for c in spec.checks] == [
        "greeting", "closing", "empathy", "apology_when_due", "solution_offered", "recap",
        "long_silence", "end_sentiment"]


def test_a_bad_checks_file_reports_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "checks.yaml"
    path.write_text("checks:\n"
                    "  - id: Greeting\n    kind: phrase\n    criterion: a.b\n"
                    "    phrases: [hello]\n"
                    "  - id: recap\n    kind: phrase\n    criterion: nodot\n"
                    "  - id: quiet\n    kind: silence\n    criterion: a.b\n    colour: red\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        checks.load(path)
    text = str(err.value.message)
    assert "3 problem(s)" in text
    assert "check id 'Greeting' must be lower-case" in text
    assert "a phrase check needs phrases" in text
    assert "colour" in text


def test_a_criterion_missing_from_the_scorecards_is_refused() -> None:
    spec = checks.parse("checks:\n  - id: greeting\n    kind: phrase\n    phrases: [hi]\n"
                        "    criterion: communication_quality.warmth\n")
    with pytest.raises(ConfigError, match="scorecard communication_quality has no criterion "
                                          "'warmth'"):
        spec.validate_against(builtin_cards())
