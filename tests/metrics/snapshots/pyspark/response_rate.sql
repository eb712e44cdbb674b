SELECT
  `t1`.`period`,
  SUM(IF(NOT `t1`.`sent_at` IS NULL, 1, 0)) AS `n`,
  SUM(
    IF(
      (
        NOT `t1`.`sent_at` IS NULL
      )
      AND COALESCE(
        (
          NOT `t1`.`responded_at` IS NULL
        ) OR (
          NOT `t1`.`response_id` IS NULL
        ),
        FALSE
      ),
      1,
      0
    )
  ) AS `k`
FROM (
  SELECT
    `t0`.`invitation_id`,
    `t0`.`survey`,
    `t0`.`programme`,
    `t0`.`sent_at`,
    `t0`.`customer_id`,
    `t0`.`interaction_id`,
    `t0`.`survey_channel`,
    `t0`.`kind`,
    `t0`.`touchpoint`,
    `t0`.`status`,
    `t0`.`reason`,
    `t0`.`suppressed_by`,
    `t0`.`responded_at`,
    `t0`.`response_id`,
    `t0`.`vendor`,
    `t0`.`site`,
    `t0`.`team`,
    `t0`.`agent_id`,
    `t0`.`language`,
    `t0`.`expires_at`,
    `t0`.`reminders_sent`,
    `t0`.`reminded_at`,
    `t0`.`completed_at`,
    DATE_TRUNC('MONTH', `t0`.`sent_at`) AS `period`
  FROM `survey_invitations` AS `t0`
  WHERE
    NOT `t0`.`sent_at` IS NULL
    AND COALESCE((
      `t0`.`status` IS NULL
    ) OR `t0`.`status` IN ('sent', 'delivered'), FALSE)
) AS `t1`
GROUP BY
  1
