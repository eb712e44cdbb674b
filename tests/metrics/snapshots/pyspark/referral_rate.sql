SELECT
  `t1`.`period`,
  SUM(IF(NOT `t1`.`acquired_at` IS NULL, 1, 0)) AS `n`,
  SUM(
    IF(
      (
        NOT `t1`.`acquired_at` IS NULL
      )
      AND COALESCE(`t1`.`acquisition_source` = 'referral', FALSE),
      1,
      0
    )
  ) AS `k`
FROM (
  SELECT
    `t0`.`customer_id`,
    `t0`.`acquired_at`,
    `t0`.`churned_at`,
    `t0`.`segment`,
    `t0`.`region`,
    `t0`.`country`,
    `t0`.`age_group`,
    `t0`.`gender`,
    `t0`.`acquisition_source`,
    `t0`.`referred_by`,
    `t0`.`account_id`,
    `t0`.`email`,
    `t0`.`phone`,
    `t0`.`language`,
    `t0`.`surveys_opt_out`,
    DATE_TRUNC('MONTH', `t0`.`acquired_at`) AS `period`
  FROM `customers` AS `t0`
  WHERE
    NOT `t0`.`acquired_at` IS NULL
    AND COALESCE(NOT `t0`.`acquisition_source` IS NULL, FALSE)
) AS `t1`
GROUP BY
  1
