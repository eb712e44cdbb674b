SELECT
  `t1`.`period`,
  SUM(IF(NOT `t1`.`started_at` IS NULL, 1, 0)) AS `n`
FROM (
  SELECT
    `t0`.`session_id`,
    `t0`.`visitor_id`,
    `t0`.`customer_id`,
    `t0`.`started_at`,
    `t0`.`source`,
    DATE_TRUNC('MONTH', `t0`.`started_at`) AS `period`
  FROM `web_sessions` AS `t0`
  WHERE
    NOT `t0`.`started_at` IS NULL
) AS `t1`
GROUP BY
  1
