SELECT
  `t1`.`vendor`,
  `t1`.`period`,
  SUM(IF(NOT `t1`.`created_at` IS NULL, 1, 0)) AS `n`,
  SUM(
    IF(
      (
        NOT `t1`.`created_at` IS NULL
      )
      AND COALESCE(NOT `t1`.`abandoned_at` IS NULL, FALSE),
      1,
      0
    )
  ) AS `k`
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
    DATE_TRUNC('MONTH', `t0`.`created_at`) AS `period`
  FROM `interactions` AS `t0`
  WHERE
    NOT `t0`.`created_at` IS NULL
    AND COALESCE(`t0`.`direction` = 'inbound', FALSE)
    AND COALESCE(`t0`.`channel` IN ('phone', 'chat'), FALSE)
    AND COALESCE(
      (
        NOT `t0`.`answered_at` IS NULL
      ) OR (
        NOT `t0`.`abandoned_at` IS NULL
      ),
      FALSE
    )
) AS `t1`
GROUP BY
  1,
  2
