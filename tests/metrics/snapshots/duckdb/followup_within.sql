SELECT
  "t2"."period",
  SUM(CASE WHEN "t2"."opened_at" IS NOT NULL THEN 1 ELSE 0 END) AS "n",
  SUM(
    CASE
      WHEN (
        "t2"."opened_at" IS NOT NULL
      )
      AND COALESCE(
        (
          "t2"."first_contact_at" IS NOT NULL
        )
        AND (
          (
            EPOCH("t2"."first_contact_at") - EPOCH("t2"."opened_at")
          ) <= (
            24 * 3600
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
    "t1"."case_id",
    "t1"."response_id",
    "t1"."rule",
    "t1"."survey",
    "t1"."score",
    "t1"."customer_id",
    "t1"."interaction_id",
    "t1"."vendor",
    "t1"."site",
    "t1"."team",
    "t1"."agent_id",
    "t1"."owner",
    "t1"."escalation_level",
    "t1"."status",
    "t1"."opened_at",
    "t1"."due_at",
    "t1"."reminded_at",
    "t1"."overdue_at",
    "t1"."first_contact_at",
    "t1"."closed_at",
    "t1"."root_cause",
    "t1"."outcome",
    "t1"."recovery_response_id",
    "t1"."recovery_score",
    "t1"."recovered",
    DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US("t1"."opened_at"))) AS "period"
  FROM (
    SELECT
      *
    FROM "followup_cases" AS "t0"
    WHERE
      "t0"."opened_at" IS NOT NULL
  ) AS "t1"
) AS "t2"
GROUP BY
  1
