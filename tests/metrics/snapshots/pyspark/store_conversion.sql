SELECT
  `t1`.`period`,
  SUM(IF(NOT `t1`.`visited_at` IS NULL, 1, 0)) AS `n`,
  SUM(
    IF(
      (
        NOT `t1`.`visited_at` IS NULL
      )
      AND COALESCE(NOT `t1`.`order_id` IS NULL, FALSE),
      1,
      0
    )
  ) AS `k`
FROM (
  SELECT
    `t0`.`visit_id`,
    `t0`.`store`,
    `t0`.`visited_at`,
    `t0`.`customer_id`,
    `t0`.`order_id`,
    DATE_TRUNC('MONTH', `t0`.`visited_at`) AS `period`
  FROM `store_visits` AS `t0`
  WHERE
    NOT `t0`.`visited_at` IS NULL
) AS `t1`
GROUP BY
  1
