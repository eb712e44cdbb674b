SELECT
  "t13"."vendor",
  "t13"."period",
  MAX("t13"."_n") AS "n",
  MAX(
    CASE
      WHEN CAST("t13"."_rn" AS DOUBLE PRECISION) = GREATEST(
        LEAST(
          CAST(FLOOR(CAST((
            CAST("t13"."_n" AS DOUBLE PRECISION) + 1
          ) AS DOUBLE PRECISION) / 2) AS BIGINT),
          CAST("t13"."_n" AS DOUBLE PRECISION)
        ),
        1
      )
      THEN "t13"."_x"
      ELSE NULL
    END
  ) AS "q_lo",
  MAX(
    CASE
      WHEN CAST("t13"."_rn" AS DOUBLE PRECISION) = GREATEST(
        LEAST(
          CAST(CEIL(CAST((
            CAST("t13"."_n" AS DOUBLE PRECISION) + 1
          ) AS DOUBLE PRECISION) / 2) AS BIGINT),
          CAST("t13"."_n" AS DOUBLE PRECISION)
        ),
        1
      )
      THEN "t13"."_x"
      ELSE NULL
    END
  ) AS "q_hi",
  MAX(
    CASE
      WHEN CAST("t13"."_rn" AS DOUBLE PRECISION) = GREATEST(
        LEAST(
          CAST(FLOOR(
            (
              (
                CAST("t13"."_n" AS DOUBLE PRECISION) * 0.5
              ) - (
                SQRT(CAST("t13"."_n" AS DOUBLE PRECISION) * 0.5 * 0.5) * 1.959963984540054
              )
            ) + 0.5
          ) AS BIGINT),
          CAST("t13"."_n" AS DOUBLE PRECISION)
        ),
        1
      )
      THEN "t13"."_x"
      ELSE NULL
    END
  ) AS "ci_lo",
  MAX(
    CASE
      WHEN CAST("t13"."_rn" AS DOUBLE PRECISION) = GREATEST(
        LEAST(
          CAST(CEIL(
            (
              CAST("t13"."_n" AS DOUBLE PRECISION) * 0.5
            ) + (
              SQRT(CAST("t13"."_n" AS DOUBLE PRECISION) * 0.5 * 0.5) * 1.959963984540054
            ) + 0.5
          ) AS BIGINT),
          CAST("t13"."_n" AS DOUBLE PRECISION)
        ),
        1
      )
      THEN "t13"."_x"
      ELSE NULL
    END
  ) AS "ci_hi"
FROM (
  SELECT
    "t12"."vendor",
    "t12"."period",
    "t12"."_x",
    (
      ROW_NUMBER() OVER (
        PARTITION BY "t12"."vendor", "t12"."period"
        ORDER BY "t12"."_x" ASC
        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
      ) - 1
    ) + 1 AS "_rn",
    COUNT("t12"."_x") OVER (
      PARTITION BY "t12"."vendor", "t12"."period"
      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
    ) AS "_n"
  FROM (
    SELECT
      "t11"."vendor",
      "t11"."period",
      (
        "t11"."_ce" + GREATEST(
          LEAST(
            (
              CAST(EXTRACT('epoch' FROM "t11"."first_response_at") AS DOUBLE PRECISION) - CAST(EXTRACT('epoch' FROM "t11"."_he") AS DOUBLE PRECISION)
            ) - "t11"."_fe",
            "t11"."_te" - "t11"."_fe"
          ),
          0
        )
      ) - "t11"."_bs" AS "_x"
    FROM (
      SELECT
        "t10"."interaction_id",
        "t10"."customer_id",
        "t10"."channel",
        "t10"."direction",
        "t10"."vendor",
        "t10"."site",
        "t10"."team",
        "t10"."agent_id",
        "t10"."queue",
        "t10"."category",
        "t10"."product",
        "t10"."priority",
        "t10"."language",
        "t10"."created_at",
        "t10"."answered_at",
        "t10"."abandoned_at",
        "t10"."first_response_at",
        "t10"."resolved_at",
        "t10"."closed_at",
        "t10"."reopen_count",
        "t10"."agent_replies",
        "t10"."talk_seconds",
        "t10"."hold_seconds",
        "t10"."wrap_seconds",
        "t10"."escalated",
        "t10"."escalation_tier",
        "t10"."escalated_at",
        "t10"."escalation_accepted_at",
        "t10"."escalation_summary",
        "t10"."resolved",
        "t10"."upsell",
        "t10"."cross_sell",
        "t10"."policy_denial",
        "t10"."complexity",
        "t10"."period",
        "t10"."_hs",
        "t10"."_js",
        "t10"."_cs",
        "t10"."_fs",
        "t10"."_ts",
        "t10"."_bs",
        "t10"."_he",
        "t4"."_je",
        "t4"."_ce",
        "t4"."_fe",
        "t4"."_te"
      FROM (
        SELECT
          "t8"."interaction_id",
          "t8"."customer_id",
          "t8"."channel",
          "t8"."direction",
          "t8"."vendor",
          "t8"."site",
          "t8"."team",
          "t8"."agent_id",
          "t8"."queue",
          "t8"."category",
          "t8"."product",
          "t8"."priority",
          "t8"."language",
          "t8"."created_at",
          "t8"."answered_at",
          "t8"."abandoned_at",
          "t8"."first_response_at",
          "t8"."resolved_at",
          "t8"."closed_at",
          "t8"."reopen_count",
          "t8"."agent_replies",
          "t8"."talk_seconds",
          "t8"."hold_seconds",
          "t8"."wrap_seconds",
          "t8"."escalated",
          "t8"."escalation_tier",
          "t8"."escalated_at",
          "t8"."escalation_accepted_at",
          "t8"."escalation_summary",
          "t8"."resolved",
          "t8"."upsell",
          "t8"."cross_sell",
          "t8"."policy_denial",
          "t8"."complexity",
          "t8"."period",
          "t8"."_hs",
          "t8"."_js",
          "t8"."_cs",
          "t8"."_fs",
          "t8"."_ts",
          "t8"."_cs" + GREATEST(
            LEAST(
              (
                CAST(EXTRACT('epoch' FROM "t8"."created_at") AS DOUBLE PRECISION) - CAST(EXTRACT('epoch' FROM "t8"."_hs") AS DOUBLE PRECISION)
              ) - "t8"."_fs",
              "t8"."_ts" - "t8"."_fs"
            ),
            0
          ) AS "_bs",
          DATE_TRUNC('HOUR', "t8"."first_response_at") AS "_he"
        FROM (
          SELECT
            "t7"."interaction_id",
            "t7"."customer_id",
            "t7"."channel",
            "t7"."direction",
            "t7"."vendor",
            "t7"."site",
            "t7"."team",
            "t7"."agent_id",
            "t7"."queue",
            "t7"."category",
            "t7"."product",
            "t7"."priority",
            "t7"."language",
            "t7"."created_at",
            "t7"."answered_at",
            "t7"."abandoned_at",
            "t7"."first_response_at",
            "t7"."resolved_at",
            "t7"."closed_at",
            "t7"."reopen_count",
            "t7"."agent_replies",
            "t7"."talk_seconds",
            "t7"."hold_seconds",
            "t7"."wrap_seconds",
            "t7"."escalated",
            "t7"."escalation_tier",
            "t7"."escalated_at",
            "t7"."escalation_accepted_at",
            "t7"."escalation_summary",
            "t7"."resolved",
            "t7"."upsell",
            "t7"."cross_sell",
            "t7"."policy_denial",
            "t7"."complexity",
            "t7"."period",
            "t7"."_hs",
            "t5"."_js",
            "t5"."_cs",
            "t5"."_fs",
            "t5"."_ts"
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
              DATE_TRUNC('MONTH', "t1"."created_at") AS "period",
              DATE_TRUNC('HOUR', "t1"."created_at") AS "_hs"
            FROM "interactions" AS "t1"
            WHERE
              "t1"."created_at" IS NOT NULL AND "t1"."first_response_at" IS NOT NULL
          ) AS "t7"
          LEFT OUTER JOIN (
            SELECT
              "t0"."hour" AS "_js",
              "t0"."cum" AS "_cs",
              "t0"."open_from" AS "_fs",
              "t0"."open_to" AS "_ts"
            FROM "ibis_pandas_memtable" AS "t0"
          ) AS "t5"
            ON "t7"."_hs" = "t5"."_js"
        ) AS "t8"
      ) AS "t10"
      LEFT OUTER JOIN (
        SELECT
          "t0"."hour" AS "_je",
          "t0"."cum" AS "_ce",
          "t0"."open_from" AS "_fe",
          "t0"."open_to" AS "_te"
        FROM "ibis_pandas_memtable" AS "t0"
      ) AS "t4"
        ON "t10"."_he" = "t4"."_je"
    ) AS "t11"
    WHERE
      "t11"."created_at" IS NOT NULL
  ) AS "t12"
) AS "t13"
GROUP BY
  1,
  2
