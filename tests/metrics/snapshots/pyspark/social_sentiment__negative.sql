SELECT
  `t1`.`period`,
  SUM(IF(NOT `t1`.`posted_at` IS NULL, 1, 0)) AS `n`,
  SUM(
    IF(
      (
        NOT `t1`.`posted_at` IS NULL
      )
      AND COALESCE(`t1`.`sentiment` = 'negative', FALSE),
      1,
      0
    )
  ) AS `k`
FROM (
  SELECT
    `t0`.`mention_id`,
    `t0`.`brand`,
    `t0`.`source`,
    `t0`.`posted_at`,
    `t0`.`text`,
    `t0`.`author`,
    `t0`.`sentiment`,
    `t0`.`sentiment_source`,
    DATE_TRUNC('MONTH', `t0`.`posted_at`) AS `period`
  FROM `mentions` AS `t0`
  WHERE
    NOT `t0`.`posted_at` IS NULL
    AND COALESCE(`t0`.`brand` = 'our brand', FALSE)
    AND COALESCE(NOT `t0`.`sentiment` IS NULL, FALSE)
) AS `t1`
GROUP BY
  1
