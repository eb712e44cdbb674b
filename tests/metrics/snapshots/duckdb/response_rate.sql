SELECT
  "t3"."period",
  SUM(CASE WHEN "t3"."sent_at" IS NOT NULL THEN 1 ELSE 0 END) AS "n",
  SUM(
    CASE
      WHEN (
        "t3"."sent_at" IS NOT NULL
      )
      AND COALESCE(
        (
          "t3"."responded_at" IS NOT NULL
        ) OR (
          "t3"."response_id" IS NOT NULL
        ),
        FALSE
      )
      THEN 1
      ELSE 0
    END
  ) AS "k"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t1"."invitation_id",
      "t1"."survey",
      "t1"."programme",
      "t1"."sent_at",
      "t1"."customer_id",
      "t1"."interaction_id",
      "t1"."survey_channel",
      "t1"."kind",
      "t1"."touchpoint",
      "t1"."status",
      "t1"."reason",
      "t1"."suppressed_by",
      "t1"."responded_at",
      "t1"."response_id",
      "t1"."vendor",
      "t1"."site",
      "t1"."team",
      "t1"."agent_id",
      "t1"."language",
      "t1"."expires_at",
      "t1"."reminders_sent",
      "t1"."reminded_at",
      "t1"."completed_at",
      DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US("t1"."sent_at"))) AS "period"
    FROM (
      SELECT
        *
      FROM "survey_invitations" AS "t0"
      WHERE
        "t0"."sent_at" IS NOT NULL
    ) AS "t1"
  ) AS "t2"
  WHERE
    COALESCE((
      "t2"."status" IS NULL
    ) OR "t2"."status" IN ('sent', 'delivered'), FALSE)
) AS "t3"
GROUP BY
  1
