SELECT
  "t1"."period",
  SUM(CASE WHEN "t1"."opened_at" IS NOT NULL THEN 1 ELSE 0 END) AS "n",
  SUM(
    CASE
      WHEN (
        "t1"."opened_at" IS NOT NULL
      )
      AND COALESCE(
        (
          "t1"."first_contact_at" IS NOT NULL
        )
        AND (
          (
            CAST(EXTRACT('epoch' FROM "t1"."first_contact_at") AS DOUBLE PRECISION) - CAST(EXTRACT('epoch' FROM "t1"."opened_at") AS DOUBLE PRECISION)
          ) <= (
            48 * 3600
          )
        ),
        FALSE
      )
      THEN 1
      ELSE 0
    END
  ) AS "k"
FROM (
  SELECT
    "t0"."case_id",
    "t0"."response_id",
    "t0"."rule",
    "t0"."survey",
    "t0"."score",
    "t0"."customer_id",
    "t0"."interaction_id",
    "t0"."vendor",
    "t0"."site",
    "t0"."team",
    "t0"."agent_id",
    "t0"."owner",
    "t0"."escalation_level",
    "t0"."status",
    "t0"."opened_at",
    "t0"."due_at",
    "t0"."reminded_at",
    "t0"."overdue_at",
    "t0"."first_contact_at",
    "t0"."closed_at",
    "t0"."root_cause",
    "t0"."outcome",
    "t0"."recovery_response_id",
    "t0"."recovery_score",
    "t0"."recovered",
    DATE_TRUNC('MONTH', "t0"."opened_at") AS "period"
  FROM "followup_cases" AS "t0"
  WHERE
    "t0"."opened_at" IS NOT NULL
) AS "t1"
GROUP BY
  1
