SELECT
  "t4".*
  EXCLUDE ("_xs")
FROM (
  SELECT
    "t3"."vendor",
    "t3"."period",
    "t3"."_xs",
    COALESCE(ARRAY_LENGTH("t3"."_xs"), 0) AS "n",
    LIST_EXTRACT(
      "t3"."_xs",
      (
        GREATEST(
          LEAST(
            CAST(CEIL(CAST(COALESCE(ARRAY_LENGTH("t3"."_xs"), 0) AS DOUBLE) * 0.9) AS BIGINT),
            COALESCE(ARRAY_LENGTH("t3"."_xs"), 0)
          ),
          1
        ) - 1
      ) + CAST((
        GREATEST(
          LEAST(
            CAST(CEIL(CAST(COALESCE(ARRAY_LENGTH("t3"."_xs"), 0) AS DOUBLE) * 0.9) AS BIGINT),
            COALESCE(ARRAY_LENGTH("t3"."_xs"), 0)
          ),
          1
        ) - 1
      ) >= 0 AS BIGINT)
    ) AS "q_lo",
    LIST_EXTRACT(
      "t3"."_xs",
      (
        GREATEST(
          LEAST(
            CAST(CEIL(CAST(COALESCE(ARRAY_LENGTH("t3"."_xs"), 0) AS DOUBLE) * 0.9) AS BIGINT),
            COALESCE(ARRAY_LENGTH("t3"."_xs"), 0)
          ),
          1
        ) - 1
      ) + CAST((
        GREATEST(
          LEAST(
            CAST(CEIL(CAST(COALESCE(ARRAY_LENGTH("t3"."_xs"), 0) AS DOUBLE) * 0.9) AS BIGINT),
            COALESCE(ARRAY_LENGTH("t3"."_xs"), 0)
          ),
          1
        ) - 1
      ) >= 0 AS BIGINT)
    ) AS "q_hi",
    LIST_EXTRACT(
      "t3"."_xs",
      (
        GREATEST(
          LEAST(
            CAST(FLOOR(
              (
                (
                  CAST(COALESCE(ARRAY_LENGTH("t3"."_xs"), 0) AS DOUBLE) * 0.9
                ) - (
                  SQRT(
                    CAST(COALESCE(ARRAY_LENGTH("t3"."_xs"), 0) AS DOUBLE) * 0.9 * 0.09999999999999998
                  ) * 1.959963984540054
                )
              ) + 0.5
            ) AS BIGINT),
            COALESCE(ARRAY_LENGTH("t3"."_xs"), 0)
          ),
          1
        ) - 1
      ) + CAST((
        GREATEST(
          LEAST(
            CAST(FLOOR(
              (
                (
                  CAST(COALESCE(ARRAY_LENGTH("t3"."_xs"), 0) AS DOUBLE) * 0.9
                ) - (
                  SQRT(
                    CAST(COALESCE(ARRAY_LENGTH("t3"."_xs"), 0) AS DOUBLE) * 0.9 * 0.09999999999999998
                  ) * 1.959963984540054
                )
              ) + 0.5
            ) AS BIGINT),
            COALESCE(ARRAY_LENGTH("t3"."_xs"), 0)
          ),
          1
        ) - 1
      ) >= 0 AS BIGINT)
    ) AS "ci_lo",
    LIST_EXTRACT(
      "t3"."_xs",
      (
        GREATEST(
          LEAST(
            CAST(CEIL(
              (
                CAST(COALESCE(ARRAY_LENGTH("t3"."_xs"), 0) AS DOUBLE) * 0.9
              ) + (
                SQRT(
                  CAST(COALESCE(ARRAY_LENGTH("t3"."_xs"), 0) AS DOUBLE) * 0.9 * 0.09999999999999998
                ) * 1.959963984540054
              ) + 0.5
            ) AS BIGINT),
            COALESCE(ARRAY_LENGTH("t3"."_xs"), 0)
          ),
          1
        ) - 1
      ) + CAST((
        GREATEST(
          LEAST(
            CAST(CEIL(
              (
                CAST(COALESCE(ARRAY_LENGTH("t3"."_xs"), 0) AS DOUBLE) * 0.9
              ) + (
                SQRT(
                  CAST(COALESCE(ARRAY_LENGTH("t3"."_xs"), 0) AS DOUBLE) * 0.9 * 0.09999999999999998
                ) * 1.959963984540054
              ) + 0.5
            ) AS BIGINT),
            COALESCE(ARRAY_LENGTH("t3"."_xs"), 0)
          ),
          1
        ) - 1
      ) >= 0 AS BIGINT)
    ) AS "ci_hi"
  FROM (
    SELECT
      "t2"."vendor",
      "t2"."period",
      LIST_SORT(
        ARRAY_AGG(EPOCH("t2"."resolved_at") - EPOCH("t2"."created_at")) FILTER(WHERE
          (
            EPOCH("t2"."resolved_at") - EPOCH("t2"."created_at")
          ) IS NOT NULL
          AND (
            "t2"."created_at" IS NOT NULL
          )
          AND (
            (
              EPOCH("t2"."resolved_at") - EPOCH("t2"."created_at")
            ) IS NOT NULL
          ))
      ) AS "_xs"
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
    GROUP BY
      1,
      2
  ) AS "t3"
) AS "t4"
