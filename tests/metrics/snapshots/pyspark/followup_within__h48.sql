SELECT
  `t1`.`period`,
  SUM(IF(NOT `t1`.`opened_at` IS NULL, 1, 0)) AS `n`,
  SUM(
    IF(
      (
        NOT `t1`.`opened_at` IS NULL
      )
      AND COALESCE(
        (
          NOT `t1`.`first_contact_at` IS NULL
        )
        AND (
          (
            CAST(UNIX_TIMESTAMP(CAST(`t1`.`first_contact_at` AS TIMESTAMP)) AS DOUBLE) - CAST(UNIX_TIMESTAMP(CAST(`t1`.`opened_at` AS TIMESTAMP)) AS DOUBLE)
          ) <= (
            48 * 3600
          )
        ),
        FALSE
      ),
      1,
      0
    )
  ) AS `k`
FROM (
  SELECT
    `t0`.`case_id`,
    `t0`.`response_id`,
    `t0`.`rule`,
    `t0`.`survey`,
    `t0`.`score`,
    `t0`.`customer_id`,
    `t0`.`interaction_id`,
    `t0`.`vendor`,
    `t0`.`site`,
    `t0`.`team`,
    `t0`.`agent_id`,
    `t0`.`owner`,
    `t0`.`escalation_level`,
    `t0`.`status`,
    `t0`.`opened_at`,
    `t0`.`due_at`,
    `t0`.`reminded_at`,
    `t0`.`overdue_at`,
    `t0`.`first_contact_at`,
    `t0`.`closed_at`,
    `t0`.`root_cause`,
    `t0`.`outcome`,
    `t0`.`recovery_response_id`,
    `t0`.`recovery_score`,
    `t0`.`recovered`,
    DATE_TRUNC('MONTH', `t0`.`opened_at`) AS `period`
  FROM `followup_cases` AS `t0`
  WHERE
    NOT `t0`.`opened_at` IS NULL
) AS `t1`
GROUP BY
  1
