SELECT
  "t2"."period",
  SUM(CASE WHEN "t2"."visited_at" IS NOT NULL THEN 1 ELSE 0 END) AS "n",
  SUM(
    CASE
      WHEN (
        "t2"."visited_at" IS NOT NULL
      )
      AND COALESCE("t2"."order_id" IS NOT NULL, FALSE)
      THEN 1
      ELSE 0
    END
  ) AS "k"
FROM (
  SELECT
    "t1"."visit_id",
    "t1"."store",
    "t1"."visited_at",
    "t1"."customer_id",
    "t1"."order_id",
    DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US("t1"."visited_at"))) AS "period"
  FROM (
    SELECT
      *
    FROM "store_visits" AS "t0"
    WHERE
      "t0"."visited_at" IS NOT NULL
  ) AS "t1"
) AS "t2"
GROUP BY
  1
