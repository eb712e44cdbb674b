SELECT
  `t2`.`period`,
  MAX(`t2`.`_n`) AS `n`,
  MAX(
    IF(
      CAST(`t2`.`_rn` AS DOUBLE) = GREATEST(
        LEAST(
          CAST(FLOOR((
            CAST(`t2`.`_n` AS DOUBLE) + 1
          ) / 2) AS BIGINT),
          CAST(`t2`.`_n` AS DOUBLE)
        ),
        1
      ),
      `t2`.`_x`,
      NULL
    )
  ) AS `q_lo`,
  MAX(
    IF(
      CAST(`t2`.`_rn` AS DOUBLE) = GREATEST(
        LEAST(
          CAST(CEIL((
            CAST(`t2`.`_n` AS DOUBLE) + 1
          ) / 2) AS BIGINT),
          CAST(`t2`.`_n` AS DOUBLE)
        ),
        1
      ),
      `t2`.`_x`,
      NULL
    )
  ) AS `q_hi`,
  MAX(
    IF(
      CAST(`t2`.`_rn` AS DOUBLE) = GREATEST(
        LEAST(
          CAST(FLOOR(
            (
              (
                CAST(`t2`.`_n` AS DOUBLE) * 0.5
              ) - (
                SQRT(CAST(`t2`.`_n` AS DOUBLE) * 0.5 * 0.5) * 1.959963984540054
              )
            ) + 0.5
          ) AS BIGINT),
          CAST(`t2`.`_n` AS DOUBLE)
        ),
        1
      ),
      `t2`.`_x`,
      NULL
    )
  ) AS `ci_lo`,
  MAX(
    IF(
      CAST(`t2`.`_rn` AS DOUBLE) = GREATEST(
        LEAST(
          CAST(CEIL(
            (
              CAST(`t2`.`_n` AS DOUBLE) * 0.5
            ) + (
              SQRT(CAST(`t2`.`_n` AS DOUBLE) * 0.5 * 0.5) * 1.959963984540054
            ) + 0.5
          ) AS BIGINT),
          CAST(`t2`.`_n` AS DOUBLE)
        ),
        1
      ),
      `t2`.`_x`,
      NULL
    )
  ) AS `ci_hi`
FROM (
  SELECT
    `t1`.`period`,
    `t1`.`_x`,
    (
      ROW_NUMBER() OVER (PARTITION BY `t1`.`period` ORDER BY `t1`.`_x` ASC NULLS LAST) - 1
    ) + 1 AS `_rn`,
    COUNT(`t1`.`_x`) OVER (
      PARTITION BY `t1`.`period`
      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
    ) AS `_n`
  FROM (
    SELECT
      DATE_TRUNC('MONTH', `t0`.`opened_at`) AS `period`,
      CAST(UNIX_TIMESTAMP(CAST(`t0`.`first_contact_at` AS TIMESTAMP)) AS DOUBLE) - CAST(UNIX_TIMESTAMP(CAST(`t0`.`opened_at` AS TIMESTAMP)) AS DOUBLE) AS `_x`
    FROM `followup_cases` AS `t0`
    WHERE
      NOT `t0`.`opened_at` IS NULL
  ) AS `t1`
) AS `t2`
GROUP BY
  1
