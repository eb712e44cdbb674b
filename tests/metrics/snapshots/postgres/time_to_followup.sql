SELECT
  "t2"."period",
  MAX("t2"."_n") AS "n",
  MAX(
    CASE
      WHEN CAST("t2"."_rn" AS DOUBLE PRECISION) = GREATEST(
        LEAST(
          CAST(FLOOR(CAST((
            CAST("t2"."_n" AS DOUBLE PRECISION) + 1
          ) AS DOUBLE PRECISION) / 2) AS BIGINT),
          CAST("t2"."_n" AS DOUBLE PRECISION)
        ),
        1
      )
      THEN "t2"."_x"
      ELSE NULL
    END
  ) AS "q_lo",
  MAX(
    CASE
      WHEN CAST("t2"."_rn" AS DOUBLE PRECISION) = GREATEST(
        LEAST(
          CAST(CEIL(CAST((
            CAST("t2"."_n" AS DOUBLE PRECISION) + 1
          ) AS DOUBLE PRECISION) / 2) AS BIGINT),
          CAST("t2"."_n" AS DOUBLE PRECISION)
        ),
        1
      )
      THEN "t2"."_x"
      ELSE NULL
    END
  ) AS "q_hi",
  MAX(
    CASE
      WHEN CAST("t2"."_rn" AS DOUBLE PRECISION) = GREATEST(
        LEAST(
          CAST(FLOOR(
            (
              (
                CAST("t2"."_n" AS DOUBLE PRECISION) * 0.5
              ) - (
                SQRT(CAST("t2"."_n" AS DOUBLE PRECISION) * 0.5 * 0.5) * 1.959963984540054
              )
            ) + 0.5
          ) AS BIGINT),
          CAST("t2"."_n" AS DOUBLE PRECISION)
        ),
        1
      )
      THEN "t2"."_x"
      ELSE NULL
    END
  ) AS "ci_lo",
  MAX(
    CASE
      WHEN CAST("t2"."_rn" AS DOUBLE PRECISION) = GREATEST(
        LEAST(
          CAST(CEIL(
            (
              CAST("t2"."_n" AS DOUBLE PRECISION) * 0.5
            ) + (
              SQRT(CAST("t2"."_n" AS DOUBLE PRECISION) * 0.5 * 0.5) * 1.959963984540054
            ) + 0.5
          ) AS BIGINT),
          CAST("t2"."_n" AS DOUBLE PRECISION)
        ),
        1
      )
      THEN "t2"."_x"
      ELSE NULL
    END
  ) AS "ci_hi"
FROM (
  SELECT
    "t1"."period",
    "t1"."_x",
    (
      ROW_NUMBER() OVER (
        PARTITION BY "t1"."period"
        ORDER BY "t1"."_x" ASC
        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
      ) - 1
    ) + 1 AS "_rn",
    COUNT("t1"."_x") OVER (
      PARTITION BY "t1"."period"
      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
    ) AS "_n"
  FROM (
    SELECT
      DATE_TRUNC('MONTH', "t0"."opened_at") AS "period",
      CAST(EXTRACT('epoch' FROM "t0"."first_contact_at") AS DOUBLE PRECISION) - CAST(EXTRACT('epoch' FROM "t0"."opened_at") AS DOUBLE PRECISION) AS "_x"
    FROM "followup_cases" AS "t0"
    WHERE
      "t0"."opened_at" IS NOT NULL
  ) AS "t1"
) AS "t2"
GROUP BY
  1
