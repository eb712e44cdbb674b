"""The planted cherry-picker (``effects.CHERRY``): one agent who swaps hard contacts for their
team-mates' easy ones. Applied to each chunk's contacts before they are handled, from its own
random stream, so every other table keeps its random draws."""

from __future__ import annotations

import dataclasses

import numpy as np

from cxlens.demo.contacts import CATEGORIES, PRIORITIES, Contacts
from cxlens.demo.effects import CHERRY
from cxlens.demo.org import SKILLS, Org


def team(org: Org) -> int:
    return int(org.pods[(CHERRY.vendor, SKILLS.index(CHERRY.skill))][0])


def picker(org: Org) -> int:
    """The team's second agent (the first takes the most contacts)."""
    return int(org.team_first_agent[team(org)]) + 1


def neutral(org: Org) -> Org:
    """``org`` with the picker made exactly average for their team: their own skill, speed,
    warmth and care are set to their team-mates' means (speed: geometric), so whatever
    differs in their figures comes from the contacts they pick."""
    who, first = picker(org), int(org.team_first_agent[team(org)])
    mates = [a for a in range(first, first + int(org.team_agents[team(org)])) if a != who]
    changed = {}
    for name in ("agent_skill", "agent_warmth", "agent_care"):
        values = getattr(org, name).copy()
        values[who] = values[mates].mean()
        changed[name] = values
    speed = org.agent_speed.copy()
    speed[who] = float(np.exp(np.log(speed[mates]).mean()))
    return dataclasses.replace(org, agent_speed=speed, **changed)


def plant(rng: np.random.Generator, c: Contacts, org: Org) -> Contacts:
    """``c`` with the cherry-picker's hard contacts given away and easy ones taken."""
    who, mates = picker(org), team(org)
    first = int(org.team_first_agent[mates])
    size = int(org.team_agents[mates])
    easy = (np.isin(c.category, [CATEGORIES.index(x) for x in CHERRY.easy_categories])
            & np.isin(c.priority, [PRIORITIES.index(x) for x in CHERRY.easy_priorities]))
    in_team = c.team == mates
    u = rng.random(c.n)
    others = first + rng.integers(0, size - 1, c.n)
    others = np.where(others >= who, others + 1, others)  # any team-mate but the picker
    agent = c.agent.copy()
    give = in_team & (c.agent == who) & ~easy & (u > CHERRY.keep_hard)
    take = in_team & (c.agent != who) & easy & (u < CHERRY.take_easy)
    agent[give] = others[give]
    agent[take] = who
    return dataclasses.replace(c, agent=agent)
