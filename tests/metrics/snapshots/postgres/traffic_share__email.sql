SELECT
  "t1"."period",
  SUM(CASE WHEN "t1"."started_at" IS NOT NULL THEN 1 ELSE 0 END) AS "n",
  SUM(
    CASE
      WHEN (
        "t1"."started_at" IS NOT NULL
      ) AND COALESCE("t1"."source" = 'email', FALSE)
      THEN 1
      ELSE 0
    END
  ) AS "k"
FROM (
  SELECT
    "t0"."session_id",
    "t0"."visitor_id",
    "t0"."customer_id",
    "t0"."started_at",
    "t0"."source",
    DATE_TRUNC('MONTH', "t0"."started_at") AS "period"
  FROM "web_sessions" AS "t0"
  WHERE
    "t0"."started_at" IS NOT NULL
) AS "t1"
GROUP BY
  1
