SELECT
  "t2"."period",
  SUM(CASE WHEN "t2"."started_at" IS NOT NULL THEN 1 ELSE 0 END) AS "n",
  SUM(
    CASE
      WHEN (
        "t2"."started_at" IS NOT NULL
      )
      AND COALESCE("t2"."source" = 'organic', FALSE)
      THEN 1
      ELSE 0
    END
  ) AS "k"
FROM (
  SELECT
    "t1"."session_id",
    "t1"."visitor_id",
    "t1"."customer_id",
    "t1"."started_at",
    "t1"."source",
    DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US("t1"."started_at"))) AS "period"
  FROM (
    SELECT
      *
    FROM "web_sessions" AS "t0"
    WHERE
      "t0"."started_at" IS NOT NULL
  ) AS "t1"
) AS "t2"
GROUP BY
  1
