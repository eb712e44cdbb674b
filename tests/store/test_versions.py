"""Data versions scoped by the tables a change names (issue 18): a bump naming tables changes
the versions of those tables and of everything, not the others'; a bump naming nothing changes
every version; an unknown table is refused. On DuckDB and Postgres."""

from __future__ import annotations

import pytest

from cxlens.errors import SchemaError
from cxlens.store.base import Warehouse
from cxlens.store.migrate import bump_data_version, data_version

ANSWERS = {"interactions", "survey_responses"}
INVITES = {"survey_invitations", "followup_cases"}


def test_a_bump_changes_the_versions_of_what_it_names_only(wh: Warehouse) -> None:
    assert data_version(wh) == "0"  # nothing stamped yet
    bump_data_version(wh)
    everything, answers, invites = data_version(wh), data_version(wh, ANSWERS), \
        data_version(wh, INVITES)
    assert everything == answers == invites  # no table bumped on its own yet

    bump_data_version(wh, {"survey_invitations"})
    assert data_version(wh, ANSWERS) == answers  # kept: reads no invitation
    assert data_version(wh, INVITES) != invites
    assert data_version(wh) != everything  # what names nothing sees every change
    assert data_version(wh, {"followup_cases"}) == answers

    invites, everything = data_version(wh, INVITES), data_version(wh)
    bump_data_version(wh)  # no tables: everything changes
    assert data_version(wh, ANSWERS) != answers
    assert data_version(wh, INVITES) != invites
    assert data_version(wh) != everything


def test_an_unknown_table_is_refused(wh: Warehouse) -> None:
    with pytest.raises(SchemaError, match="no table survey_invites in the registry"):
        bump_data_version(wh, {"survey_invites"})
