SELECT
  `t6`.`vendor`,
  `t6`.`period`,
  SUM(IF(NOT `t6`.`responded_at` IS NULL, 1, 0)) AS `n`,
  SUM(
    IF(
      (
        NOT `t6`.`responded_at` IS NULL
      )
      AND COALESCE(`t6`.`score` >= (
        `t6`.`scale_max` - 1
      ), FALSE),
      1,
      0
    )
  ) AS `pos`,
  SUM(
    IF(
      (
        NOT `t6`.`responded_at` IS NULL
      )
      AND COALESCE(`t6`.`score` <= (
        `t6`.`scale_min` + 1
      ), FALSE),
      1,
      0
    )
  ) AS `neg`,
  MIN(`t6`.`scale_min`) AS `uniform_0_lo`,
  MAX(`t6`.`scale_min`) AS `uniform_0_hi`,
  MIN(`t6`.`scale_max`) AS `uniform_1_lo`,
  MAX(`t6`.`scale_max`) AS `uniform_1_hi`
FROM (
  SELECT
    `t5`.`response_id`,
    `t5`.`survey`,
    `t5`.`score`,
    `t5`.`scale_min`,
    `t5`.`scale_max`,
    `t5`.`responded_at`,
    `t5`.`sent_at`,
    `t5`.`customer_id`,
    `t5`.`interaction_id`,
    `t5`.`survey_channel`,
    `t5`.`kind`,
    `t5`.`touchpoint`,
    `t5`.`resolved_reported`,
    `t5`.`comment`,
    `t5`.`programme`,
    `t5`.`invitation_id`,
    COALESCE(`t5`.`vendor`, `t5`.`_i_vendor`) AS `vendor`,
    `t5`.`site`,
    `t5`.`team`,
    `t5`.`agent_id`,
    DATE_TRUNC('MONTH', `t5`.`responded_at`) AS `period`
  FROM (
    SELECT
      `t2`.`response_id`,
      `t2`.`survey`,
      `t2`.`score`,
      `t2`.`scale_min`,
      `t2`.`scale_max`,
      `t2`.`responded_at`,
      `t2`.`sent_at`,
      `t2`.`customer_id`,
      `t2`.`interaction_id`,
      `t2`.`survey_channel`,
      `t2`.`kind`,
      `t2`.`touchpoint`,
      `t2`.`resolved_reported`,
      `t2`.`comment`,
      `t2`.`programme`,
      `t2`.`invitation_id`,
      `t2`.`vendor`,
      `t2`.`site`,
      `t2`.`team`,
      `t2`.`agent_id`,
      `t4`.`_ii`,
      `t4`.`_i_vendor`
    FROM `survey_responses` AS `t2`
    LEFT OUTER JOIN (
      SELECT
        `t1`.`interaction_id` AS `_ii`,
        `t1`.`vendor` AS `_i_vendor`
      FROM `interactions` AS `t1`
    ) AS `t4`
      ON `t2`.`interaction_id` = `t4`.`_ii`
  ) AS `t5`
  WHERE
    NOT `t5`.`responded_at` IS NULL AND COALESCE(`t5`.`survey` = 'ces', FALSE)
) AS `t6`
GROUP BY
  1,
  2
