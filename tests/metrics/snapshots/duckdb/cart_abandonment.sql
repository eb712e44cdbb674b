SELECT
  "t1"."period",
  SUM(CASE WHEN "t1"."created_at" IS NOT NULL THEN 1 ELSE 0 END) AS "n",
  SUM(
    CASE
      WHEN (
        "t1"."created_at" IS NOT NULL
      ) AND COALESCE("t1"."order_id" IS NULL, FALSE)
      THEN 1
      ELSE 0
    END
  ) AS "k"
FROM (
  SELECT
    "t0"."cart_id",
    "t0"."customer_id",
    "t0"."session_id",
    "t0"."created_at",
    "t0"."order_id",
    DATE_TRUNC('MONTH', "t0"."created_at") AS "period"
  FROM "carts" AS "t0"
  WHERE
    "t0"."created_at" IS NOT NULL
) AS "t1"
GROUP BY
  1
