SELECT
  `t2`.`period`,
  COUNT(*) AS `n`,
  SUM(`t2`.`_f`) AS `k`
FROM (
  SELECT
    `t1`.`period`,
    `t1`.`customer_id`,
    IF(COUNT(*) >= 2, 1, 0) AS `_f`
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
      NOT `t0`.`ordered_at` IS NULL
      AND COALESCE(`t0`.`status` = 'completed', FALSE)
      AND NOT `t0`.`customer_id` IS NULL
  ) AS `t1`
  GROUP BY
    1,
    2
) AS `t2`
GROUP BY
  1
