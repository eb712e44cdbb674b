SELECT
  `t1`.`period`,
  SUM(
    IF(
      (
        NOT `t1`.`ordered_at` IS NULL
      )
      AND (
        NOT `t1`.`amount` IS NULL AND NOT ISNAN(`t1`.`amount`)
      ),
      1,
      0
    )
  ) AS `n`,
  AVG(
    IF(
      (
        NOT `t1`.`ordered_at` IS NULL
      )
      AND (
        NOT `t1`.`amount` IS NULL AND NOT ISNAN(`t1`.`amount`)
      ),
      `t1`.`amount`,
      NULL
    )
  ) AS `mean`,
  STDDEV_SAMP(
    IF(
      (
        NOT `t1`.`ordered_at` IS NULL
      )
      AND (
        NOT `t1`.`amount` IS NULL AND NOT ISNAN(`t1`.`amount`)
      ),
      `t1`.`amount`,
      NULL
    )
  ) AS `sd`,
  MIN(`t1`.`currency`) AS `uniform_0_lo`,
  MAX(`t1`.`currency`) AS `uniform_0_hi`
FROM (
  SELECT
    `t0`.`order_id`,
    `t0`.`customer_id`,
    `t0`.`ordered_at`,
    `t0`.`amount`,
    `t0`.`currency`,
    `t0`.`channel`,
    `t0`.`status`,
    DATE_TRUNC('MONTH', `t0`.`ordered_at`) AS `period`
  FROM `orders` AS `t0`
  WHERE
    NOT `t0`.`ordered_at` IS NULL AND COALESCE(`t0`.`status` = 'completed', FALSE)
) AS `t1`
GROUP BY
  1
