SELECT
  "t7"."vendor",
  "t7"."period",
  SUM(CASE WHEN "t7"."responded_at" IS NOT NULL THEN 1 ELSE 0 END) AS "n",
  SUM(
    CASE
      WHEN (
        "t7"."responded_at" IS NOT NULL
      ) AND COALESCE("t7"."score" >= 9, FALSE)
      THEN 1
      ELSE 0
    END
  ) AS "k",
  CASE WHEN MIN("t7"."kind") <> MAX("t7"."kind") THEN 2 ELSE 1 END AS "uniform_0",
  CASE WHEN MIN("t7"."scale_max") <> MAX("t7"."scale_max") THEN 2 ELSE 1 END AS "uniform_1"
FROM (
  SELECT
    "t6"."response_id",
    "t6"."survey",
    "t6"."score",
    "t6"."scale_min",
    "t6"."scale_max",
    "t6"."responded_at",
    "t6"."sent_at",
    "t6"."customer_id",
    "t6"."interaction_id",
    "t6"."survey_channel",
    "t6"."kind",
    "t6"."touchpoint",
    "t6"."resolved_reported",
    "t6"."comment",
    "t6"."vendor",
    DATE_TRUNC('MONTH', "t6"."responded_at") AS "period"
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
      "t5"."vendor"
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
    "t6"."responded_at" IS NOT NULL AND COALESCE("t6"."survey" = 'nps', FALSE)
) AS "t7"
GROUP BY
  1,
  2
