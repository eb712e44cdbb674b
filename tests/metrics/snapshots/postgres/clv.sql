SELECT
  "t18"."period",
  SUM(
    CASE
      WHEN (
        "t18"."period_start" IS NOT NULL
      )
      AND (
        (
          "t18"."revenue_in_period" * 1.0
        ) IS NOT NULL
      )
      AND (
        CAST(CASE WHEN "t18"."churned_in_period" THEN 1 ELSE 0 END AS DOUBLE PRECISION) IS NOT NULL
      )
      THEN 1
      ELSE 0
    END
  ) AS "n",
  AVG(
    CASE
      WHEN (
        "t18"."period_start" IS NOT NULL
      )
      AND (
        (
          "t18"."revenue_in_period" * 1.0
        ) IS NOT NULL
      )
      AND (
        CAST(CASE WHEN "t18"."churned_in_period" THEN 1 ELSE 0 END AS DOUBLE PRECISION) IS NOT NULL
      )
      THEN "t18"."revenue_in_period" * 1.0
      ELSE NULL
    END
  ) AS "mean_x",
  AVG(
    CASE
      WHEN (
        "t18"."period_start" IS NOT NULL
      )
      AND (
        (
          "t18"."revenue_in_period" * 1.0
        ) IS NOT NULL
      )
      AND (
        CAST(CASE WHEN "t18"."churned_in_period" THEN 1 ELSE 0 END AS DOUBLE PRECISION) IS NOT NULL
      )
      THEN CAST(CASE WHEN "t18"."churned_in_period" THEN 1 ELSE 0 END AS DOUBLE PRECISION)
      ELSE NULL
    END
  ) AS "mean_y",
  VAR_SAMP(
    CASE
      WHEN (
        "t18"."period_start" IS NOT NULL
      )
      AND (
        (
          "t18"."revenue_in_period" * 1.0
        ) IS NOT NULL
      )
      AND (
        CAST(CASE WHEN "t18"."churned_in_period" THEN 1 ELSE 0 END AS DOUBLE PRECISION) IS NOT NULL
      )
      THEN "t18"."revenue_in_period" * 1.0
      ELSE NULL
    END
  ) AS "var_x",
  VAR_SAMP(
    CASE
      WHEN (
        "t18"."period_start" IS NOT NULL
      )
      AND (
        (
          "t18"."revenue_in_period" * 1.0
        ) IS NOT NULL
      )
      AND (
        CAST(CASE WHEN "t18"."churned_in_period" THEN 1 ELSE 0 END AS DOUBLE PRECISION) IS NOT NULL
      )
      THEN CAST(CASE WHEN "t18"."churned_in_period" THEN 1 ELSE 0 END AS DOUBLE PRECISION)
      ELSE NULL
    END
  ) AS "var_y",
  COVAR_SAMP(
    CASE
      WHEN (
        "t18"."period_start" IS NOT NULL
      )
      AND (
        (
          "t18"."revenue_in_period" * 1.0
        ) IS NOT NULL
      )
      AND (
        CAST(CASE WHEN "t18"."churned_in_period" THEN 1 ELSE 0 END AS DOUBLE PRECISION) IS NOT NULL
      )
      THEN "t18"."revenue_in_period" * 1.0
      ELSE NULL
    END,
    CASE
      WHEN (
        "t18"."period_start" IS NOT NULL
      )
      AND (
        (
          "t18"."revenue_in_period" * 1.0
        ) IS NOT NULL
      )
      AND (
        CAST(CASE WHEN "t18"."churned_in_period" THEN 1 ELSE 0 END AS DOUBLE PRECISION) IS NOT NULL
      )
      THEN CAST(CASE WHEN "t18"."churned_in_period" THEN 1 ELSE 0 END AS DOUBLE PRECISION)
      ELSE NULL
    END
  ) AS "cov_xy",
  MIN("t18"."order_currency") AS "uniform_0_lo",
  MAX("t18"."order_currency") AS "uniform_0_hi"
FROM (
  SELECT
    "t17"."customer_id",
    "t17"."acquired_at",
    "t17"."churned_at",
    "t17"."segment",
    "t17"."region",
    "t17"."country",
    "t17"."age_group",
    "t17"."gender",
    "t17"."acquisition_source",
    "t17"."referred_by",
    "t17"."account_id",
    "t17"."email",
    "t17"."phone",
    "t17"."language",
    "t17"."surveys_opt_out",
    "t17"."period_start",
    "t17"."period_end",
    "t17"."active_at_start",
    "t17"."churned_in_period",
    "t17"."acquired_in_period",
    "t17"."order_currency",
    COALESCE("t17"."_n", 0) AS "orders_in_period",
    COALESCE("t17"."_rev", 0.0) AS "revenue_in_period",
    DATE_TRUNC('MONTH', "t17"."period_start") AS "period"
  FROM (
    SELECT
      "t14"."customer_id",
      "t14"."acquired_at",
      "t14"."churned_at",
      "t14"."segment",
      "t14"."region",
      "t14"."country",
      "t14"."age_group",
      "t14"."gender",
      "t14"."acquisition_source",
      "t14"."referred_by",
      "t14"."account_id",
      "t14"."email",
      "t14"."phone",
      "t14"."language",
      "t14"."surveys_opt_out",
      "t14"."period_start",
      "t14"."period_end",
      "t14"."active_at_start",
      "t14"."churned_in_period",
      "t14"."acquired_in_period",
      "t10"."order_currency",
      "t16"."_oc",
      "t16"."_op",
      "t16"."_cu",
      "t16"."_n",
      "t16"."_rev"
    FROM (
      SELECT
        "t8"."customer_id",
        "t8"."acquired_at",
        "t8"."churned_at",
        "t8"."segment",
        "t8"."region",
        "t8"."country",
        "t8"."age_group",
        "t8"."gender",
        "t8"."acquisition_source",
        "t8"."referred_by",
        "t8"."account_id",
        "t8"."email",
        "t8"."phone",
        "t8"."language",
        "t8"."surveys_opt_out",
        "t8"."period_start",
        "t8"."period_end",
        COALESCE(
          (
            "t8"."acquired_at" < "t8"."period_start"
          )
          AND (
            (
              "t8"."churned_at" IS NULL
            ) OR (
              "t8"."churned_at" >= "t8"."period_start"
            )
          ),
          FALSE
        ) AS "active_at_start",
        COALESCE(
          (
            "t8"."churned_at" >= "t8"."period_start"
          )
          AND (
            "t8"."churned_at" < "t8"."period_end"
          ),
          FALSE
        ) AS "churned_in_period",
        COALESCE(
          (
            "t8"."acquired_at" >= "t8"."period_start"
          )
          AND (
            "t8"."acquired_at" < "t8"."period_end"
          ),
          FALSE
        ) AS "acquired_in_period"
      FROM (
        SELECT
          "t3"."customer_id",
          "t3"."acquired_at",
          "t3"."churned_at",
          "t3"."segment",
          "t3"."region",
          "t3"."country",
          "t3"."age_group",
          "t3"."gender",
          "t3"."acquisition_source",
          "t3"."referred_by",
          "t3"."account_id",
          "t3"."email",
          "t3"."phone",
          "t3"."language",
          "t3"."surveys_opt_out",
          "t4"."period_start",
          "t4"."period_end"
        FROM "customers" AS "t3"
        CROSS JOIN "ibis_pandas_memtable" AS "t4"
      ) AS "t8"
    ) AS "t14"
    CROSS JOIN (
      SELECT DISTINCT
        "t0"."currency" AS "order_currency"
      FROM "orders" AS "t0"
      WHERE
        "t0"."customer_id" IS NOT NULL AND "t0"."status" = 'completed'
    ) AS "t10"
    LEFT OUTER JOIN (
      SELECT
        "t12"."customer_id" AS "_oc",
        "t12"."_ps" AS "_op",
        "t12"."currency" AS "_cu",
        COUNT(*) AS "_n",
        SUM("t12"."amount") AS "_rev"
      FROM (
        SELECT
          "t11"."order_id",
          "t11"."customer_id",
          "t11"."ordered_at",
          "t11"."amount",
          "t11"."currency",
          "t11"."channel",
          "t11"."status",
          "t9"."_ps",
          "t9"."_pe"
        FROM (
          SELECT
            *
          FROM "orders" AS "t0"
          WHERE
            "t0"."customer_id" IS NOT NULL AND "t0"."status" = 'completed'
        ) AS "t11"
        INNER JOIN (
          SELECT
            "t2"."period_start" AS "_ps",
            "t2"."period_end" AS "_pe"
          FROM "ibis_pandas_memtable" AS "t2"
        ) AS "t9"
          ON "t11"."ordered_at" >= "t9"."_ps" AND "t11"."ordered_at" < "t9"."_pe"
      ) AS "t12"
      GROUP BY
        1,
        2,
        3
    ) AS "t16"
      ON "t14"."customer_id" = "t16"."_oc"
      AND "t14"."period_start" = "t16"."_op"
      AND "t10"."order_currency" = "t16"."_cu"
  ) AS "t17"
  WHERE
    "t17"."period_start" IS NOT NULL AND COALESCE("t17"."active_at_start", FALSE)
) AS "t18"
GROUP BY
  1
