SELECT
  "t1"."period",
  SUM(
    CASE
      WHEN (
        "t1"."ordered_at" IS NOT NULL
      ) AND (
        "t1"."amount" IS NOT NULL
      )
      THEN 1
      ELSE 0
    END
  ) AS "n",
  SUM(
    CASE
      WHEN (
        "t1"."ordered_at" IS NOT NULL
      ) AND (
        "t1"."amount" IS NOT NULL
      )
      THEN "t1"."amount"
      ELSE NULL
    END
  ) AS "total",
  MIN("t1"."currency") AS "uniform_0_lo",
  MAX("t1"."currency") AS "uniform_0_hi"
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
    "t0"."ordered_at" IS NOT NULL AND COALESCE("t0"."status" = 'completed', FALSE)
) AS "t1"
GROUP BY
  1
