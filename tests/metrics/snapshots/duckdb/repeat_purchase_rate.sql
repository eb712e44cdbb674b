SELECT
  "t4"."period",
  COUNT(*) AS "n",
  SUM("t4"."_f") AS "k"
FROM (
  SELECT
    "t3"."period",
    "t3"."customer_id",
    CASE WHEN COUNT(*) >= 2 THEN 1 ELSE 0 END AS "_f"
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
      COALESCE("t2"."status" = 'completed', FALSE) AND "t2"."customer_id" IS NOT NULL
  ) AS "t3"
  GROUP BY
    1,
    2
) AS "t4"
GROUP BY
  1
