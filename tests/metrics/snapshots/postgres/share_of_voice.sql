SELECT
  "t1"."period",
  SUM(CASE WHEN "t1"."posted_at" IS NOT NULL THEN 1 ELSE 0 END) AS "n",
  SUM(
    CASE
      WHEN (
        "t1"."posted_at" IS NOT NULL
      )
      AND COALESCE("t1"."brand" = 'our brand', FALSE)
      THEN 1
      ELSE 0
    END
  ) AS "k"
FROM (
  SELECT
    "t0"."mention_id",
    "t0"."brand",
    "t0"."source",
    "t0"."posted_at",
    "t0"."text",
    "t0"."author",
    "t0"."sentiment",
    "t0"."sentiment_source",
    DATE_TRUNC('MONTH', "t0"."posted_at") AS "period"
  FROM "mentions" AS "t0"
  WHERE
    "t0"."posted_at" IS NOT NULL
) AS "t1"
GROUP BY
  1
