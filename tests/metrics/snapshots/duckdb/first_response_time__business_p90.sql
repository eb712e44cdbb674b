SELECT
  "t19".*
  EXCLUDE ("_xs")
FROM (
  SELECT
    "t18"."vendor",
    "t18"."period",
    "t18"."_xs",
    COALESCE(ARRAY_LENGTH("t18"."_xs"), 0) AS "n",
    LIST_EXTRACT(
      "t18"."_xs",
      (
        GREATEST(
          LEAST(
            CAST(CEIL(CAST(COALESCE(ARRAY_LENGTH("t18"."_xs"), 0) AS DOUBLE) * 0.9) AS BIGINT),
            COALESCE(ARRAY_LENGTH("t18"."_xs"), 0)
          ),
          1
        ) - 1
      ) + CAST((
        GREATEST(
          LEAST(
            CAST(CEIL(CAST(COALESCE(ARRAY_LENGTH("t18"."_xs"), 0) AS DOUBLE) * 0.9) AS BIGINT),
            COALESCE(ARRAY_LENGTH("t18"."_xs"), 0)
          ),
          1
        ) - 1
      ) >= 0 AS BIGINT)
    ) AS "q_lo",
    LIST_EXTRACT(
      "t18"."_xs",
      (
        GREATEST(
          LEAST(
            CAST(CEIL(CAST(COALESCE(ARRAY_LENGTH("t18"."_xs"), 0) AS DOUBLE) * 0.9) AS BIGINT),
            COALESCE(ARRAY_LENGTH("t18"."_xs"), 0)
          ),
          1
        ) - 1
      ) + CAST((
        GREATEST(
          LEAST(
            CAST(CEIL(CAST(COALESCE(ARRAY_LENGTH("t18"."_xs"), 0) AS DOUBLE) * 0.9) AS BIGINT),
            COALESCE(ARRAY_LENGTH("t18"."_xs"), 0)
          ),
          1
        ) - 1
      ) >= 0 AS BIGINT)
    ) AS "q_hi",
    LIST_EXTRACT(
      "t18"."_xs",
      (
        GREATEST(
          LEAST(
            CAST(FLOOR(
              (
                (
                  CAST(COALESCE(ARRAY_LENGTH("t18"."_xs"), 0) AS DOUBLE) * 0.9
                ) - (
                  SQRT(
                    CAST(COALESCE(ARRAY_LENGTH("t18"."_xs"), 0) AS DOUBLE) * 0.9 * 0.09999999999999998
                  ) * 1.959963984540054
                )
              ) + 0.5
            ) AS BIGINT),
            COALESCE(ARRAY_LENGTH("t18"."_xs"), 0)
          ),
          1
        ) - 1
      ) + CAST((
        GREATEST(
          LEAST(
            CAST(FLOOR(
              (
                (
                  CAST(COALESCE(ARRAY_LENGTH("t18"."_xs"), 0) AS DOUBLE) * 0.9
                ) - (
                  SQRT(
                    CAST(COALESCE(ARRAY_LENGTH("t18"."_xs"), 0) AS DOUBLE) * 0.9 * 0.09999999999999998
                  ) * 1.959963984540054
                )
              ) + 0.5
            ) AS BIGINT),
            COALESCE(ARRAY_LENGTH("t18"."_xs"), 0)
          ),
          1
        ) - 1
      ) >= 0 AS BIGINT)
    ) AS "ci_lo",
    LIST_EXTRACT(
      "t18"."_xs",
      (
        GREATEST(
          LEAST(
            CAST(CEIL(
              (
                CAST(COALESCE(ARRAY_LENGTH("t18"."_xs"), 0) AS DOUBLE) * 0.9
              ) + (
                SQRT(
                  CAST(COALESCE(ARRAY_LENGTH("t18"."_xs"), 0) AS DOUBLE) * 0.9 * 0.09999999999999998
                ) * 1.959963984540054
              ) + 0.5
            ) AS BIGINT),
            COALESCE(ARRAY_LENGTH("t18"."_xs"), 0)
          ),
          1
        ) - 1
      ) + CAST((
        GREATEST(
          LEAST(
            CAST(CEIL(
              (
                CAST(COALESCE(ARRAY_LENGTH("t18"."_xs"), 0) AS DOUBLE) * 0.9
              ) + (
                SQRT(
                  CAST(COALESCE(ARRAY_LENGTH("t18"."_xs"), 0) AS DOUBLE) * 0.9 * 0.09999999999999998
                ) * 1.959963984540054
              ) + 0.5
            ) AS BIGINT),
            COALESCE(ARRAY_LENGTH("t18"."_xs"), 0)
          ),
          1
        ) - 1
      ) >= 0 AS BIGINT)
    ) AS "ci_hi"
  FROM (
    SELECT
      "t17"."vendor",
      "t17"."period",
      LIST_SORT(
        ARRAY_AGG("t17"."_business_seconds") FILTER(WHERE
          "t17"."_business_seconds" IS NOT NULL
          AND (
            "t17"."created_at" IS NOT NULL
          )
          AND (
            "t17"."_business_seconds" IS NOT NULL
          ))
      ) AS "_xs"
    FROM (
      SELECT
        "t16"."interaction_id",
        "t16"."customer_id",
        "t16"."channel",
        "t16"."direction",
        "t16"."vendor",
        "t16"."site",
        "t16"."team",
        "t16"."agent_id",
        "t16"."queue",
        "t16"."category",
        "t16"."product",
        "t16"."priority",
        "t16"."language",
        "t16"."created_at",
        "t16"."answered_at",
        "t16"."abandoned_at",
        "t16"."first_response_at",
        "t16"."resolved_at",
        "t16"."closed_at",
        "t16"."reopen_count",
        "t16"."agent_replies",
        "t16"."talk_seconds",
        "t16"."hold_seconds",
        "t16"."wrap_seconds",
        "t16"."escalated",
        "t16"."escalation_tier",
        "t16"."escalated_at",
        "t16"."escalation_accepted_at",
        "t16"."escalation_summary",
        "t16"."resolved",
        "t16"."upsell",
        "t16"."cross_sell",
        "t16"."policy_denial",
        "t16"."complexity",
        "t16"."period",
        "t16"."_be" - "t16"."_bs" AS "_business_seconds"
      FROM (
        SELECT
          "t15"."interaction_id",
          "t15"."customer_id",
          "t15"."channel",
          "t15"."direction",
          "t15"."vendor",
          "t15"."site",
          "t15"."team",
          "t15"."agent_id",
          "t15"."queue",
          "t15"."category",
          "t15"."product",
          "t15"."priority",
          "t15"."language",
          "t15"."created_at",
          "t15"."answered_at",
          "t15"."abandoned_at",
          "t15"."first_response_at",
          "t15"."resolved_at",
          "t15"."closed_at",
          "t15"."reopen_count",
          "t15"."agent_replies",
          "t15"."talk_seconds",
          "t15"."hold_seconds",
          "t15"."wrap_seconds",
          "t15"."escalated",
          "t15"."escalation_tier",
          "t15"."escalated_at",
          "t15"."escalation_accepted_at",
          "t15"."escalation_summary",
          "t15"."resolved",
          "t15"."upsell",
          "t15"."cross_sell",
          "t15"."policy_denial",
          "t15"."complexity",
          "t15"."period",
          "t15"."_hs",
          "t15"."_js",
          "t15"."_cs",
          "t15"."_fs",
          "t15"."_ts",
          "t15"."_bs",
          "t15"."_he",
          "t15"."_je",
          "t15"."_ce",
          "t15"."_fe",
          "t15"."_te",
          "t15"."_ce" + GREATEST(
            LEAST(
              (
                EPOCH("t15"."first_response_at") - CAST(EPOCH(CAST("t15"."_he" AS TIMESTAMP)) AS DOUBLE)
              ) - "t15"."_fe",
              "t15"."_te" - "t15"."_fe"
            ),
            0
          ) AS "_be"
        FROM (
          SELECT
            "t14"."interaction_id",
            "t14"."customer_id",
            "t14"."channel",
            "t14"."direction",
            "t14"."vendor",
            "t14"."site",
            "t14"."team",
            "t14"."agent_id",
            "t14"."queue",
            "t14"."category",
            "t14"."product",
            "t14"."priority",
            "t14"."language",
            "t14"."created_at",
            "t14"."answered_at",
            "t14"."abandoned_at",
            "t14"."first_response_at",
            "t14"."resolved_at",
            "t14"."closed_at",
            "t14"."reopen_count",
            "t14"."agent_replies",
            "t14"."talk_seconds",
            "t14"."hold_seconds",
            "t14"."wrap_seconds",
            "t14"."escalated",
            "t14"."escalation_tier",
            "t14"."escalated_at",
            "t14"."escalation_accepted_at",
            "t14"."escalation_summary",
            "t14"."resolved",
            "t14"."upsell",
            "t14"."cross_sell",
            "t14"."policy_denial",
            "t14"."complexity",
            "t14"."period",
            "t14"."_hs",
            "t14"."_js",
            "t14"."_cs",
            "t14"."_fs",
            "t14"."_ts",
            "t14"."_bs",
            "t14"."_he",
            "t4"."_je",
            "t4"."_ce",
            "t4"."_fe",
            "t4"."_te"
          FROM (
            SELECT
              "t12"."interaction_id",
              "t12"."customer_id",
              "t12"."channel",
              "t12"."direction",
              "t12"."vendor",
              "t12"."site",
              "t12"."team",
              "t12"."agent_id",
              "t12"."queue",
              "t12"."category",
              "t12"."product",
              "t12"."priority",
              "t12"."language",
              "t12"."created_at",
              "t12"."answered_at",
              "t12"."abandoned_at",
              "t12"."first_response_at",
              "t12"."resolved_at",
              "t12"."closed_at",
              "t12"."reopen_count",
              "t12"."agent_replies",
              "t12"."talk_seconds",
              "t12"."hold_seconds",
              "t12"."wrap_seconds",
              "t12"."escalated",
              "t12"."escalation_tier",
              "t12"."escalated_at",
              "t12"."escalation_accepted_at",
              "t12"."escalation_summary",
              "t12"."resolved",
              "t12"."upsell",
              "t12"."cross_sell",
              "t12"."policy_denial",
              "t12"."complexity",
              "t12"."period",
              "t12"."_hs",
              "t12"."_js",
              "t12"."_cs",
              "t12"."_fs",
              "t12"."_ts",
              "t12"."_bs",
              DATE_TRUNC('HOUR', MAKE_TIMESTAMP(EPOCH_US("t12"."first_response_at"))) AS "_he"
            FROM (
              SELECT
                "t11"."interaction_id",
                "t11"."customer_id",
                "t11"."channel",
                "t11"."direction",
                "t11"."vendor",
                "t11"."site",
                "t11"."team",
                "t11"."agent_id",
                "t11"."queue",
                "t11"."category",
                "t11"."product",
                "t11"."priority",
                "t11"."language",
                "t11"."created_at",
                "t11"."answered_at",
                "t11"."abandoned_at",
                "t11"."first_response_at",
                "t11"."resolved_at",
                "t11"."closed_at",
                "t11"."reopen_count",
                "t11"."agent_replies",
                "t11"."talk_seconds",
                "t11"."hold_seconds",
                "t11"."wrap_seconds",
                "t11"."escalated",
                "t11"."escalation_tier",
                "t11"."escalated_at",
                "t11"."escalation_accepted_at",
                "t11"."escalation_summary",
                "t11"."resolved",
                "t11"."upsell",
                "t11"."cross_sell",
                "t11"."policy_denial",
                "t11"."complexity",
                "t11"."period",
                "t11"."_hs",
                "t11"."_js",
                "t11"."_cs",
                "t11"."_fs",
                "t11"."_ts",
                "t11"."_cs" + GREATEST(
                  LEAST(
                    (
                      EPOCH("t11"."created_at") - CAST(EPOCH(CAST("t11"."_hs" AS TIMESTAMP)) AS DOUBLE)
                    ) - "t11"."_fs",
                    "t11"."_ts" - "t11"."_fs"
                  ),
                  0
                ) AS "_bs"
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
                  "t5"."_js",
                  "t5"."_cs",
                  "t5"."_fs",
                  "t5"."_ts"
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
                    DATE_TRUNC('HOUR', MAKE_TIMESTAMP(EPOCH_US("t8"."created_at"))) AS "_hs"
                  FROM (
                    SELECT
                      *
                    FROM (
                      SELECT
                        "t6"."interaction_id",
                        "t6"."customer_id",
                        "t6"."channel",
                        "t6"."direction",
                        "t6"."vendor",
                        "t6"."site",
                        "t6"."team",
                        "t6"."agent_id",
                        "t6"."queue",
                        "t6"."category",
                        "t6"."product",
                        "t6"."priority",
                        "t6"."language",
                        "t6"."created_at",
                        "t6"."answered_at",
                        "t6"."abandoned_at",
                        "t6"."first_response_at",
                        "t6"."resolved_at",
                        "t6"."closed_at",
                        "t6"."reopen_count",
                        "t6"."agent_replies",
                        "t6"."talk_seconds",
                        "t6"."hold_seconds",
                        "t6"."wrap_seconds",
                        "t6"."escalated",
                        "t6"."escalation_tier",
                        "t6"."escalated_at",
                        "t6"."escalation_accepted_at",
                        "t6"."escalation_summary",
                        "t6"."resolved",
                        "t6"."upsell",
                        "t6"."cross_sell",
                        "t6"."policy_denial",
                        "t6"."complexity",
                        DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US("t6"."created_at"))) AS "period"
                      FROM (
                        SELECT
                          *
                        FROM "interactions" AS "t1"
                        WHERE
                          "t1"."created_at" IS NOT NULL
                      ) AS "t6"
                    ) AS "t7"
                    WHERE
                      "t7"."created_at" IS NOT NULL AND "t7"."first_response_at" IS NOT NULL
                  ) AS "t8"
                ) AS "t10"
                LEFT OUTER JOIN (
                  SELECT
                    "t0"."hour" AS "_js",
                    "t0"."cum" AS "_cs",
                    "t0"."open_from" AS "_fs",
                    "t0"."open_to" AS "_ts"
                  FROM "ibis_pandas_memtable" AS "t0"
                ) AS "t5"
                  ON "t10"."_hs" = "t5"."_js"
              ) AS "t11"
            ) AS "t12"
          ) AS "t14"
          LEFT OUTER JOIN (
            SELECT
              "t0"."hour" AS "_je",
              "t0"."cum" AS "_ce",
              "t0"."open_from" AS "_fe",
              "t0"."open_to" AS "_te"
            FROM "ibis_pandas_memtable" AS "t0"
          ) AS "t4"
            ON "t14"."_he" = "t4"."_je"
        ) AS "t15"
      ) AS "t16"
    ) AS "t17"
    GROUP BY
      1,
      2
  ) AS "t18"
) AS "t19"
