SELECT
  "t3"."period",
  SUM(
    CASE
      WHEN (
        "t3"."ordered_at" IS NOT NULL
      ) AND (
        "t3"."amount" IS NOT NULL
      )
      THEN 1
      ELSE 0
    END
  ) AS "n",
  AVG(
    CASE
      WHEN (
        "t3"."ordered_at" IS NOT NULL
      ) AND (
        "t3"."amount" IS NOT NULL
      )
      THEN "t3"."amount"
      ELSE NULL
    END
  ) AS "mean",
  STDDEV_SAMP(
    CASE
      WHEN (
        "t3"."ordered_at" IS NOT NULL
      ) AND (
        "t3"."amount" IS NOT NULL
      )
      THEN "t3"."amount"
      ELSE NULL
    END
  ) AS "sd",
  MIN("t3"."currency") AS "uniform_0_lo",
  MAX("t3"."currency") AS "uniform_0_hi"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t1"."order_id",
      "t1"."customer_id",
      "t1"."ordered_at",
      "t1"."amount",
      "t1"."currency",
      "t1"."channel",
      "t1"."status",
      DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US("t1"."ordered_at"))) AS "period"
    FROM (
      SELECT
        *
      FROM "orders" AS "t0"
      WHERE
        "t0"."ordered_at" IS NOT NULL
    ) AS "t1"
  ) AS "t2"
  WHERE
    COALESCE("t2"."status" = 'completed', FALSE)
) AS "t3"
GROUP BY
  1
