-- Bench data for bench/deadlines.sh: network requests (сетевые запросы) written straight into
-- `network_requests` of a PostgreSQL database migrated and seeded by the server (the deadline
-- policies exist) and filled with organisations by generate_region.sql.
--
--   psql -v rows=1000000 -v overdue_permille=50 -f bench/generate_requests.sql postgres://…/rsnms_bench_deadlines
--
-- Shape, by row number g (g % 1000 against the permille bands, so every stretch of ids has the
-- same mix): 10 % draft, 10 % sent, `overdue_permille` ‰ received and overdue (due 1–300 days
-- ago), 50 ‰ received and not yet due (due in 1–60 days), withdrawn 50 ‰, the rest answered.
-- Senders and addressees are schools, round-robin. Every row satisfies what the server reads
-- back (status, channel, author, deadline and reply JSON, history, attachments), without
-- personal data (so listing them writes no audit records).
--
-- Ids are UUIDv7-shaped and time-ordered (from 2025-02-01, one millisecond per row), like those
-- the server mints, and never collide with generate_region.sql's.

\if :{?rows}
\else
  \set rows 1000000
\endif
\if :{?overdue_permille}
\else
  \set overdue_permille 50
\endif

\timing on

BEGIN;

TRUNCATE network_requests;

CREATE OR REPLACE FUNCTION pg_temp.request_id(g bigint) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
    SELECT (lpad(to_hex(1738368000000 + g), 12, '0')
        || '7' || substr(md5('r' || g), 1, 3)
        || substr('89ab', (g % 4)::int + 1, 1) || substr(md5('r' || g), 4, 3)
        || substr(md5('r' || g), 7, 12))::uuid
$$;

CREATE TEMP TABLE schools ON COMMIT DROP AS
SELECT (row_number() OVER (ORDER BY id) - 1)::bigint AS n, id, name, region_code, municipality_code
FROM organizations
WHERE kind = 'educational_organization';

CREATE TEMP TABLE policy ON COMMIT DROP AS
SELECT id, code, name FROM deadline_policies ORDER BY is_default DESC, code LIMIT 1;

INSERT INTO network_requests (
    id, status, sender_organization_id, sender_name, addressee_organization_id, addressee_name,
    addressee_region_code, addressee_municipality_code, sender_region_code, sender_municipality_code,
    reply_contact, sent_on, author, subject, body, channel, outgoing_number, outgoing_year, outgoing_seq,
    incoming_number, received_on, policy_id, deadline, due_on, due_at, reply, contains_personal_data,
    personal_data_basis, attachments, agreement_id, history, due_soon_notified_at, overdue_notified_at,
    created_at, updated_at, version
)
SELECT
    pg_temp.request_id(r.g),
    r.status,
    s.id, s.name, a.id, a.name, a.region_code, a.municipality_code, s.region_code, s.municipality_code,
    'ответ на адрес отправителя',
    CASE WHEN r.status <> 'draft' THEN r.received_on - 1 END,
    json_build_object('surname', 'Петрова', 'first_name', 'Анна', 'patronymic', NULL, 'position', 'методист',
                      'phone', '+73012210000', 'email', 'metod@edu.example'),
    'О предоставлении сведений № ' || r.g,
    'Просим представить сведения о методической работе за период.',
    (ARRAY['edms', 'paper', 'email'])[(r.g % 3)::int + 1],
    CASE WHEN r.status <> 'draft' THEN r.g || '/2026' END,
    CASE WHEN r.status <> 'draft' THEN 2026 END,
    CASE WHEN r.status <> 'draft' THEN r.g END,
    CASE WHEN r.status IN ('received', 'answered') THEN 'вх-' || r.g END,
    CASE WHEN r.status IN ('received', 'answered') THEN r.received_on END,
    p.id,
    CASE WHEN r.status IN ('received', 'answered') THEN json_build_object(
        'policy_id', p.id, 'policy_code', p.code, 'policy_name', p.name,
        'starts_on', r.received_on + 1, 'due_on', r.due_on, 'counted_days', 30,
        'skipped_days', '[]'::json, 'provisional', false, 'extended_by', 0,
        'due_at', to_char(r.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
        'time_zone', 'Asia/Irkutsk', 'region_code', '03') END,
    CASE WHEN r.status IN ('received', 'answered') THEN r.due_on END,
    CASE WHEN r.status IN ('received', 'answered') THEN r.due_at END,
    CASE WHEN r.status = 'answered' THEN json_build_object(
        'text', 'Сведения направляем.', 'responder_name', 'Иванова А. П.', 'responder_position', 'директор',
        'replied_on', r.due_on - 2, 'attachments', '[]'::json) END,
    false, NULL, '[]'::json, NULL, '[]'::json, NULL, NULL,
    now(), now(), 1
FROM (
    SELECT g, b,
        CASE
            WHEN b < 100 THEN 'draft'
            WHEN b < 200 THEN 'sent'
            WHEN b < 200 + :overdue_permille + 50 THEN 'received'
            WHEN b < 950 THEN 'answered'
            ELSE 'withdrawn'
        END AS status,
        d.due_on,
        d.due_on - 42 AS received_on,
        -- The due day ends at local midnight in Irkutsk (UTC+8): 16:00 UTC of the due day.
        (d.due_on::timestamp + interval '16 hours') AT TIME ZONE 'UTC' AS due_at
    FROM (SELECT g, g % 1000 AS b FROM generate_series(0, :rows - 1) AS g) AS x
    CROSS JOIN LATERAL (
        SELECT CASE
            WHEN b >= 200 AND b < 200 + :overdue_permille THEN current_date - 1 - (g % 300)::int
            WHEN b >= 200 + :overdue_permille AND b < 250 + :overdue_permille THEN current_date + 1 + (g % 60)::int
            ELSE current_date - 1 - (g % 700)::int
        END AS due_on
    ) AS d
) AS r
JOIN schools s ON s.n = r.g % (SELECT count(*) FROM schools)
JOIN schools a ON a.n = (r.g * 7 + 3) % (SELECT count(*) FROM schools)
CROSS JOIN policy p;

COMMIT;

ANALYZE network_requests;

SELECT status, count(*) FROM network_requests GROUP BY status ORDER BY status;
SELECT count(*) AS overdue FROM network_requests WHERE status = 'received' AND due_at <= now();
