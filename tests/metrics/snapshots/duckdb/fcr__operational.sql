SELECT
  "t4"."vendor",
  "t4"."period",
  SUM(CASE WHEN "t4"."created_at" IS NOT NULL THEN 1 ELSE 0 END) AS "n",
  SUM(
    CASE
      WHEN (
        "t4"."created_at" IS NOT NULL
      )
      AND COALESCE(
        "t4"."resolved"
        AND (
          COALESCE("t4"."reopen_count", 0) = 0
        )
        AND (
          (
            "t4"."next_contact_at" IS NULL
          )
          OR (
            (
              EPOCH("t4"."next_contact_at") - EPOCH("t4"."created_at")
            ) > (
              7 * 86400
            )
          )
        ),
        FALSE
      )
      THEN 1
      ELSE 0
    END
  ) AS "k"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t2"."interaction_id",
      "t2"."customer_id",
      "t2"."channel",
      "t2"."direction",
      "t2"."vendor",
      "t2"."site",
      "t2"."team",
      "t2"."agent_id",
      "t2"."queue",
      "t2"."category",
      "t2"."product",
      "t2"."priority",
      "t2"."language",
      "t2"."created_at",
      "t2"."answered_at",
      "t2"."abandoned_at",
      "t2"."first_response_at",
      "t2"."resolved_at",
      "t2"."closed_at",
      "t2"."reopen_count",
      "t2"."agent_replies",
      "t2"."talk_seconds",
      "t2"."hold_seconds",
      "t2"."wrap_seconds",
      "t2"."escalated",
      "t2"."escalation_tier",
      "t2"."escalated_at",
      "t2"."escalation_accepted_at",
      "t2"."escalation_summary",
      "t2"."resolved",
      "t2"."upsell",
      "t2"."cross_sell",
      "t2"."policy_denial",
      "t2"."complexity",
      "t2"."next_contact_at",
      DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US("t2"."created_at"))) AS "period"
    FROM (
      SELECT
        *
      FROM (
        SELECT
          "t0"."interaction_id",
          "t0"."customer_id",
          "t0"."channel",
          "t0"."direction",
          "t0"."vendor",
          "t0"."site",
          "t0"."team",
          "t0"."agent_id",
          "t0"."queue",
          "t0"."category",
          "t0"."product",
          "t0"."priority",
          "t0"."language",
          "t0"."created_at",
          "t0"."answered_at",
          "t0"."abandoned_at",
          "t0"."first_response_at",
          "t0"."resolved_at",
          "t0"."closed_at",
          "t0"."reopen_count",
          "t0"."agent_replies",
          "t0"."talk_seconds",
          "t0"."hold_seconds",
          "t0"."wrap_seconds",
          "t0"."escalated",
          "t0"."escalation_tier",
          "t0"."escalated_at",
          "t0"."escalation_accepted_at",
          "t0"."escalation_summary",
          "t0"."resolved",
          "t0"."upsell",
          "t0"."cross_sell",
          "t0"."policy_denial",
          "t0"."complexity",
          LEAD("t0"."created_at") OVER (
            PARTITION BY "t0"."customer_id"
            ORDER BY "t0"."created_at" ASC, "t0"."interaction_id" ASC
            ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
          ) AS "next_contact_at"
        FROM "interactions" AS "t0"
      ) AS "t1"
      WHERE
        "t1"."created_at" IS NOT NULL
    ) AS "t2"
  ) AS "t3"
  WHERE
    COALESCE("t3"."customer_id" IS NOT NULL, FALSE)
    AND COALESCE("t3"."abandoned_at" IS NULL, FALSE)
    AND COALESCE("t3"."resolved" IS NOT NULL, FALSE)
) AS "t4"
GROUP BY
  1,
  2
