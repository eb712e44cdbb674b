SELECT
  "t9"."vendor",
  "t9"."period",
  SUM(CASE WHEN "t9"."responded_at" IS NOT NULL THEN 1 ELSE 0 END) AS "n",
  SUM(
    CASE
      WHEN (
        "t9"."responded_at" IS NOT NULL
      )
      AND COALESCE("t9"."score" >= (
        "t9"."scale_max" - 1
      ), FALSE)
      THEN 1
      ELSE 0
    END
  ) AS "pos",
  SUM(
    CASE
      WHEN (
        "t9"."responded_at" IS NOT NULL
      )
      AND COALESCE("t9"."score" <= (
        "t9"."scale_min" + 1
      ), FALSE)
      THEN 1
      ELSE 0
    END
  ) AS "neg",
  CASE WHEN MIN("t9"."scale_min") <> MAX("t9"."scale_min") THEN 2 ELSE 1 END AS "uniform_0",
  CASE WHEN MIN("t9"."scale_max") <> MAX("t9"."scale_max") THEN 2 ELSE 1 END AS "uniform_1"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t7"."response_id",
      "t7"."survey",
      "t7"."score",
      "t7"."scale_min",
      "t7"."scale_max",
      "t7"."responded_at",
      "t7"."sent_at",
      "t7"."customer_id",
      "t7"."interaction_id",
      "t7"."survey_channel",
      "t7"."kind",
      "t7"."touchpoint",
      "t7"."resolved_reported",
      "t7"."comment",
      "t7"."vendor",
      DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US("t7"."responded_at"))) AS "period"
    FROM (
      SELECT
        *
      FROM (
        SELECT
          "t5".*
          EXCLUDE ("_ii")
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
            "t4"."_ii",
            "t4"."vendor"
          FROM "survey_responses" AS "t2"
          LEFT OUTER JOIN (
            SELECT
              "t1"."interaction_id" AS "_ii",
              "t1"."vendor"
            FROM "interactions" AS "t1"
          ) AS "t4"
            ON "t2"."interaction_id" = "t4"."_ii"
        ) AS "t5"
      ) AS "t6"
      WHERE
        "t6"."responded_at" IS NOT NULL
    ) AS "t7"
  ) AS "t8"
  WHERE
    COALESCE("t8"."survey" = 'ces', FALSE)
) AS "t9"
GROUP BY
  1,
  2
