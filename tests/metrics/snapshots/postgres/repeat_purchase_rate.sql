SELECT
  "t2"."period",
  COUNT(*) AS "n",
  SUM("t2"."_f") AS "k"
FROM (
  SELECT
    "t1"."period",
    "t1"."customer_id",
    CASE WHEN COUNT(*) >= 2 THEN 1 ELSE 0 END AS "_f"
  FROM (
    SELECT
      "t0"."order_id",
      "t0"."customer_id",
      "t0"."ordered_at",
      "t0"."amount",
      "t0"."currency",
      "t0"."channel",
      "t0"."status",
      DATE_TRUNC('MONTH', "t0"."ordered_at") AS "period"
    FROM "orders" AS "t0"
    WHERE
      "t0"."ordered_at" IS NOT NULL
      AND COALESCE("t0"."status" = 'completed', FALSE)
      AND "t0"."customer_id" IS NOT NULL
  ) AS "t1"
  GROUP BY
    1,
    2
) AS "t2"
GROUP BY
  1
