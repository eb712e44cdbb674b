SELECT
  "t5"."period",
  SUM(CASE WHEN "t5"."period_start" IS NOT NULL THEN 1 ELSE 0 END) AS "n",
  SUM(
    CASE
      WHEN (
        "t5"."period_start" IS NOT NULL
      )
      AND COALESCE(NOT (
        "t5"."churned_in_period"
      ), FALSE)
      THEN 1
      ELSE 0
    END
  ) AS "k"
FROM (
  SELECT
    "t4"."customer_id",
    "t4"."acquired_at",
    "t4"."churned_at",
    "t4"."segment",
    "t4"."region",
    "t4"."country",
    "t4"."age_group",
    "t4"."gender",
    "t4"."acquisition_source",
    "t4"."referred_by",
    "t4"."account_id",
    "t4"."email",
    "t4"."phone",
    "t4"."language",
    "t4"."surveys_opt_out",
    "t4"."period_start",
    "t4"."period_end",
    COALESCE(
      (
        "t4"."acquired_at" < "t4"."period_start"
      )
      AND (
        (
          "t4"."churned_at" IS NULL
        ) OR (
          "t4"."churned_at" >= "t4"."period_start"
        )
      ),
      FALSE
    ) AS "active_at_start",
    COALESCE(
      (
        "t4"."churned_at" >= "t4"."period_start"
      )
      AND (
        "t4"."churned_at" < "t4"."period_end"
      ),
      FALSE
    ) AS "churned_in_period",
    COALESCE(
      (
        "t4"."acquired_at" >= "t4"."period_start"
      )
      AND (
        "t4"."acquired_at" < "t4"."period_end"
      ),
      FALSE
    ) AS "acquired_in_period",
    DATE_TRUNC('MONTH', "t4"."period_start") AS "period"
  FROM (
    SELECT
      "t2"."customer_id",
      "t2"."acquired_at",
      "t2"."churned_at",
      "t2"."segment",
      "t2"."region",
      "t2"."country",
      "t2"."age_group",
      "t2"."gender",
      "t2"."acquisition_source",
      "t2"."referred_by",
      "t2"."account_id",
      "t2"."email",
      "t2"."phone",
      "t2"."language",
      "t2"."surveys_opt_out",
      "t3"."period_start",
      "t3"."period_end"
    FROM "customers" AS "t2"
    CROSS JOIN "ibis_pandas_memtable" AS "t3"
  ) AS "t4"
  WHERE
    "t4"."period_start" IS NOT NULL
    AND COALESCE(
      COALESCE(
        (
          "t4"."acquired_at" < "t4"."period_start"
        )
        AND (
          (
            "t4"."churned_at" IS NULL
          ) OR (
            "t4"."churned_at" >= "t4"."period_start"
          )
        ),
        FALSE
      ),
      FALSE
    )
) AS "t5"
GROUP BY
  1
