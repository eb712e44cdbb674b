SELECT
  "t6"."period",
  COUNT(*) AS "n",
  SUM("t6"."_f") AS "k"
FROM (
  SELECT
    "t5"."period",
    "t5"."visitor_id",
    CASE WHEN MIN("t5"."first_session_at") < MIN("t5"."period_start") THEN 1 ELSE 0 END AS "_f"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t3"."session_id",
        "t3"."visitor_id",
        "t3"."customer_id",
        "t3"."started_at",
        "t3"."source",
        "t3"."first_session_at",
        "t3"."period_start",
        DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US("t3"."started_at"))) AS "period"
      FROM (
        SELECT
          *
        FROM (
          SELECT
            "t1"."session_id",
            "t1"."visitor_id",
            "t1"."customer_id",
            "t1"."started_at",
            "t1"."source",
            "t1"."first_session_at",
            DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US("t1"."started_at"))) AS "period_start"
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
        ) AS "t2"
        WHERE
          "t2"."started_at" IS NOT NULL
      ) AS "t3"
    ) AS "t4"
    WHERE
      "t4"."visitor_id" IS NOT NULL
  ) AS "t5"
  GROUP BY
    1,
    2
) AS "t6"
GROUP BY
  1
