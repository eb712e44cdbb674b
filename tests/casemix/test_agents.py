"""Complexity-adjusted figures and the cherry-picking flag against a hand-computed team, on
DuckDB and Postgres, and the planted cherry-picker of the demo.

The team (March 2026, one category feature, so the case-mix model is saturated and the
expected value of a contact is simply its category's mean):
- easy contacts: 90 % CSAT, 200 s handle time; hard contacts: 50 % CSAT, 600 s — the same for
  every agent, so nobody is better than anybody on the same contacts;
- A (the cherry-picker) takes 40 easy contacts; B and C take 10 easy + 40 hard each;
- D, alone in another team, has B's contacts and results.
A second world: in team T3, E has the same mix as F and G but satisfies 90 % of the hard
contacts: really better, not a cherry-picker.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pytest
from scipy import stats

from cxlens.casemix import CHERRY_PICKING, INSUFFICIENT, adjusted, cherry_picking, flagged
from cxlens.errors import ConfigError
from cxlens.store.base import Warehouse

T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
START, END = "2026-03-01", "2026-04-01"
# (agent, team, category, contacts, CSAT fives, handle seconds)
PLAN = [("A", "T1", "easy", 40, 36, 200), ("B", "T1", "easy", 10, 9, 200),
        ("B", "T1", "hard", 40, 20, 600), ("C", "T1", "easy", 10, 9, 200),
        ("C", "T1", "hard", 40, 20, 600), ("D", "T2", "easy", 10, 9, 200),
        ("D", "T2", "hard", 40, 20, 600)]
BETTER = [("E", "T3", "easy", 10, 9, 200), ("E", "T3", "hard", 40, 36, 600),
          ("F", "T3", "easy", 10, 9, 200), ("F", "T3", "hard", 40, 20, 600),
          ("G", "T3", "easy", 10, 9, 200), ("G", "T3", "hard", 40, 20, 600)]


def _world(wh: Warehouse, plan: list[tuple[Any, ...]] = PLAN) -> None:
    inter, resp = [], []
    k = 0
    for agent, team, category, contacts, fives, seconds in plan:
        for i in range(contacts):
            k += 1
            iid, created = f"I{k:04d}", T0 + dt.timedelta(minutes=k)
            inter.append([iid, "phone", "V", team, agent, category, created, seconds])
            resp.append([f"R{k:04d}", "csat", 5 if i < fives else 1, 1, 5,
                         created + dt.timedelta(hours=1), iid])
    wh.insert_rows("interactions", ["interaction_id", "channel", "vendor", "team", "agent_id",
                                    "category", "created_at", "talk_seconds"], inter)
    wh.insert_rows("survey_responses", ["response_id", "survey", "score", "scale_min",
                                        "scale_max", "responded_at", "interaction_id"], resp)


def test_csat_by_hand(wh: Warehouse) -> None:
    _world(wh)
    r = adjusted(wh, "csat", START, END).set_index("agent_id")
    # expected per contact = its category's CSAT over everyone: easy 0.9, hard 0.5
    easy, hard = 0.9, 0.5
    a = r.loc["A"]
    assert (a["n"], a["raw"], a["expected"]) == (40, pytest.approx(90.0), pytest.approx(90.0))
    assert a["oe"] == pytest.approx(1.0)
    se = math.sqrt(36 * (1 - easy) ** 2 + 4 * easy**2) / (40 * easy)
    assert a["oe_ci_low"] == pytest.approx(1 - 1.959964 * se, abs=1e-5)
    # team-mates B and C: 18 + 40 fives of 100; expected 20·easy + 80·hard
    assert a["team_raw"] == pytest.approx(58.0)
    assert a["team_expected"] == pytest.approx(100 * (20 * easy + 80 * hard) / 100)
    team_oe = 58 / (20 * easy + 80 * hard)
    assert a["team_oe"] == pytest.approx(team_oe)
    assert a["vs_team"] == pytest.approx(1 / team_oe)
    table = np.array([[40, 0], [20, 80]])
    assert a["mix_p"] == pytest.approx(stats.chi2_contingency(table, correction=False)[1])
    p, q = np.array([1.0, 0.0]), np.array([0.2, 0.8])
    m = (p + q) / 2
    js = 0.5 * np.log2(1 / m[0]) + 0.5 * (0.2 * np.log2(0.2 / m[0]) + 0.8 * np.log2(0.8 / m[1]))
    assert a["mix_js"] == pytest.approx(js)
    assert a["flag"] == CHERRY_PICKING
    # B and C score below their team-mates' raw figure: never flagged
    assert r.loc["B", "flag"] is None and r.loc["C", "flag"] is None
    assert r.loc["D", "flag"] is None  # alone in their team: nothing to compare with


def test_a_really_better_agent_is_not_flagged(wh: Warehouse) -> None:
    _world(wh, BETTER)
    r = adjusted(wh, "csat", START, END).set_index("agent_id")
    e = r.loc["E"]
    assert e["raw"] > e["team_raw"] and e["vs_team_ci_low"] > 1
    assert e["mix_p"] == pytest.approx(1.0) and e["mix_js"] == pytest.approx(0.0)
    assert r["flag"].isna().all()


def test_aht_by_hand(wh: Warehouse) -> None:
    _world(wh)
    r = adjusted(wh, "aht", START, END).set_index("agent_id")
    # handle time by category is the same for everyone: every O/E is 1
    assert r.loc["A", "expected"] == pytest.approx(200.0)
    assert r.loc["B", "expected"] == pytest.approx((10 * 200 + 40 * 600) / 50)
    assert r["oe"].to_list() == pytest.approx([1.0] * 4)
    assert r.loc["A", "team_raw"] == pytest.approx(520.0)
    assert r.loc["A", "flag"] == CHERRY_PICKING  # lower is better: raw 200 s vs the team's 520 s
    assert r.loc["D", "flag"] is None  # alone in their team: nothing to compare with
    assert flagged(cherry_picking(wh, START, END)) == ["A"]


def test_small_samples_and_scope(wh: Warehouse) -> None:
    _world(wh, [("A", "T1", "easy", 12, 11, 200), ("B", "T1", "hard", 40, 20, 600)])
    r = adjusted(wh, "csat", START, END).set_index("agent_id")
    assert r.loc["A", "flag"] == INSUFFICIENT
    assert adjusted(wh, "csat", START, END, where="team = 'T9'").empty


def test_refuses_what_it_cannot_adjust(wh: Warehouse) -> None:
    with pytest.raises(ConfigError, match="cannot adjust 'contact_volume'"):
        adjusted(wh, "contact_volume", START, END)
    with pytest.raises(ConfigError, match="empty"):
        adjusted(wh, "csat", END, START)


def _by_definition(frame: Any, z: float) -> dict[str, dict[str, float]]:
    """Each agent against the rest of their team, row by row, as the module docstring defines
    it (the oracle of the sums-based computation)."""
    out: dict[str, dict[str, float]] = {}
    for agent, own in frame.groupby("agent_id"):
        team = own["team"].iat[0]
        rest = frame[(frame["team"] == team) & (frame["agent_id"] != agent)]
        y, mu, ry, rmu = (own["y"].to_numpy(), own["mu"].to_numpy(), rest["y"].to_numpy(),
                          rest["mu"].to_numpy())
        oe, roe = y.sum() / mu.sum(), ry.sum() / rmu.sum() if len(rest) else math.nan
        se = math.sqrt(((y - oe * mu) ** 2).sum()) / mu.sum()
        rse = math.sqrt(((ry - roe * rmu) ** 2).sum()) / rmu.sum() if len(rest) else math.nan
        half = z * math.sqrt((se / oe) ** 2 + (rse / roe) ** 2)
        ease = mu.mean() - rmu.mean() if len(rest) else math.nan
        ease_se = math.sqrt(mu.var(ddof=1) / len(mu) + rmu.var(ddof=1) / len(rmu)) \
            if len(rest) > 1 else math.nan
        table = np.array([[((own["category"] == c) & (own["priority"] == p)).sum(),
                           ((rest["category"] == c) & (rest["priority"] == p)).sum()]
                          for c in "abc" for p in "xy"], dtype=float)
        table = table[table.sum(axis=1) > 0]
        expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
        small = expected.min(axis=1) < 5  # cells with fewer than five expected: pooled
        if small.any():
            table = np.vstack([table[~small], table[small].sum(axis=0, keepdims=True)])
        out[agent] = {"oe": oe, "oe_ci_low": oe - z * se, "team_oe": roe,
                      "vs_team": oe / roe, "vs_team_ci_high": oe / roe * math.exp(half),
                      "ease": ease, "ease_ci_low": ease - z * ease_se,
                      "team_raw": ry.mean() if len(rest) else math.nan,
                      "mix_p": stats.chi2_contingency(table, correction=False)[1]
                      if len(rest) else math.nan,
                      "vendor": own["vendor"].mode().iat[0]}
    return out


def test_every_agent_against_the_rest_of_the_team_from_sums() -> None:
    """Issue 17: the sums per agent and per team give what comparing each agent with their
    team row by row gives (that took minutes at 10 M contacts); teams of different sizes, an
    agent alone without a team, vendors tied for an agent (the first by name wins)."""
    import pandas as pd

    from cxlens.casemix.agents import _per_agent

    rng = np.random.default_rng(11)
    n = 3_000
    agents = rng.choice([f"a{k:02d}" for k in range(30)], n)
    frame = pd.DataFrame({
        "agent_id": agents,
        "team": [None if a == "a00" else f"t{int(a[1:]) % 4}" for a in agents],
        "vendor": np.where(rng.random(n) < 0.5, "North", "South"),
        "category": rng.choice(list("abc"), n, p=[0.6, 0.3, 0.1]),
        "priority": rng.choice(list("xy"), n),
        "y": rng.gamma(2.0, 150.0, n), "mu": rng.gamma(5.0, 60.0, n)})
    z = 1.959964
    got = {r["agent_id"]: r for r in _per_agent(frame, z, float(frame["y"].mean()))}
    want = _by_definition(frame, z)
    assert sorted(got) == sorted(want)
    for agent, expected in want.items():
        for column, value in expected.items():
            if column == "vendor":
                assert got[agent][column] == value, agent
            elif math.isnan(value):
                assert math.isnan(got[agent][column]), (agent, column)
            else:
                assert got[agent][column] == pytest.approx(value, rel=1e-9), (agent, column)
    assert math.isnan(got["a00"]["team_oe"])  # no team: no rest to compare with


def test_agents_without_any_team_have_no_rest() -> None:
    """No contact names a team (tests/test_sqltext.py's warehouse): every agent is alone."""
    import pandas as pd

    from cxlens.casemix.agents import _per_agent

    frame = pd.DataFrame({"agent_id": ["a", "a", "b"], "team": [None, None, None],
                          "vendor": ["V", "V", None], "category": ["x", "y", "x"],
                          "priority": ["p", "p", "p"], "y": [1.0, 0.0, 1.0],
                          "mu": [0.5, 0.5, 0.5]})
    got = {r["agent_id"]: r for r in _per_agent(frame, 1.959964, 2 / 3)}
    assert got["a"]["oe"] == pytest.approx(1.0) and got["b"]["oe"] == pytest.approx(2.0)
    assert math.isnan(got["a"]["team_oe"]) and math.isnan(got["b"]["team_raw"])
    assert (got["a"]["vendor"], got["b"]["vendor"]) == ("V", None)
