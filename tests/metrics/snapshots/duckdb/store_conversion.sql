SELECT
  "t1"."period",
  SUM(CASE WHEN "t1"."visited_at" IS NOT NULL THEN 1 ELSE 0 END) AS "n",
  SUM(
    CASE
      WHEN (
        "t1"."visited_at" IS NOT NULL
      )
      AND COALESCE("t1"."order_id" IS NOT NULL, FALSE)
      THEN 1
      ELSE 0
    END
  ) AS "k"
FROM (
  SELECT
    "t0"."visit_id",
    "t0"."store",
    "t0"."visited_at",
    "t0"."customer_id",
    "t0"."order_id",
    DATE_TRUNC('MONTH', "t0"."visited_at") AS "period"
  FROM "store_visits" AS "t0"
  WHERE
    "t0"."visited_at" IS NOT NULL
) AS "t1"
GROUP BY
  1
