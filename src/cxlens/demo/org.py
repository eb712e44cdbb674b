"""The support organisation: an in-house team in Leeds and two BPO partners (Acme BPO in Manila,
Northwind BPO in Bogotá), their teams and agents, and each agent's personal random effects."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from cxlens.schema import IN_HOUSE

Arr = npt.NDArray[Any]


@dataclass(frozen=True)
class Vendor:
    """A vendor's normal-month performance; effects are on the model's latent scales."""

    name: str
    site: str
    code: str
    fcr: float  # logit shift of solving on first contact
    aht: float  # multiplier of handle times
    wait: float  # multiplier of queue waits and first-response times
    csat: float  # latent CSAT shift beyond what the operational outcomes explain
    summary_rate: float  # share of escalations handed over with a case summary
    qa: float  # logit shift of passing process-compliance criteria


VENDORS = (
    Vendor(IN_HOUSE, "Leeds", "LDS", fcr=0.20, aht=1.00, wait=0.95, csat=0.12, summary_rate=0.93,
           qa=0.40),
    Vendor("Acme BPO", "Manila", "MNL", fcr=0.00, aht=0.94, wait=1.10, csat=-0.12,
           summary_rate=0.88, qa=0.10),
    Vendor("Northwind BPO", "Bogotá", "BOG", fcr=0.05, aht=1.04, wait=1.15, csat=0.0,
           summary_rate=0.84, qa=0.15),
)
VENDOR_NAMES = tuple(v.name for v in VENDORS)
INHOUSE, ACME, NORTHWIND = 0, 1, 2

#: Skills (= team specialisms) and the queues' channel kinds.
SKILLS = ("billing", "technical", "orders", "retail")
RETAIL = SKILLS.index("retail")
_TEAM_LABEL = {"billing": "Billing & Accounts", "technical": "Technical", "orders": "Orders",
               "retail": "Retail Support"}
#: Agents per team at scale 1 (≈ 60 agents); larger builds grow the teams and split them in pods.
TEAM_SIZES: dict[tuple[int, str], int] = {
    (INHOUSE, "billing"): 5, (INHOUSE, "technical"): 6, (INHOUSE, "orders"): 5,
    (INHOUSE, "retail"): 4,
    (ACME, "billing"): 7, (ACME, "technical"): 8, (ACME, "orders"): 7,
    (NORTHWIND, "billing"): 6, (NORTHWIND, "technical"): 6, (NORTHWIND, "orders"): 6,
}
POD_SIZE = 14
FIRST_NAMES = {
    INHOUSE: ("Amelia", "Oliver", "Priya", "Harry", "Sophie", "Jack", "Aisha", "George", "Chloe",
              "Tom", "Hannah", "Leo", "Fatima", "Ethan", "Grace"),
    ACME: ("Maria", "Jose", "Angelica", "Mark", "Kristine", "John Paul", "Rhea", "Carlo",
           "Joy", "Miguel", "Patricia", "Ramon", "Liza", "Paolo", "Bea"),
    NORTHWIND: ("Valentina", "Santiago", "Camila", "Mateo", "Daniela", "Sebastián", "Laura",
                "Andrés", "Juliana", "Felipe", "Natalia", "Camilo", "Paula", "Diego", "Sara"),
}


@dataclass(frozen=True, eq=False)
class Org:
    """Teams and agents as parallel arrays (index = team or agent number)."""

    team_names: tuple[str, ...]
    team_vendor: Arr
    team_skill: Arr
    team_first_agent: Arr
    team_agents: Arr
    agent_ids: tuple[str, ...]
    agent_names: tuple[str, ...]
    agent_team: Arr
    agent_vendor: Arr
    agent_skill: Arr  # logit shift of first-contact resolution
    agent_speed: Arr  # handle-time multiplier
    agent_warmth: Arr  # latent CSAT shift (and communication-quality scores)
    agent_care: Arr  # logit shift of process compliance
    #: For each (vendor, skill): the team numbers serving it.
    pods: dict[tuple[int, int], Arr]

    @property
    def sites(self) -> tuple[str, ...]:
        return tuple(v.site for v in VENDORS)

    def pick_team(self, rng: np.random.Generator, vendor: Arr, skill: Arr) -> Arr:
        team = np.zeros(len(vendor), dtype=np.int64)
        for (v, s), teams in self.pods.items():
            rows = np.flatnonzero((vendor == v) & (skill == s))
            if len(rows):
                team[rows] = teams[rng.integers(0, len(teams), size=len(rows))]
        return team

    def pick_agent(self, rng: np.random.Generator, team: Arr) -> Arr:
        """An agent of each contact's team; some agents take more contacts than others."""
        u = rng.random(len(team)) ** 1.15
        return self.team_first_agent[team] + (u * self.team_agents[team]).astype(np.int64)


def build_org(rng: np.random.Generator, scale: float) -> Org:
    """The teams and agents; agent effects are drawn from ``rng``."""
    grow = max(1.0, scale)
    team_names: list[str] = []
    team_vendor: list[int] = []
    team_skill: list[int] = []
    team_first: list[int] = []
    team_size: list[int] = []
    agent_ids: list[str] = []
    agent_names: list[str] = []
    agent_team: list[int] = []
    pods: dict[tuple[int, int], list[int]] = {}
    numbers = dict.fromkeys(range(len(VENDORS)), 0)
    for (v, skill), base in TEAM_SIZES.items():
        vendor = VENDORS[v]
        size = max(1, round(base * grow))
        n_pods = max(1, math.ceil(size / POD_SIZE)) if size > POD_SIZE else 1
        splits = np.linspace(0, size, n_pods + 1).round().astype(int)
        for p in range(n_pods):
            label = f"{vendor.site} {_TEAM_LABEL[skill]}" + (f" {p + 1}" if n_pods > 1 else "")
            team = len(team_names)
            pods.setdefault((v, SKILLS.index(skill)), []).append(team)
            team_names.append(label)
            team_vendor.append(v)
            team_skill.append(SKILLS.index(skill))
            team_first.append(len(agent_ids))
            team_size.append(int(splits[p + 1] - splits[p]))
            for _ in range(team_size[-1]):
                numbers[v] += 1
                number = numbers[v]
                agent_ids.append(f"A-{vendor.code}-{number:04d}")
                names = FIRST_NAMES[v]
                agent_names.append(names[(number - 1) % len(names)])
                agent_team.append(team)
    n = len(agent_ids)
    teams = np.array(agent_team, dtype=np.int64)
    vendors = np.array(team_vendor, dtype=np.int64)
    return Org(
        team_names=tuple(team_names),
        team_vendor=vendors,
        team_skill=np.array(team_skill, dtype=np.int64),
        team_first_agent=np.array(team_first, dtype=np.int64),
        team_agents=np.array(team_size, dtype=np.int64),
        agent_ids=tuple(agent_ids),
        agent_names=tuple(agent_names),
        agent_team=teams,
        agent_vendor=vendors[teams],
        agent_skill=rng.normal(0.0, 0.30, n),
        agent_speed=np.exp(rng.normal(0.0, 0.15, n)),
        agent_warmth=rng.normal(0.0, 0.22, n),
        agent_care=rng.normal(0.0, 0.45, n),
        pods={k: np.array(v, dtype=np.int64) for k, v in pods.items()},
    )
