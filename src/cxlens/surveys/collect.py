"""Collecting answers. A score (step 1) and the follow-up — the "Why?" comment, extra
questions, demographics (step 2) — each arrive for one invitation token. Submitting is
idempotent per token: the same score again returns the same response; a different score for
an answered invitation is refused; a finished survey cannot be reopened.

The web app funnels every submission through one :class:`Writer` thread that commits them in
groups (one transaction, one WAL flush, for everything that arrived meanwhile) and only then
acknowledges each one: an acknowledged answer is on disk, and a crash loses nothing that was
acknowledged."""

from __future__ import annotations

import datetime as dt
import itertools
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from cxlens import webhooks
from cxlens.errors import CxlensError
from cxlens.loop import cases
from cxlens.store.base import Warehouse
from cxlens.surveys.spec import DEMOGRAPHICS, Config
from cxlens.surveys.triggers import SNAPSHOT
from cxlens.text.redact import redact


class AnswerError(CxlensError):
    """The answer cannot be taken; ``code`` and ``status`` say why."""

    def __init__(self, code: str, status: int, message: str, hint: str = "") -> None:
        super().__init__(message, hint)
        self.code = code
        self.status = status


@dataclass(frozen=True)
class Score:
    invitation_id: str
    score: int


@dataclass(frozen=True)
class Followup:
    invitation_id: str
    comment: str | None = None
    answers: dict[str, int] = field(default_factory=dict)
    demographics: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Receipt:
    response_id: str
    score: int
    duplicate: bool = False
    completed: bool = False
    case_id: str | None = None


#: Columns of an answer row written by the collector.
_ANSWER = ("response_id", "survey", "score", "scale_min", "scale_max", "responded_at",
           "sent_at", "customer_id", "interaction_id", "survey_channel", "kind", "touchpoint",
           "programme", "invitation_id", *SNAPSHOT)
_INV = ("invitation_id", "survey", "programme", "sent_at", "customer_id", "interaction_id",
        "survey_channel", "kind", "touchpoint", "status", "responded_at", "response_id",
        "expires_at", "completed_at", "language", *SNAPSHOT)


def invitation(wh: Warehouse, invitation_id: str) -> dict[str, Any] | None:
    rows = wh.query(f"SELECT {', '.join(_INV)} FROM survey_invitations WHERE "
                    "invitation_id = ?", [invitation_id])
    return dict(zip(_INV, rows[0], strict=True)) if rows else None


def _score_of(wh: Warehouse, response_id: str) -> int:
    return int(wh.scalar("SELECT score FROM survey_responses WHERE response_id = ?",
                         [response_id]))


def _check(inv: dict[str, Any] | None, now: dt.datetime) -> dict[str, Any]:
    if inv is None or inv["status"] == "suppressed":
        raise AnswerError("link_invalid", 404, "this survey link is not valid",
                          "open the link from your invitation again")
    if inv["expires_at"] is not None and now >= inv["expires_at"]:
        raise AnswerError("link_expired", 410, "this survey has closed",
                          "thank you all the same")
    return inv


def _marks(n: int) -> str:
    return ", ".join("?" * n)


#: The invitations a score may claim at once: unanswered, not suppressed, not expired (the
#: rest of :func:`_check`, and the scale, is checked in Python after the claim).
_CLAIMABLE = ("response_id IS NULL AND responded_at IS NULL AND status IS DISTINCT FROM "
              "'suppressed' AND (expires_at IS NULL OR expires_at > ?)")


def _lookup(wh: Warehouse, ids: list[str], now: dt.datetime
            ) -> tuple[dict[str, tuple[dict[str, Any], int | None]], set[str]]:
    """Each invitation of ``ids`` as it was before this group, with the score of its earlier
    answer, and the ids already marked answered here ("claimed").

    On Postgres the unanswered ones are claimed and read in one ``UPDATE … RETURNING`` (one
    round trip instead of a SELECT and an UPDATE); only the others — duplicates, refusals —
    are looked up. On DuckDB a RETURNING costs more than the SELECT and the UPDATE together
    (docs/decisions.md), so it reads them and :func:`take_scores` marks the new ones."""
    found: dict[str, tuple[dict[str, Any], int | None]] = {}
    if not ids:
        return found, set()
    rows: list[tuple[Any, ...]] = []
    if wh.dialect == "postgres":
        rows = wh.query(f"UPDATE survey_invitations SET responded_at = ?, response_id = 'r_' "
                        f"|| invitation_id WHERE invitation_id IN ({_marks(len(ids))}) AND "
                        f"{_CLAIMABLE} RETURNING {', '.join(_INV)}", [now, *ids, now])
    claimed = {str(r[0]) for r in rows}
    if rest := [i for i in ids if i not in claimed]:
        rows += wh.query(f"SELECT {', '.join(_INV)} FROM survey_invitations "
                         f"WHERE invitation_id IN ({_marks(len(rest))})", rest)
    rid = _INV.index("response_id")
    answered = [str(r[rid]) for r in rows if r[rid] and r[0] not in claimed]
    scores = dict(wh.query("SELECT response_id, score FROM survey_responses WHERE "
                           f"response_id IN ({_marks(len(answered))})", answered)
                  ) if answered else {}  # (a join costs more: few were answered before)
    for row in rows:
        record = dict(zip(_INV, row, strict=True))
        if row[0] in claimed:  # as it was before the claim
            record.update(response_id=None, responded_at=None)
        found[row[0]] = (record, scores.get(record["response_id"]))
    return found, claimed


def take_scores(wh: Warehouse, config: Config, items: Sequence[Score],
                now: dt.datetime) -> list[Receipt | AnswerError]:
    """Record a group of scores (inside the caller's transaction), in order, with a fixed
    number of statements: one claim or lookup, one multi-row insert, one update on DuckDB (a
    statement costs about a millisecond whatever its size). Follow-up cases and webhooks
    only for the answers that call for them. Refusals are returned, not raised."""
    ids = list(dict.fromkeys(i.invitation_id for i in items))
    found, claimed = _lookup(wh, ids, now)
    results: list[Receipt | AnswerError] = []
    taken: dict[str, int] = {}  # answered earlier in this group
    fresh: list[tuple[int, dict[str, Any], Score]] = []
    for item in items:
        try:
            stored, old = found.get(item.invitation_id, (None, None))
            inv = _check(stored, now)
            lo, hi = config.programme(str(inv["programme"])).bounds
            if not lo <= item.score <= hi:
                raise AnswerError("score_out_of_scale", 422, f"score {item.score} is outside "
                                  f"the survey's scale {lo}–{hi}",
                                  f"send a whole number from {lo} to {hi}")
            if item.invitation_id in taken:
                old = taken[item.invitation_id]
            elif not inv["response_id"]:
                taken[item.invitation_id] = item.score
                fresh.append((len(results), inv, item))
                results.append(Receipt("r_" + item.invitation_id, item.score))
                continue
            if old != item.score:
                raise AnswerError("already_answered", 409, f"this survey was already "
                                  f"answered (score {old}); answers cannot be changed",
                                  "nothing to do: your first answer counts")
            results.append(Receipt(str(inv["response_id"] or "r_" + item.invitation_id),
                                   item.score, duplicate=True,
                                   completed=inv["completed_at"] is not None))
        except AnswerError as exc:
            results.append(exc)
    new_ids = [item.invitation_id for _pos, _inv, item in fresh]
    if unclaim := [i for i in claimed if i not in taken]:  # claimed, then refused (scale)
        wh.execute("UPDATE survey_invitations SET responded_at = NULL, response_id = NULL "
                   f"WHERE invitation_id IN ({_marks(len(unclaim))})", unclaim)
    if not fresh:
        return results
    answers_rows = [["r_" + item.invitation_id, inv["survey"], item.score,
             *config.programme(str(inv["programme"])).bounds, now, inv["sent_at"],
             inv["customer_id"], inv["interaction_id"], inv["survey_channel"], inv["kind"],
             inv["touchpoint"], inv["programme"], item.invitation_id,
             *(inv[k] for k in SNAPSHOT)] for _pos, inv, item in fresh]
    wh.insert_rows("survey_responses", _ANSWER, answers_rows)
    if unmarked := [i for i in new_ids if i not in claimed]:
        wh.execute("UPDATE survey_invitations SET responded_at = ?, response_id = 'r_' || "
                   f"invitation_id WHERE invitation_id IN ({_marks(len(unmarked))})",
                   [now, *unmarked])
    answers, events = [], []
    for _pos, inv, item in fresh:
        rid, snap = "r_" + item.invitation_id, {k: inv[k] for k in SNAPSHOT}
        events.append(("response.created", {
            "response_id": rid, "survey": inv["survey"], "programme": inv["programme"],
            "score": item.score, "customer_id": inv["customer_id"],
            "interaction_id": inv["interaction_id"], **snap}, inv["customer_id"]))
        answers.append(cases.Answer(rid, str(inv["survey"]), item.score, inv["customer_id"],
                                    inv["interaction_id"], None, snap))
    webhooks.emit_many(wh, config.webhooks, events, now)
    opened = cases.open_cases(wh, config, answers, now, new=True)
    for pos, _inv, item in fresh:
        if case_id := opened.get("r_" + item.invitation_id):
            results[pos] = Receipt("r_" + item.invitation_id, item.score, case_id=case_id)
    return results


def take_score(wh: Warehouse, config: Config, item: Score, now: dt.datetime) -> Receipt:
    """Record one score (inside the caller's transaction); raise a refusal."""
    result = take_scores(wh, config, [item], now)[0]
    if isinstance(result, AnswerError):
        raise result
    return result


def take_followup(wh: Warehouse, config: Config, item: Followup, now: dt.datetime) -> Receipt:
    """Record the comment and the other answers, and finish the survey."""
    inv = _check(invitation(wh, item.invitation_id), now)
    if not inv["response_id"]:
        raise AnswerError("score_first", 409, "answer the score question first",
                          "open the survey link again")
    rid = str(inv["response_id"])
    if inv["completed_at"] is not None:
        return Receipt(rid, _score_of(wh, rid), duplicate=True, completed=True)
    p = config.programme(str(inv["programme"]))
    problems = []
    extras = {q.id: q for q in p.questions.extra}
    language = str(inv["language"] or p.languages[0])
    for qid, value in item.answers.items():
        q = extras.get(qid)
        if q is None:
            problems.append(f"no question {qid!r}")
            continue
        lo, hi = q.scale(language)
        if not lo <= value <= hi:
            problems.append(f"{qid}: {value} is outside {lo}–{hi}")
    for key, choice in item.demographics.items():
        if key not in p.questions.demographics or choice not in DEMOGRAPHICS[key]:
            problems.append(f"{key}: {choice!r} is not one of the offered answers")
    if problems:
        raise AnswerError("invalid_answer", 422, "; ".join(problems),
                          "answer with the values the survey offers")
    comment = (item.comment or "").strip()[:4000] or None
    if comment:
        comment = redact(comment)
    resolved = item.answers.get("resolved") if "resolved" in extras and \
        extras["resolved"].type == "yes_no" else None
    wh.execute("UPDATE survey_responses SET comment = ?, resolved_reported = ? WHERE "
               "response_id = ?", [comment, None if resolved is None else bool(resolved), rid])
    for qid, value in item.answers.items():
        if qid == "resolved" and resolved is not None:
            continue
        lo, hi = extras[qid].scale(language)
        # the extra answer copies the score row's context (the last 12 columns)
        wh.execute(f"INSERT INTO survey_responses ({', '.join(_ANSWER)}) SELECT ?, ?, ?, ?, "
                   f"?, ?, {', '.join(_ANSWER[6:])} FROM survey_responses "
                   "WHERE response_id = ?",
                   [f"{rid}.{qid}", qid, value, lo, hi, now, rid])
    if item.demographics and inv["customer_id"]:
        sets = ", ".join(f"{k} = ?" for k in item.demographics)
        wh.execute(f"UPDATE customers SET {sets} WHERE customer_id = ?",
                   [*item.demographics.values(), inv["customer_id"]])
    wh.execute("UPDATE survey_invitations SET completed_at = ? WHERE invitation_id = ?",
               [now, item.invitation_id])
    score = _score_of(wh, rid)
    case_id = None
    if comment:
        answer = cases.Answer(rid, str(inv["survey"]), score, inv["customer_id"],
                              inv["interaction_id"], comment, {k: inv[k] for k in SNAPSHOT})
        case_id = cases.open_case(wh, config, answer, now)
    return Receipt(rid, score, completed=True, case_id=case_id)


def apply(wh: Warehouse, config: Config, item: Score | Followup, now: dt.datetime) -> Receipt:
    if isinstance(item, Score):
        return take_score(wh, config, item, now)
    return take_followup(wh, config, item, now)


#: How long (s) the writer waits for more answers before a group when the last group had
#: company (under load only: a lone answer is never delayed). A group's statements and its
#: commit cost about the same for 30 answers as for 15, and under load the answers of the
#: group just acknowledged come back within a few milliseconds: without the wait the groups
#: alternated at half the clients each (bench/collect.py, docs/performance.md).
LINGER = 0.002


class Writer:
    """One thread owning a warehouse connection: submissions queue up, are applied in one
    transaction per group and acknowledged only after the commit."""

    def __init__(self, wh: Warehouse, config: Config, max_batch: int = 256,
                 clock: Callable[[], dt.datetime] | None = None,
                 linger: float = LINGER) -> None:
        self.wh, self.config, self.max_batch, self.linger = wh, config, max_batch, linger
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._q: queue.Queue[tuple[Score | Followup, Future[Receipt]] | None] = queue.Queue()
        self.accepted = 0  # answers committed since start (the runner bumps the data version)
        self.groups = 0  # transactions committed since start
        self._thread = threading.Thread(target=self._loop, name="cxlens-collect", daemon=True)
        self._thread.start()

    def submit(self, item: Score | Followup) -> Future[Receipt]:
        fut: Future[Receipt] = Future()
        self._q.put((item, fut))
        return fut

    def close(self) -> None:
        self._q.put(None)
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        busy = False
        while True:
            first = self._q.get()
            if first is None:
                return
            batch = [first]
            # under load (the last group had company), wait up to ``linger`` for the answers
            # now being parsed: one group of 32 costs less than two of 16 (group commit)
            until = time.monotonic() + self.linger if busy else 0.0
            while len(batch) < self.max_batch:
                try:
                    wait = until - time.monotonic()
                    nxt = self._q.get(timeout=wait) if wait > 0 else self._q.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._q.put(None)
                    break
                batch.append(nxt)
            busy = len(batch) > 1
            self._commit(batch)

    def _commit(self, batch: list[tuple[Score | Followup, Future[Receipt]]]) -> None:
        now = self.clock()
        results: list[Receipt | BaseException] = []
        try:
            with self.wh.transaction():
                # in arrival order: each run of scores as one set, each follow-up alone
                for is_score, run in itertools.groupby(batch,
                                                       lambda p: isinstance(p[0], Score)):
                    items = [item for item, _fut in run]
                    if is_score:
                        results += take_scores(self.wh, self.config,
                                               [i for i in items if isinstance(i, Score)], now)
                    else:
                        results += [self._one(i, now) for i in items]
        except Exception as exc:  # the group failed as a whole: retry one by one
            if len(batch) > 1:
                for pair in batch:
                    self._commit([pair])
                return
            results = [exc]
        else:
            self.groups += 1
        for (_item, fut), res in zip(batch, results, strict=True):
            if isinstance(res, BaseException):
                fut.set_exception(res)
            else:
                self.accepted += 0 if res.duplicate else 1
                fut.set_result(res)

    def _one(self, item: Score | Followup, now: dt.datetime) -> Receipt | AnswerError:
        # refusals are answers too; only unexpected errors fail the group
        try:
            return apply(self.wh, self.config, item, now)
        except AnswerError as exc:
            return exc
