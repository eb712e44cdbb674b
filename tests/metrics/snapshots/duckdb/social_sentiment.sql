SELECT
  "t3"."period",
  SUM(CASE WHEN "t3"."posted_at" IS NOT NULL THEN 1 ELSE 0 END) AS "n",
  SUM(
    CASE
      WHEN (
        "t3"."posted_at" IS NOT NULL
      )
      AND COALESCE("t3"."sentiment" = 'positive', FALSE)
      THEN 1
      ELSE 0
    END
  ) AS "pos",
  SUM(
    CASE
      WHEN (
        "t3"."posted_at" IS NOT NULL
      )
      AND COALESCE("t3"."sentiment" = 'negative', FALSE)
      THEN 1
      ELSE 0
    END
  ) AS "neg"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t1"."mention_id",
      "t1"."brand",
      "t1"."source",
      "t1"."posted_at",
      "t1"."text",
      "t1"."author",
      "t1"."sentiment",
      "t1"."sentiment_source",
      DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US("t1"."posted_at"))) AS "period"
    FROM (
      SELECT
        *
      FROM "mentions" AS "t0"
      WHERE
        "t0"."posted_at" IS NOT NULL
    ) AS "t1"
  ) AS "t2"
  WHERE
    COALESCE("t2"."brand" = 'our brand', FALSE)
    AND COALESCE("t2"."sentiment" IS NOT NULL, FALSE)
) AS "t3"
GROUP BY
  1
