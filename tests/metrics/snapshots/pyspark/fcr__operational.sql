SELECT
  `t2`.`vendor`,
  `t2`.`period`,
  SUM(IF(NOT `t2`.`created_at` IS NULL, 1, 0)) AS `n`,
  SUM(
    IF(
      (
        NOT `t2`.`created_at` IS NULL
      )
      AND COALESCE(
        `t2`.`resolved`
        AND (
          COALESCE(`t2`.`reopen_count`, 0) = 0
        )
        AND (
          (
            `t2`.`next_contact_at` IS NULL
          )
          OR (
            (
              CAST(UNIX_TIMESTAMP(CAST(`t2`.`next_contact_at` AS TIMESTAMP)) AS DOUBLE) - CAST(UNIX_TIMESTAMP(CAST(`t2`.`created_at` AS TIMESTAMP)) AS DOUBLE)
            ) > (
              7 * 86400
            )
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
    `t1`.`interaction_id`,
    `t1`.`customer_id`,
    `t1`.`channel`,
    `t1`.`direction`,
    `t1`.`vendor`,
    `t1`.`site`,
    `t1`.`team`,
    `t1`.`agent_id`,
    `t1`.`queue`,
    `t1`.`category`,
    `t1`.`product`,
    `t1`.`priority`,
    `t1`.`language`,
    `t1`.`created_at`,
    `t1`.`answered_at`,
    `t1`.`abandoned_at`,
    `t1`.`first_response_at`,
    `t1`.`resolved_at`,
    `t1`.`closed_at`,
    `t1`.`reopen_count`,
    `t1`.`agent_replies`,
    `t1`.`talk_seconds`,
    `t1`.`hold_seconds`,
    `t1`.`wrap_seconds`,
    `t1`.`escalated`,
    `t1`.`escalation_tier`,
    `t1`.`escalated_at`,
    `t1`.`escalation_accepted_at`,
    `t1`.`escalation_summary`,
    `t1`.`resolved`,
    `t1`.`upsell`,
    `t1`.`cross_sell`,
    `t1`.`policy_denial`,
    `t1`.`complexity`,
    `t1`.`next_contact_at`,
    DATE_TRUNC('MONTH', `t1`.`created_at`) AS `period`
  FROM (
    SELECT
      `t0`.`interaction_id`,
      `t0`.`customer_id`,
      `t0`.`channel`,
      `t0`.`direction`,
      `t0`.`vendor`,
      `t0`.`site`,
      `t0`.`team`,
      `t0`.`agent_id`,
      `t0`.`queue`,
      `t0`.`category`,
      `t0`.`product`,
      `t0`.`priority`,
      `t0`.`language`,
      `t0`.`created_at`,
      `t0`.`answered_at`,
      `t0`.`abandoned_at`,
      `t0`.`first_response_at`,
      `t0`.`resolved_at`,
      `t0`.`closed_at`,
      `t0`.`reopen_count`,
      `t0`.`agent_replies`,
      `t0`.`talk_seconds`,
      `t0`.`hold_seconds`,
      `t0`.`wrap_seconds`,
      `t0`.`escalated`,
      `t0`.`escalation_tier`,
      `t0`.`escalated_at`,
      `t0`.`escalation_accepted_at`,
      `t0`.`escalation_summary`,
      `t0`.`resolved`,
      `t0`.`upsell`,
      `t0`.`cross_sell`,
      `t0`.`policy_denial`,
      `t0`.`complexity`,
      LEAD(`t0`.`created_at`) OVER (
        PARTITION BY `t0`.`customer_id`
        ORDER BY `t0`.`created_at` ASC NULLS LAST, `t0`.`interaction_id` ASC NULLS LAST
      ) AS `next_contact_at`
    FROM `interactions` AS `t0`
  ) AS `t1`
  WHERE
    NOT `t1`.`created_at` IS NULL
    AND COALESCE(NOT `t1`.`customer_id` IS NULL, FALSE)
    AND COALESCE(`t1`.`abandoned_at` IS NULL, FALSE)
    AND COALESCE(NOT `t1`.`resolved` IS NULL, FALSE)
) AS `t2`
GROUP BY
  1,
  2
