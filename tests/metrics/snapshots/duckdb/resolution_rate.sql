SELECT
  "t3"."vendor",
  "t3"."period",
  SUM(CASE WHEN "t3"."created_at" IS NOT NULL THEN 1 ELSE 0 END) AS "n",
  SUM(
    CASE
      WHEN (
        "t3"."created_at" IS NOT NULL
      ) AND COALESCE("t3"."resolved", FALSE)
      THEN 1
      ELSE 0
    END
  ) AS "k"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t1"."interaction_id",
      "t1"."customer_id",
      "t1"."channel",
      "t1"."direction",
      "t1"."vendor",
      "t1"."site",
      "t1"."team",
      "t1"."agent_id",
      "t1"."queue",
      "t1"."category",
      "t1"."product",
      "t1"."priority",
      "t1"."language",
      "t1"."created_at",
      "t1"."answered_at",
      "t1"."abandoned_at",
      "t1"."first_response_at",
      "t1"."resolved_at",
      "t1"."closed_at",
      "t1"."reopen_count",
      "t1"."agent_replies",
      "t1"."talk_seconds",
      "t1"."hold_seconds",
      "t1"."wrap_seconds",
      "t1"."escalated",
      "t1"."escalation_tier",
      "t1"."escalated_at",
      "t1"."escalation_accepted_at",
      "t1"."escalation_summary",
      "t1"."resolved",
      "t1"."upsell",
      "t1"."cross_sell",
      "t1"."policy_denial",
      "t1"."complexity",
      DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US("t1"."created_at"))) AS "period"
    FROM (
      SELECT
        *
      FROM "interactions" AS "t0"
      WHERE
        "t0"."created_at" IS NOT NULL
    ) AS "t1"
  ) AS "t2"
  WHERE
    COALESCE("t2"."abandoned_at" IS NULL, FALSE)
    AND COALESCE("t2"."resolved" IS NOT NULL, FALSE)
) AS "t3"
GROUP BY
  1,
  2
