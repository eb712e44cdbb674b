SELECT
  "t1"."period",
  COUNT(
    DISTINCT CASE WHEN "t1"."started_at" IS NOT NULL THEN "t1"."visitor_id" ELSE NULL END
  ) AS "n"
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
