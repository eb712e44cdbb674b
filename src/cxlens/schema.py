"""The canonical CX data model: every table, column, type, enum and key, in one place.

Everything else (DDL, import validation, the demo generator, docs/data-model.md) is derived
from the definitions below, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from cxlens.errors import NotFound, did_you_mean
from cxlens.personal import Personal, Redaction, by, delete, keep, redact

#: Bumped whenever a table or column changes; recorded in the warehouse's ``cxlens_meta``.
SCHEMA_VERSION = 10  # 2: survey_invitations; 3: programme columns, contact details, snapshots;
#                    4: migrate creates every table of the registry (operational ones too)
#                    5: job runs, shared rate-limit buckets and login throttle (serve
#                       --workers, issue 18)
#                    6: sentiment_models, trained sentiment models (issue 19)
#                    7: cxlens_themes, cxlens_theme_runs, cxlens_theme_assignments: comment
#                       themes kept from run to run (issue 19)
#                    8: transcript_turns and the AutoQA results (issue 19)
#                    9: sentiment_models.kind, the kind of text a model learned from (issue 19)
#                    10: mentions.sentiment_source, given labels told from computed ones
#                        (issue 19)


class Type(StrEnum):
    STRING = "string"
    INTEGER = "integer"
    FLOAT = "float"
    BOOLEAN = "boolean"
    TIMESTAMP = "timestamp"  # timezone-aware, stored in UTC


@dataclass(frozen=True)
class Column:
    name: str
    type: Type
    meaning: str
    required: bool = False
    enum: tuple[str, ...] = ()
    #: ``"lower"`` lower-cases and trims text on import (category-like columns).
    normalize: str | None = None
    default: str | int | float | bool | None = None
    #: ``"table.column"`` this column points at; an unknown value is kept and flagged.
    references: str | None = None
    #: Smallest allowed value for numbers (durations and counts cannot be negative).
    minimum: float | None = None
    unit: str = ""

    @property
    def is_duration(self) -> bool:
        return self.unit == "seconds"


@dataclass(frozen=True)
class Table:
    name: str
    meaning: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    #: Pairs (earlier, later) of timestamp columns that must be in order when both are set.
    time_order: tuple[tuple[str, str], ...] = ()
    time_column: str = ""
    notes: tuple[str, ...] = field(default=())
    #: What ``cxlens erase`` does with the customer's rows (:mod:`cxlens.personal`); every
    #: table in the registry (:mod:`cxlens.store.registry`) must have one.
    personal: Personal | None = None

    def __post_init__(self) -> None:
        unknown = [c for c in (self.personal.columns if self.personal else ())
                   if c not in self.column_names]
        if unknown:
            raise ValueError(f"table {self.name}: its personal-data policy names unknown "
                             f"columns {unknown}")

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise NotFound(
            f'table {self.name} has no column "{name}".{did_you_mean(name, self.column_names)}',
            f"columns of {self.name}: {', '.join(self.column_names)}",
        )

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def foreign_keys(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.references)


S, INT, F, B, T = Type.STRING, Type.INTEGER, Type.FLOAT, Type.BOOLEAN, Type.TIMESTAMP
SPEAKERS = ("agent", "customer", "system")
CHANNELS = ("phone", "email", "chat", "sms", "social", "in_app", "in_store")
SURVEY_CHANNELS = ("email", "sms", "ivr", "web", "in_app")
#: Default scales of the standard surveys (min, max); a custom survey must give its own.
SURVEY_SCALES: dict[str, tuple[int, int]] = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7)}
IN_HOUSE = "in-house"
#: The name of a missing category (a contact with no vendor, an answer with no channel) where
#: rows are grouped by it: its own group, never dropped, never shown as "null".
NOT_SET = "(not set)"


def _c(name: str, type_: Type, meaning: str, **kw: object) -> Column:
    return Column(name, type_, meaning, **kw)  # type: ignore[arg-type]


INTERACTIONS = Table(
    "interactions",
    "One row per ticket, call, chat, e-mail thread or social conversation.",
    (
        _c("interaction_id", S, "Unique id of the ticket, call or conversation.", required=True),
        _c("customer_id", S, "The customer who made contact.", references="customers.customer_id"),
        _c("channel", S, "Contact channel.", required=True, enum=CHANNELS),
        _c("direction", S, "Who started the contact.", enum=("inbound", "outbound"),
           default="inbound"),
        _c("vendor", S, 'BPO partner that handled it; "in-house" for your own team.',
           default=IN_HOUSE),
        _c("site", S, "Contact-centre site or office."),
        _c("team", S, "Team within the site."),
        _c("agent_id", S, "Agent who handled (or last handled) the contact."),
        _c("queue", S, "Queue, skill or group the contact was routed to."),
        _c("category", S, "Ticket type or contact reason.", normalize="lower"),
        _c("product", S, "Product the contact was about.", normalize="lower"),
        _c("priority", S, "Priority.", enum=("low", "normal", "high", "urgent")),
        _c("language", S, "Language of the contact (e.g. en, de).", normalize="lower"),
        _c("created_at", T, "When the contact was created or the call entered the queue.",
           required=True),
        _c("answered_at", T, "When a live agent answered (calls and chats)."),
        _c("abandoned_at", T, "When the customer hung up or left before an answer."),
        _c("first_response_at", T, "First public reply by an agent."),
        _c("resolved_at", T, "First time the contact was solved."),
        _c("closed_at", T, "Last solve or close (after any reopen)."),
        _c("reopen_count", INT, "Times the contact was reopened after a solve.", minimum=0),
        _c("agent_replies", INT, "Public replies by agents.", minimum=0),
        _c("talk_seconds", F, "Talk (or active chat) time.", minimum=0, unit="seconds"),
        _c("hold_seconds", F, "Hold time.", minimum=0, unit="seconds"),
        _c("wrap_seconds", F, "After-contact work (wrap-up) time.", minimum=0, unit="seconds"),
        _c("escalated", B, "Escalated to another tier or team."),
        _c("escalation_tier", INT, "Tier it was escalated to (2 = second line).", minimum=0),
        _c("escalated_at", T, "When it was handed over."),
        _c("escalation_accepted_at", T, "When the receiving tier accepted the hand-over."),
        _c("escalation_summary", S, "Case summary passed on with the escalation (empty if none)."),
        _c("resolved", B, "Whether the issue was resolved."),
        _c("upsell", B, "An up-sell was made during the contact."),
        _c("cross_sell", B, "A cross-sell was made during the contact."),
        _c("policy_denial", B, "The customer was refused something by policy."),
        _c("complexity", F, "Optional difficulty score of the contact (higher = harder).",
           minimum=0),
    ),
    key=("interaction_id",),
    time_order=(
        ("created_at", "answered_at"),
        ("created_at", "abandoned_at"),
        ("created_at", "first_response_at"),
        ("created_at", "resolved_at"),
        ("first_response_at", "resolved_at"),
        ("resolved_at", "closed_at"),
        ("created_at", "escalated_at"),
        ("escalated_at", "escalation_accepted_at"),
    ),
    time_column="created_at",
    notes=("A contact is either answered or abandoned, never both.",),
    personal=redact((by("interaction"), by("mention", "escalation_summary")),
                    "escalation_summary"),
)

SURVEY_RESPONSES = Table(
    "survey_responses",
    "One row per answered survey question.",
    (
        _c("response_id", S, "Unique id of this answer.", required=True),
        _c("survey", S, "csat, nps, ces or the name of a custom survey.", required=True,
           normalize="lower"),
        _c("score", INT, "The answer, a whole number on the survey's scale.", required=True),
        _c("scale_min", INT, "Lowest possible score (csat 1, nps 0, ces 1 by default)."),
        _c("scale_max", INT, "Highest possible score (csat 5, nps 10, ces 7 by default)."),
        _c("responded_at", T, "When the customer answered.", required=True),
        _c("sent_at", T, "When the invitation was sent."),
        _c("customer_id", S, "Who answered.", references="customers.customer_id"),
        _c("interaction_id", S, "Interaction surveyed (transactional surveys).",
           references="interactions.interaction_id"),
        _c("survey_channel", S, "How the survey reached the customer.", enum=SURVEY_CHANNELS),
        _c("kind", S, "transactional (about one interaction) or relational (about the brand); "
           "defaults to transactional when interaction_id is set.",
           enum=("transactional", "relational")),
        _c("touchpoint", S, "Moment surveyed: support, purchase, delivery, onboarding, renewal.",
           normalize="lower"),
        _c("resolved_reported", B, "Customer says the issue was solved in one contact."),
        _c("comment", S, 'The open-text "Why?" answer.'),
        _c("programme", S, "The survey programme that asked (responses collected by cxlens)."),
        _c("invitation_id", S, "The invitation answered (responses collected by cxlens; "
           "survey_invitations.response_id points back)."),
        _c("vendor", S, "Vendor that handled the interaction, snapshotted when the invitation "
           "was sent; when empty, the interaction's vendor is used."),
        _c("site", S, "Site, snapshotted when sent (as vendor)."),
        _c("team", S, "Team, snapshotted when sent (as vendor)."),
        _c("agent_id", S, "Agent, snapshotted when sent (as vendor)."),
    ),
    key=("response_id",),
    time_order=(("sent_at", "responded_at"),),
    time_column="responded_at",
    notes=("Scores must be whole numbers within [scale_min, scale_max]; anything else is "
           "rejected at import, never bucketed.",),
    personal=delete(by("customer")),
)

INVITATION_STATUSES = ("sent", "delivered", "bounced", "failed", "suppressed")

SURVEY_INVITATIONS = Table(
    "survey_invitations",
    "One row per survey invitation, answered or not: the denominator of the response rate.",
    (
        _c("invitation_id", S, "Unique id of this invitation.", required=True),
        _c("survey", S, "csat, nps, ces or the name of a custom survey (as in "
           "survey_responses).", required=True, normalize="lower"),
        _c("programme", S, "The survey programme that sent it (e.g. support-csat)."),
        _c("sent_at", T, "When it was sent (or would have been, when suppressed).",
           required=True),
        _c("customer_id", S, "Who was invited.", references="customers.customer_id"),
        _c("interaction_id", S, "Interaction surveyed (transactional surveys).",
           references="interactions.interaction_id"),
        _c("survey_channel", S, "How it reached the customer.", enum=SURVEY_CHANNELS),
        _c("kind", S, "transactional or relational, as in survey_responses.",
           enum=("transactional", "relational")),
        _c("touchpoint", S, "Moment surveyed: support, purchase, delivery, onboarding, renewal.",
           normalize="lower"),
        _c("status", S, "sent (the default), delivered, bounced, failed, or suppressed by a "
           "contact-frequency rule (never sent).", enum=INVITATION_STATUSES, default="sent"),
        _c("reason", S, "Why it bounced, failed or was suppressed."),
        _c("suppressed_by", S, "The contact-frequency rule that suppressed it: opted_out, "
           "no_address, global_gap, programme_gap or account_cap.", normalize="lower"),
        _c("responded_at", T, "When the customer answered (empty: no answer)."),
        _c("response_id", S, "The answer it produced.",
           references="survey_responses.response_id"),
        _c("vendor", S, "Vendor that handled the interaction, snapshotted when sent (credit "
           "goes to who handled it, even if the ticket moves later)."),
        _c("site", S, "Site of the handling agent, snapshotted when sent."),
        _c("team", S, "Team of the handling agent, snapshotted when sent."),
        _c("agent_id", S, "Agent who handled the interaction, snapshotted when sent."),
        _c("language", S, "Language the invitation was written in.", normalize="lower"),
        _c("expires_at", T, "When its link stops working (programmes run by cxlens)."),
        _c("reminders_sent", INT, "Reminders sent to this non-responder so far.", minimum=0),
        _c("reminded_at", T, "When the last reminder went out."),
        _c("completed_at", T, "When the customer finished the whole survey (after the score, "
           "the comment and any extra questions); the link is used up from then on."),
    ),
    key=("invitation_id",),
    time_order=(("sent_at", "responded_at"),),
    time_column="sent_at",
    notes=("Response rate = invitations answered / invitations sent or delivered, counted on "
           "these rows only, so every filter applies to both sides (bounced, failed and "
           "suppressed invitations are in neither).",),
    personal=delete(by("customer")),
)

CUSTOMERS = Table(
    "customers",
    "One row per customer (person or account).",
    (
        _c("customer_id", S, "Unique customer id.", required=True),
        _c("acquired_at", T, "When they became a customer."),
        _c("churned_at", T, "When they stopped being a customer (empty while active)."),
        _c("segment", S, "Business segment (e.g. consumer, smb, enterprise).", normalize="lower"),
        _c("region", S, "Sales or geographic region.", normalize="lower"),
        _c("country", S, "ISO 3166 country code or name."),
        _c("age_group", S, "Age band, e.g. 18-24.", normalize="lower"),
        _c("gender", S, "Gender as recorded.", normalize="lower"),
        _c("acquisition_source", S, "How they were acquired: referral, organic, direct, paid, "
           "social, store, ...", normalize="lower"),
        _c("referred_by", S, "Customer who referred them.", references="customers.customer_id"),
        _c("account_id", S, "Organisation or account the customer belongs to (B2B); survey "
           "caps per account use it."),
        _c("email", S, "E-mail address for survey invitations (personal data: erased by "
           "cxlens erase)."),
        _c("phone", S, "Phone number for SMS / IVR invitations (personal data)."),
        _c("language", S, "Preferred language, e.g. en, fr (survey pages use it).",
           normalize="lower"),
        _c("surveys_opt_out", B, "The customer asked not to be surveyed; never invited."),
    ),
    key=("customer_id",),
    time_order=(("acquired_at", "churned_at"),),
    time_column="acquired_at",
    personal=redact(by("customer"), *(Redaction(c, None) for c in (
        "email", "phone", "age_group", "gender")), Redaction("surveys_opt_out", True)),
)

ORDERS = Table(
    "orders",
    "One row per order.",
    (
        _c("order_id", S, "Unique order id.", required=True),
        _c("customer_id", S, "Who ordered.", references="customers.customer_id"),
        _c("ordered_at", T, "When the order was placed.", required=True),
        _c("amount", F, "Order value in its currency.", required=True, minimum=0),
        _c("currency", S, "ISO 4217 currency code.", default="USD"),
        _c("channel", S, "Where it was ordered.", enum=("online", "store")),
        _c("status", S, "Order status.", enum=("completed", "refunded", "cancelled"),
           default="completed"),
    ),
    key=("order_id",),
    time_column="ordered_at",
    personal=keep("amounts and dates only, kept for revenue figures (and bookkeeping); "
                  "customer_id stays a pseudonym whose customers row is emptied"),
)

CARTS = Table(
    "carts",
    "One row per shopping cart.",
    (
        _c("cart_id", S, "Unique cart id.", required=True),
        _c("customer_id", S, "Owner, when known.", references="customers.customer_id"),
        _c("session_id", S, "Web session it was created in.",
           references="web_sessions.session_id"),
        _c("created_at", T, "When the cart was created.", required=True),
        _c("order_id", S, "Order it became; empty when abandoned.", references="orders.order_id"),
    ),
    key=("cart_id",),
    time_column="created_at",
    personal=keep("ids and times only; customer_id stays a pseudonym whose customers row "
                  "is emptied"),
)

WEB_SESSIONS = Table(
    "web_sessions",
    "One row per website or app session.",
    (
        _c("session_id", S, "Unique session id.", required=True),
        _c("visitor_id", S, "Anonymous visitor id (cookie or device).", required=True),
        _c("customer_id", S, "Customer, when logged in.", references="customers.customer_id"),
        _c("started_at", T, "Session start.", required=True),
        _c("source", S, "Traffic source.",
           enum=("organic", "direct", "referral", "paid", "social", "email")),
    ),
    key=("session_id",),
    time_column="started_at",
    personal=keep("a random cookie id, times and the traffic source; customer_id stays a "
                  "pseudonym whose customers row is emptied"),
)

STORE_VISITS = Table(
    "store_visits",
    "One row per visit to a physical store.",
    (
        _c("visit_id", S, "Unique visit id.", required=True),
        _c("store", S, "Store name or code.", required=True),
        _c("visited_at", T, "When the visit happened.", required=True),
        _c("customer_id", S, "Visitor, when known.", references="customers.customer_id"),
        _c("order_id", S, "Purchase made during the visit; empty if none.",
           references="orders.order_id"),
    ),
    key=("visit_id",),
    time_column="visited_at",
    personal=keep("store, time and ids only; customer_id stays a pseudonym whose customers "
                  "row is emptied"),
)

MENTIONS = Table(
    "mentions",
    "Social listening: one row per public mention of a tracked brand (ours or a competitor's).",
    (
        _c("mention_id", S, "Unique mention id.", required=True),
        _c("brand", S, "Brand mentioned.", required=True),
        _c("source", S, "Where it was posted (twitter, reddit, reviews, ...).", normalize="lower"),
        _c("posted_at", T, "When it was posted.", required=True),
        _c("text", S, "The mention's text."),
        _c("author", S, "Author handle."),
        _c("sentiment", S, "Sentiment; computed from text when absent.",
           enum=("positive", "neutral", "negative")),
        _c("sentiment_source", S, "Where the sentiment came from, set by the import: given "
           "(in the imported file) or the model that computed it from the text (vader, "
           "trained); only given labels are evidence when models are compared. Blank for "
           "mentions imported before it was recorded (counted as given)."),
    ),
    key=("mention_id",),
    time_column="posted_at",
    personal=redact((by("mention", "text"), by("mention", "author")), "text", "author"),
)

QA_REVIEWS = Table(
    "qa_reviews",
    "Quality reviews: one row per scored criterion of a review.",
    (
        _c("review_id", S, "Review this criterion belongs to.", required=True),
        _c("interaction_id", S, "Interaction reviewed.", required=True,
           references="interactions.interaction_id"),
        _c("scorecard", S, "Scorecard used (e.g. process_compliance).", required=True,
           normalize="lower"),
        _c("criterion", S, "Criterion scored.", required=True, normalize="lower"),
        _c("score", F, "Score given (empty when not applicable)."),
        _c("min_score", F, "Lowest score of the criterion's scale.", default=0),
        _c("max_score", F, "Highest score of the criterion's scale.", required=True),
        _c("weight", F, "Weight of the criterion in the review score.", default=1, minimum=0),
        _c("critical", B, "A failed critical criterion sets the review score to 0.",
           default=False),
        _c("not_applicable", B, "Criterion did not apply (excluded from the score).",
           default=False),
        _c("reviewer", S, "Who reviewed."),
        _c("reviewed_at", T, "When the review was done.", required=True),
    ),
    key=("review_id", "criterion"),
    time_column="reviewed_at",
    personal=keep("scores of the agents' work: criteria, scores and reviewers, no text about "
                  "the customer (quality scores must not change)"),
)

CASE_STATUSES = ("open", "contacted", "resolved", "unreachable")
FOLLOWUP_CASES = Table(
    "followup_cases",
    "Closed-loop follow-up cases: one per unhappy survey answer that a rule flagged.",
    (
        _c("case_id", S, "Unique case id.", required=True),
        _c("response_id", S, "The answer that opened it.",
           references="survey_responses.response_id"),
        _c("rule", S, "The case rule that matched (e.g. nps-detractor, keywords)."),
        _c("survey", S, "Survey of that answer.", normalize="lower"),
        _c("score", INT, "Its score."),
        _c("customer_id", S, "Who to follow up with.", references="customers.customer_id"),
        _c("interaction_id", S, "Interaction the answer was about.",
           references="interactions.interaction_id"),
        _c("vendor", S, "Vendor credited with the answer (snapshot)."),
        _c("site", S, "Site (snapshot)."),
        _c("team", S, "Team (snapshot)."),
        _c("agent_id", S, "Agent (snapshot)."),
        _c("owner", S, "Who must follow up now."),
        _c("escalation_level", INT, "0 for the first owner, +1 per escalation.", minimum=0,
           default=0),
        _c("status", S, "open, contacted, resolved or unreachable.", enum=CASE_STATUSES,
           default="open"),
        _c("opened_at", T, "When the case opened.", required=True),
        _c("due_at", T, "When the current owner must have contacted the customer."),
        _c("reminded_at", T, "When the owner was last reminded."),
        _c("overdue_at", T, "When it first went overdue (then escalated)."),
        _c("first_contact_at", T, "First follow-up with the customer."),
        _c("closed_at", T, "When it was resolved or marked unreachable."),
        _c("root_cause", S, "Root-cause code chosen by the owner.", normalize="lower"),
        _c("outcome", S, "What was done / agreed."),
        _c("recovery_response_id", S, "The customer's next answer to the same survey.",
           references="survey_responses.response_id"),
        _c("recovery_score", INT, "Its score."),
        _c("recovered", B, "That next answer is outside the band that opened the case "
           "(an NPS detractor became passive or promoter)."),
    ),
    key=("case_id",),
    time_order=(("opened_at", "first_contact_at"), ("opened_at", "closed_at")),
    time_column="opened_at",
    personal=delete(by("customer")),
)

TRANSCRIPT_TURNS = Table(
    "transcript_turns",
    "Conversation transcripts: one row per turn of a chat, e-mail thread or call (optional; "
    "AutoQA checks them, docs/autoqa.md).",
    (
        _c("interaction_id", S, "Interaction the turn belongs to.", required=True,
           references="interactions.interaction_id"),
        _c("turn", INT, "Position of the turn in the conversation (0, 1, 2, ...).",
           required=True, minimum=0),
        _c("speaker", S, "Who spoke or wrote: the agent, the customer, or the system (bot, "
           "IVR, automatic messages).", required=True, enum=SPEAKERS, normalize="lower"),
        _c("spoken_at", T, "When the turn was said or sent (chats and e-mails)."),
        _c("offset_seconds", F, "Seconds from the start of the conversation (call "
           "transcripts); derived from spoken_at when absent.", minimum=0, unit="seconds"),
        _c("text", S, "What was said or written."),
    ),
    key=("interaction_id", "turn"),
    time_column="spoken_at",
    notes=("A conversation with no rows here has no transcript; AutoQA skips it.",),
    personal=delete(by("interaction")),
)

INITIATIVES = Table(
    "initiatives",
    "CX improvement initiatives whose impact is measured against a baseline.",
    (
        _c("initiative_id", S, "Unique initiative id.", required=True),
        _c("name", S, "What was done.", required=True),
        _c("started_at", T, "When it started.", required=True),
        _c("ended_at", T, "When it ended (empty while running)."),
        _c("scope", S, "Filter on interactions it applies to, e.g. vendor = 'Acme BPO'; "
           "empty = everything."),
    ),
    key=("initiative_id",),
    time_order=(("started_at", "ended_at"),),
    time_column="started_at",
    personal=keep("about the operation (names, dates, scopes), not about customers"),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        INTERACTIONS, SURVEY_RESPONSES, SURVEY_INVITATIONS, CUSTOMERS, ORDERS, CARTS,
        WEB_SESSIONS, STORE_VISITS, MENTIONS, QA_REVIEWS, INITIATIVES, FOLLOWUP_CASES,
        TRANSCRIPT_TURNS,
    )
}


def table(name: str) -> Table:
    """Look a canonical table up by name, with a "did you mean" when it is misspelt."""
    try:
        return TABLES[name]
    except KeyError:
        raise NotFound(
            f'there is no table "{name}".{did_you_mean(name, TABLES)}',
            f"tables: {', '.join(TABLES)}",
        ) from None
