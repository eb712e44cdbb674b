SELECT
  "t4".*
  EXCLUDE ("_xs")
FROM (
  SELECT
    "t3"."period",
    "t3"."_xs",
    COALESCE(ARRAY_LENGTH("t3"."_xs"), 0) AS "n",
    LIST_EXTRACT(
      "t3"."_xs",
      (
        GREATEST(
          LEAST(
            CAST(FLOOR((
              CAST(COALESCE(ARRAY_LENGTH("t3"."_xs"), 0) AS DOUBLE) + 1
            ) / 2) AS BIGINT),
            COALESCE(ARRAY_LENGTH("t3"."_xs"), 0)
          ),
          1
        ) - 1
      ) + CAST((
        GREATEST(
          LEAST(
            CAST(FLOOR((
              CAST(COALESCE(ARRAY_LENGTH("t3"."_xs"), 0) AS DOUBLE) + 1
            ) / 2) AS BIGINT),
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
            CAST(CEIL((
              CAST(COALESCE(ARRAY_LENGTH("t3"."_xs"), 0) AS DOUBLE) + 1
            ) / 2) AS BIGINT),
            COALESCE(ARRAY_LENGTH("t3"."_xs"), 0)
          ),
          1
        ) - 1
      ) + CAST((
        GREATEST(
          LEAST(
            CAST(CEIL((
              CAST(COALESCE(ARRAY_LENGTH("t3"."_xs"), 0) AS DOUBLE) + 1
            ) / 2) AS BIGINT),
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
                  CAST(COALESCE(ARRAY_LENGTH("t3"."_xs"), 0) AS DOUBLE) * 0.5
                ) - (
                  SQRT(CAST(COALESCE(ARRAY_LENGTH("t3"."_xs"), 0) AS DOUBLE) * 0.5 * 0.5) * 1.959963984540054
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
                  CAST(COALESCE(ARRAY_LENGTH("t3"."_xs"), 0) AS DOUBLE) * 0.5
                ) - (
                  SQRT(CAST(COALESCE(ARRAY_LENGTH("t3"."_xs"), 0) AS DOUBLE) * 0.5 * 0.5) * 1.959963984540054
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
                CAST(COALESCE(ARRAY_LENGTH("t3"."_xs"), 0) AS DOUBLE) * 0.5
              ) + (
                SQRT(CAST(COALESCE(ARRAY_LENGTH("t3"."_xs"), 0) AS DOUBLE) * 0.5 * 0.5) * 1.959963984540054
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
                CAST(COALESCE(ARRAY_LENGTH("t3"."_xs"), 0) AS DOUBLE) * 0.5
              ) + (
                SQRT(CAST(COALESCE(ARRAY_LENGTH("t3"."_xs"), 0) AS DOUBLE) * 0.5 * 0.5) * 1.959963984540054
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
      "t2"."period",
      LIST_SORT(
        ARRAY_AGG(EPOCH("t2"."first_contact_at") - EPOCH("t2"."opened_at")) FILTER(WHERE
          (
            EPOCH("t2"."first_contact_at") - EPOCH("t2"."opened_at")
          ) IS NOT NULL
          AND (
            "t2"."opened_at" IS NOT NULL
          )
          AND (
            (
              EPOCH("t2"."first_contact_at") - EPOCH("t2"."opened_at")
            ) IS NOT NULL
          ))
      ) AS "_xs"
    FROM (
      SELECT
        "t1"."case_id",
        "t1"."response_id",
        "t1"."rule",
        "t1"."survey",
        "t1"."score",
        "t1"."customer_id",
        "t1"."interaction_id",
        "t1"."vendor",
        "t1"."site",
        "t1"."team",
        "t1"."agent_id",
        "t1"."owner",
        "t1"."escalation_level",
        "t1"."status",
        "t1"."opened_at",
        "t1"."due_at",
        "t1"."reminded_at",
        "t1"."overdue_at",
        "t1"."first_contact_at",
        "t1"."closed_at",
        "t1"."root_cause",
        "t1"."outcome",
        "t1"."recovery_response_id",
        "t1"."recovery_score",
        "t1"."recovered",
        DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US("t1"."opened_at"))) AS "period"
      FROM (
        SELECT
          *
        FROM "followup_cases" AS "t0"
        WHERE
          "t0"."opened_at" IS NOT NULL
      ) AS "t1"
    ) AS "t2"
    GROUP BY
      1
  ) AS "t3"
) AS "t4"
