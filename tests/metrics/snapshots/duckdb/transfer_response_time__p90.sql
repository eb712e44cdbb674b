SELECT
  "t5"."vendor",
  "t5"."period",
  MAX("t5"."_n") AS "n",
  MAX(
    CASE
      WHEN CAST("t5"."_rn" AS DOUBLE) = GREATEST(
        LEAST(CAST(CEIL(CAST("t5"."_n" AS DOUBLE) * 0.9) AS BIGINT), CAST("t5"."_n" AS DOUBLE)),
        1
      )
      THEN "t5"."_x"
      ELSE NULL
    END
  ) AS "q_lo",
  MAX(
    CASE
      WHEN CAST("t5"."_rn" AS DOUBLE) = GREATEST(
        LEAST(CAST(CEIL(CAST("t5"."_n" AS DOUBLE) * 0.9) AS BIGINT), CAST("t5"."_n" AS DOUBLE)),
        1
      )
      THEN "t5"."_x"
      ELSE NULL
    END
  ) AS "q_hi",
  MAX(
    CASE
      WHEN CAST("t5"."_rn" AS DOUBLE) = GREATEST(
        LEAST(
          CAST(FLOOR(
            (
              (
                CAST("t5"."_n" AS DOUBLE) * 0.9
              ) - (
                SQRT(CAST("t5"."_n" AS DOUBLE) * 0.9 * 0.09999999999999998) * 1.959963984540054
              )
            ) + 0.5
          ) AS BIGINT),
          CAST("t5"."_n" AS DOUBLE)
        ),
        1
      )
      THEN "t5"."_x"
      ELSE NULL
    END
  ) AS "ci_lo",
  MAX(
    CASE
      WHEN CAST("t5"."_rn" AS DOUBLE) = GREATEST(
        LEAST(
          CAST(CEIL(
            (
              CAST("t5"."_n" AS DOUBLE) * 0.9
            ) + (
              SQRT(CAST("t5"."_n" AS DOUBLE) * 0.9 * 0.09999999999999998) * 1.959963984540054
            ) + 0.5
          ) AS BIGINT),
          CAST("t5"."_n" AS DOUBLE)
        ),
        1
      )
      THEN "t5"."_x"
      ELSE NULL
    END
  ) AS "ci_hi"
FROM (
  SELECT
    "t4"."vendor",
    "t4"."period",
    "t4"."_x",
    (
      ROW_NUMBER() OVER (
        PARTITION BY "t4"."vendor", "t4"."period"
        ORDER BY "t4"."_x" ASC
        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
      ) - 1
    ) + 1 AS "_rn",
    COUNT("t4"."_x") OVER (
      PARTITION BY "t4"."vendor", "t4"."period"
      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
    ) AS "_n"
  FROM (
    SELECT
      "t3"."vendor",
      "t3"."period",
      EPOCH("t3"."escalation_accepted_at") - EPOCH("t3"."escalated_at") AS "_x"
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
          DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US("t1"."escalated_at"))) AS "period"
        FROM (
          SELECT
            *
          FROM "interactions" AS "t0"
          WHERE
            "t0"."escalated_at" IS NOT NULL
        ) AS "t1"
      ) AS "t2"
      WHERE
        "t2"."escalated_at" IS NOT NULL
        AND (
          EPOCH("t2"."escalation_accepted_at") - EPOCH("t2"."escalated_at")
        ) IS NOT NULL
    ) AS "t3"
  ) AS "t4"
) AS "t5"
GROUP BY
  1,
  2
