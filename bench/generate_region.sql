-- Bench data: organisations of a synthetic region, written straight into the `organizations`
-- table of a PostgreSQL database already migrated by `rsnms migrate`.
--
--   psql -v rows=1000000 -f bench/generate_region.sql postgres://postgres@127.0.0.1:5432/rsnms_bench
--
-- Shape: one regional authority, then one municipal authority per 1 000 rows (its municipality
-- has its own ОКТМО-like code) and educational organisations under it. Every row satisfies the
-- domain's rules (kind ↔ level, region code, municipality required below the region, contacts a
-- JSON object), so the API reads them back like rows it wrote itself.
--
-- Ids are UUIDv7-shaped and time-ordered (48-bit millisecond timestamp = 2025-01-01 (1735689600000 ms) + row
-- number, version nibble 7, variant 10xx, the rest from md5 of the row number): pagination
-- orders by id, as for ids the server mints with `Uuid::now_v7()`.

\if :{?rows}
\else
  \set rows 1000000
\endif

\timing on

BEGIN;

-- A fresh table each run: the bench owns this database.
TRUNCATE organizations CASCADE;

-- Row number → id (pure, so a parent's id is computed from its row number).
CREATE OR REPLACE FUNCTION pg_temp.bench_id(g bigint) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
    SELECT (lpad(to_hex(1735689600000 + g), 12, '0')
        || '7' || substr(md5(g::text), 1, 3)
        || substr('89ab', (g % 4)::int + 1, 1) || substr(md5(g::text), 4, 3)
        || substr(md5(g::text), 7, 12))::uuid
$$;

INSERT INTO organizations (
    id, name, name_search, short_name, kind, level, parent_id, region_code, municipality_code,
    municipality_name, inn, time_zone, contacts, opened_on, closed_on, created_at, updated_at, version
)
SELECT
    pg_temp.bench_id(g),
    CASE
        WHEN g = 0 THEN 'Министерство образования и науки Республики Бурятия'
        WHEN g % 1000 = 1 THEN 'Управление образования МО № ' || (g / 1000)
        ELSE 'МАОУ «Средняя общеобразовательная школа № ' || g || '»'
    END,
    CASE
        WHEN g = 0 THEN 'министерство образования и науки республики бурятия'
        WHEN g % 1000 = 1 THEN 'управление образования мо № ' || (g / 1000)
        ELSE 'маоу «средняя общеобразовательная школа № ' || g || '»'
    END,
    CASE WHEN g % 1000 > 1 THEN 'СОШ № ' || g END,
    CASE
        WHEN g = 0 THEN 'regional_authority'
        WHEN g % 1000 = 1 THEN 'municipal_authority'
        ELSE 'educational_organization'
    END,
    CASE WHEN g = 0 THEN 'regional' WHEN g % 1000 = 1 THEN 'municipal' ELSE 'institutional' END,
    -- Schools sit under their municipality's authority (row (g / 1000) * 1000 + 1).
    CASE WHEN g % 1000 > 1 THEN pg_temp.bench_id((g / 1000) * 1000 + 1) END,
    '03',
    CASE WHEN g = 0 THEN NULL ELSE lpad((81600000 + g / 1000)::text, 8, '0') END,
    CASE WHEN g = 0 THEN NULL ELSE 'МО № ' || (g / 1000) END,
    NULL,
    'Asia/Irkutsk',
    json_build_object(
        'address', 'Республика Бурятия, ул. Ленина, д. ' || (g % 200 + 1),
        'phone', '+7301' || lpad((g % 10000000)::text, 7, '0'),
        'email', 'school' || g || '@edu.example',
        'website', NULL
    ),
    date '2000-09-01' + (g % 8000),
    NULL,
    now(),
    now(),
    1
FROM generate_series(0, :rows - 1) AS g;

COMMIT;

ANALYZE organizations;

SELECT count(*) AS organizations FROM organizations;
