SELECT
  `t1`.`period`,
  SUM(IF(NOT `t1`.`created_at` IS NULL, 1, 0)) AS `n`,
  SUM(
    IF(
      (
        NOT `t1`.`created_at` IS NULL
      ) AND COALESCE(`t1`.`order_id` IS NULL, FALSE),
      1,
      0
    )
  ) AS `k`
FROM (
  SELECT
    `t0`.`cart_id`,
    `t0`.`customer_id`,
    `t0`.`session_id`,
    `t0`.`created_at`,
    `t0`.`order_id`,
    DATE_TRUNC('MONTH', `t0`.`created_at`) AS `period`
  FROM `carts` AS `t0`
  WHERE
    NOT `t0`.`created_at` IS NULL
) AS `t1`
GROUP BY
  1
