SELECT
  "t3"."period",
  SUM(CASE WHEN "t3"."acquired_at" IS NOT NULL THEN 1 ELSE 0 END) AS "n",
  SUM(
    CASE
      WHEN (
        "t3"."acquired_at" IS NOT NULL
      )
      AND COALESCE("t3"."acquisition_source" = 'referral', FALSE)
      THEN 1
      ELSE 0
    END
  ) AS "k"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t1"."customer_id",
      "t1"."acquired_at",
      "t1"."churned_at",
      "t1"."segment",
      "t1"."region",
      "t1"."country",
      "t1"."age_group",
      "t1"."gender",
      "t1"."acquisition_source",
      "t1"."referred_by",
      "t1"."account_id",
      "t1"."email",
      "t1"."phone",
      "t1"."language",
      "t1"."surveys_opt_out",
      DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US("t1"."acquired_at"))) AS "period"
    FROM (
      SELECT
        *
      FROM "customers" AS "t0"
      WHERE
        "t0"."acquired_at" IS NOT NULL
    ) AS "t1"
  ) AS "t2"
  WHERE
    COALESCE("t2"."acquisition_source" IS NOT NULL, FALSE)
) AS "t3"
GROUP BY
  1
