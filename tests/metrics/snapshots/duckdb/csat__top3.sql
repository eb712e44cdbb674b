SELECT
  "t10"."vendor",
  "t10"."period",
  SUM(CASE WHEN "t10"."responded_at" IS NOT NULL THEN 1 ELSE 0 END) AS "n",
  SUM(
    CASE
      WHEN (
        "t10"."responded_at" IS NOT NULL
      )
      AND COALESCE("t10"."score" >= (
        "t10"."scale_max" - 2
      ), FALSE)
      THEN 1
      ELSE 0
    END
  ) AS "k",
  CASE WHEN MIN("t10"."scale_min") <> MAX("t10"."scale_min") THEN 2 ELSE 1 END AS "uniform_0",
  CASE WHEN MIN("t10"."scale_max") <> MAX("t10"."scale_max") THEN 2 ELSE 1 END AS "uniform_1"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t8"."response_id",
      "t8"."survey",
      "t8"."score",
      "t8"."scale_min",
      "t8"."scale_max",
      "t8"."responded_at",
      "t8"."sent_at",
      "t8"."customer_id",
      "t8"."interaction_id",
      "t8"."survey_channel",
      "t8"."kind",
      "t8"."touchpoint",
      "t8"."resolved_reported",
      "t8"."comment",
      "t8"."programme",
      "t8"."invitation_id",
      "t8"."vendor",
      "t8"."site",
      "t8"."team",
      "t8"."agent_id",
      DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US("t8"."responded_at"))) AS "period"
    FROM (
      SELECT
        *
      FROM (
        SELECT
          "t6".*
          EXCLUDE ("_ii", "_i_vendor")
        FROM (
          SELECT
            "t5"."response_id",
            "t5"."survey",
            "t5"."score",
            "t5"."scale_min",
            "t5"."scale_max",
            "t5"."responded_at",
            "t5"."sent_at",
            "t5"."customer_id",
            "t5"."interaction_id",
            "t5"."survey_channel",
            "t5"."kind",
            "t5"."touchpoint",
            "t5"."resolved_reported",
            "t5"."comment",
            "t5"."programme",
            "t5"."invitation_id",
            COALESCE("t5"."vendor", "t5"."_i_vendor") AS "vendor",
            "t5"."site",
            "t5"."team",
            "t5"."agent_id",
            "t5"."_ii",
            "t5"."_i_vendor"
          FROM (
            SELECT
              "t2"."response_id",
              "t2"."survey",
              "t2"."score",
              "t2"."scale_min",
              "t2"."scale_max",
              "t2"."responded_at",
              "t2"."sent_at",
              "t2"."customer_id",
              "t2"."interaction_id",
              "t2"."survey_channel",
              "t2"."kind",
              "t2"."touchpoint",
              "t2"."resolved_reported",
              "t2"."comment",
              "t2"."programme",
              "t2"."invitation_id",
              "t2"."vendor",
              "t2"."site",
              "t2"."team",
              "t2"."agent_id",
              "t4"."_ii",
              "t4"."_i_vendor"
            FROM "survey_responses" AS "t2"
            LEFT OUTER JOIN (
              SELECT
                "t1"."interaction_id" AS "_ii",
                "t1"."vendor" AS "_i_vendor"
              FROM "interactions" AS "t1"
            ) AS "t4"
              ON "t2"."interaction_id" = "t4"."_ii"
          ) AS "t5"
        ) AS "t6"
      ) AS "t7"
      WHERE
        "t7"."responded_at" IS NOT NULL
    ) AS "t8"
  ) AS "t9"
  WHERE
    COALESCE("t9"."survey" = 'csat', FALSE)
) AS "t10"
GROUP BY
  1,
  2
