SELECT
  "t3"."period",
  COUNT(*) AS "n",
  SUM("t3"."_f") AS "k"
FROM (
  SELECT
    "t2"."period",
    "t2"."visitor_id",
    CASE WHEN MIN("t2"."first_session_at") < MIN("t2"."period_start") THEN 1 ELSE 0 END AS "_f"
  FROM (
    SELECT
      "t1"."session_id",
      "t1"."visitor_id",
      "t1"."customer_id",
      "t1"."started_at",
      "t1"."source",
      "t1"."first_session_at",
      DATE_TRUNC('MONTH', "t1"."started_at") AS "period_start",
      DATE_TRUNC('MONTH', "t1"."started_at") AS "period"
    FROM (
      SELECT
        "t0"."session_id",
        "t0"."visitor_id",
        "t0"."customer_id",
        "t0"."started_at",
        "t0"."source",
        MIN("t0"."started_at") OVER (
          PARTITION BY "t0"."visitor_id"
          ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
        ) AS "first_session_at"
      FROM "web_sessions" AS "t0"
    ) AS "t1"
    WHERE
      "t1"."started_at" IS NOT NULL AND "t1"."visitor_id" IS NOT NULL
  ) AS "t2"
  GROUP BY
    1,
    2
) AS "t3"
GROUP BY
  1
