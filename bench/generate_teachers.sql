-- Bench data: a whole region of `teachers` teachers for the monitoring report (issue 7), written
-- straight into a PostgreSQL database already migrated by `rsnms migrate` and started once by
-- `rsnms serve` (which seeds the shipped deadline policies the network requests point at).
--
--   psql -v teachers=40000 -v municipalities=23 -v years=2024,2025 \
--        -f bench/generate_teachers.sql postgres://postgres@127.0.0.1:5432/rsnms_bench_report
--
-- `rsnms seed-region` writes the same kind of region through the domain actions (every rule,
-- audit record and outbox event) but runs at ≈ 16 persons/s on a loaded machine; this script
-- writes only what the report reads, in one `INSERT … SELECT … FROM generate_series` per table
-- (no audit or outbox rows: nothing here is an API write). Every row keeps the domain's shapes
-- (kinds ↔ levels, statuses, route steps as the API stores them, agreement documents with
-- targets), so the API reads them back like rows it wrote itself.
--
-- Shape, for T teachers and M municipalities (the figures scale with T):
-- * organisations: the regional authority, the regional institute (ИРО), the ЦНППМ; per
--   municipality a municipal authority (its own ОКТМО-like code); one school per 40 teachers,
--   schools spread over the municipalities round-robin;
-- * persons: T teachers (role `teacher`; 1 in 10 also `mentor`), one manager per school (role
--   `manager`), one tutor per 200 teachers at the ЦНППМ (role `tutor`, 2 in 3) or the institute;
-- * competencies: one area and 4 competencies; programmes: 40, half developed by the ЦНППМ;
-- * per year: a diagnostic campaign with one result per teacher per competency, an individual
--   route for 60 % of the teachers (statuses draft/approved/in_progress/completed/cancelled,
--   1–3 steps, programme steps done or planned with a planned end in the year), 30 regional and
--   30 municipal events;
-- * mentoring pairs: 3 teacher pairs in 3 schools of 4, a manager–teacher pair in every third school;
-- * network requests: 4 per school (sent by the institute, by the school), a third of the
--   received ones overdue;
-- * one signed agreement per municipality over all the years, six indicators with yearly
--   targets and reported values.
--
-- Ids are UUIDv7-shaped and time-ordered (48-bit millisecond timestamp = 2025-01-01 + a
-- per-table offset + row number, version nibble 7, variant 10xx, the rest from md5), so lists
-- paginate by id as for ids the server mints.

\if :{?teachers}
\else
  \set teachers 40000
\endif
\if :{?municipalities}
\else
  \set municipalities 23
\endif
\if :{?years}
\else
  \set years 2024,2025
\endif

\set ON_ERROR_STOP on
\timing on

BEGIN;

-- A fresh region each run: the bench owns this database.
TRUNCATE organizations, persons, person_roles, competencies, programs, program_competencies,
    diagnostic_campaigns, diagnostic_results, individual_routes, route_evidence, offerings,
    offering_competencies, mentoring_pairs, network_requests, network_request_counters,
    agreements, agreement_versions, agreement_amendments, agreement_indicator_values CASCADE;

-- (table number, row number) → id. Table numbers: 1 organisations, 2 persons, 3 competencies,
-- 4 programmes, 5 campaigns, 6 results, 7 routes, 8 steps, 9 offerings, 10 pairs, 11 requests,
-- 12 agreements, 13 indicators, 14 values, 15 agreement versions.
CREATE OR REPLACE FUNCTION pg_temp.bid(t int, g bigint) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
    SELECT (lpad(to_hex(1735689600000 + t::bigint * 100000000 + g), 12, '0')
        || '7' || substr(md5(t || ':' || g), 1, 3)
        || substr('89ab', (g % 4)::int + 1, 1) || substr(md5(t || ':' || g), 4, 3)
        || substr(md5(t || ':' || g), 7, 12))::uuid
$$;

CREATE TEMP TABLE bench_params AS
SELECT :teachers::bigint AS teachers,
       :municipalities::bigint AS municipalities,
       greatest(1, ceil(:teachers / 40.0))::bigint AS schools,
       greatest(1, ceil(:teachers / 200.0))::bigint AS tutors,
       ARRAY[:years]::int[] AS years;

-- Organisations: 0 regional authority, 1 regional institute, 2 ЦНППМ, 10 + m municipal
-- authority m (1..M), 1000 + s school s (0..S-1) in municipality s % M + 1.
INSERT INTO organizations (id, name, name_search, short_name, kind, level, parent_id, region_code,
    municipality_code, municipality_name, inn, time_zone, contacts, opened_on, closed_on, created_at,
    updated_at, version)
SELECT pg_temp.bid(1, 0), 'Министерство образования и науки Республики Бурятия',
       'министерство образования и науки республики бурятия', 'Минобрнауки РБ', 'regional_authority',
       'regional', NULL, '03', NULL, NULL, '0323085259', 'Asia/Irkutsk', '{}'::json, NULL::date, NULL::date, now(), now(), 1
UNION ALL
SELECT pg_temp.bid(1, 1), 'ГАУ ДПО РБ «Бурятский республиканский институт образовательной политики»',
       'гау дпо рб «бурятский республиканский институт образовательной политики»', 'БРИОП',
       'regional_institute', 'regional', pg_temp.bid(1, 0), '03', NULL, NULL, NULL, 'Asia/Irkutsk', '{}'::json,
       NULL, NULL, now(), now(), 1
UNION ALL
SELECT pg_temp.bid(1, 2), 'Центр непрерывного повышения профессионального мастерства педагогических работников',
       'центр непрерывного повышения профессионального мастерства педагогических работников', 'ЦНППМ',
       'cnppm', 'regional', pg_temp.bid(1, 1), '03', NULL, NULL, NULL, 'Asia/Irkutsk', '{}', NULL, NULL,
       now(), now(), 1;

INSERT INTO organizations (id, name, name_search, short_name, kind, level, parent_id, region_code,
    municipality_code, municipality_name, inn, time_zone, contacts, opened_on, closed_on, created_at,
    updated_at, version)
SELECT pg_temp.bid(1, 10 + m), 'Управление образования МО № ' || m, 'управление образования мо № ' || m,
       NULL, 'municipal_authority', 'municipal', pg_temp.bid(1, 0), '03', (81600000 + m * 1000)::text,
       'Муниципальное образование № ' || m, NULL, 'Asia/Irkutsk', '{}'::json, NULL::date, NULL::date, now(), now(), 1
FROM bench_params, generate_series(1, municipalities) m;

INSERT INTO organizations (id, name, name_search, short_name, kind, level, parent_id, region_code,
    municipality_code, municipality_name, inn, time_zone, contacts, opened_on, closed_on, created_at,
    updated_at, version)
SELECT pg_temp.bid(1, 1000 + s), 'МАОУ «Средняя общеобразовательная школа № ' || s || '»',
       'маоу «средняя общеобразовательная школа № ' || s || '»', 'СОШ № ' || s,
       'educational_organization', 'institutional', pg_temp.bid(1, 10 + s % municipalities + 1), '03',
       (81600000 + (s % municipalities + 1) * 1000)::text, 'Муниципальное образование № ' || (s % municipalities + 1),
       NULL, 'Asia/Irkutsk', '{}', NULL,
       -- one school in 50 closed in the first year (still counted in that year's population)
       CASE WHEN s % 50 = 49 THEN make_date(years[1], 6, 30) END, now(), now(), 1
FROM bench_params, generate_series(0, schools - 1) s;

-- Persons: teacher i (0..T-1) = row i at school i % S; manager of school s = row T + s;
-- tutor k = row T + S + k (at the ЦНППМ for k % 3 < 2, else at the institute).
INSERT INTO persons (id, surname, first_name, patronymic, position, name_search, organization_id,
    email, phone, snils, birth_date, hire_date, created_at, updated_at, version)
SELECT pg_temp.bid(2, i), 'Иванова' || i, 'Мария', 'Петровна', 'учитель',
       'иванова' || i || ' мария петровна', pg_temp.bid(1, 1000 + i % schools), NULL, NULL, NULL,
       make_date(1960 + (i % 40)::int, 1 + (i % 12)::int, 1 + (i % 28)::int),
       make_date(1985 + (i % 38)::int, 9, 1), now(), now(), 1
FROM bench_params, generate_series(0, teachers - 1) i
UNION ALL
SELECT pg_temp.bid(2, teachers + s), 'Петров' || s, 'Иван', 'Сергеевич', 'директор',
       'петров' || s || ' иван сергеевич', pg_temp.bid(1, 1000 + s), NULL, NULL, NULL, NULL, NULL,
       now(), now(), 1
FROM bench_params, generate_series(0, schools - 1) s
UNION ALL
SELECT pg_temp.bid(2, teachers + schools + k), 'Сидорова' || k, 'Анна', 'Ивановна', 'тьютор',
       'сидорова' || k || ' анна ивановна', pg_temp.bid(1, CASE WHEN k % 3 < 2 THEN 2 ELSE 1 END),
       NULL, NULL, NULL, NULL, NULL, now(), now(), 1
FROM bench_params, generate_series(0, tutors - 1) k;

INSERT INTO person_roles (person_id, role)
SELECT pg_temp.bid(2, i), 'teacher' FROM bench_params, generate_series(0, teachers - 1) i
UNION ALL
SELECT pg_temp.bid(2, i), 'mentor' FROM bench_params, generate_series(0, teachers - 1) i WHERE i % 10 = 3
UNION ALL
SELECT pg_temp.bid(2, teachers + s), 'manager' FROM bench_params, generate_series(0, schools - 1) s
UNION ALL
SELECT pg_temp.bid(2, teachers + schools + k), 'tutor' FROM bench_params, generate_series(0, tutors - 1) k;

-- Competencies: area 0, competencies 1..4.
INSERT INTO competencies (id, node, parent_id, area_kind, code, name, description, status, retired_at,
    created_at, updated_at, version)
SELECT pg_temp.bid(3, 0), 'area', NULL, 'methodological', 'СП', 'Методические компетенции', NULL, 'active',
       NULL::timestamptz, now(), now(), 1
UNION ALL
SELECT pg_temp.bid(3, c), 'competency', pg_temp.bid(3, 0), 'methodological', 'СП-' || c,
       'Компетенция ' || c, NULL, 'active', NULL, now(), now(), 1
FROM generate_series(1, 4) c;

-- Programmes 0..39: even ones by the ЦНППМ, odd ones by the institute.
INSERT INTO programs (id, title, kind, hours, form, developer_id, audience, annotation, planned_results,
    competency_ids, federal_registry, registry_id, registry_included_on, created_at, updated_at, version)
SELECT pg_temp.bid(4, p), 'Программа повышения квалификации № ' || p, 'qualification_upgrade', 36, 'in_person',
       pg_temp.bid(1, CASE WHEN p % 2 = 0 THEN 2 ELSE 1 END), NULL, NULL, NULL,
       json_build_array(pg_temp.bid(3, 1 + p % 4)), false, NULL, NULL, now(), now(), 1
FROM generate_series(0, 39) p;
INSERT INTO program_competencies (program_id, competency_id)
SELECT pg_temp.bid(4, p), pg_temp.bid(3, 1 + p % 4) FROM generate_series(0, 39) p;

-- One diagnostic campaign per year (row = year), one result per teacher and competency.
INSERT INTO diagnostic_campaigns (id, name, instrument, period_start, period_end, organizer_id, target_group,
    target_description, scale, competency_ids, created_at, updated_at, version)
SELECT pg_temp.bid(5, y), 'Региональная диагностика профессиональных дефицитов ' || y, 'regional_test',
       make_date(y, 2, 1), make_date(y, 4, 30), pg_temp.bid(1, 1), 'teachers', NULL,
       '{"max": 100.0, "kind": "points", "threshold": 60.0}',
       json_build_array(pg_temp.bid(3, 1), pg_temp.bid(3, 2), pg_temp.bid(3, 3), pg_temp.bid(3, 4)),
       now(), now(), 1
FROM bench_params, unnest(years) y;

INSERT INTO diagnostic_results (id, campaign_id, person_id, competency_id, score, level, assessed_on, deficit,
    created_at, updated_at, version)
SELECT pg_temp.bid(6, (y - years[1]) * teachers * 4 + i * 4 + c - 1), pg_temp.bid(5, y), pg_temp.bid(2, i),
       pg_temp.bid(3, c), ((i * 7 + c * 13 + y) % 101)::float8, NULL, make_date(y, 4, 1 + (i % 28)::int),
       (i * 7 + c * 13 + y) % 101 < 60, now(), now(), 1
FROM bench_params, unnest(years) y, generate_series(0, teachers - 1) i, generate_series(1, 4) c;

-- Individual routes: teacher i has a route in year y when (i + y) % 5 < 3 (60 %). Row number
-- r = (y - first year) * T + i. Status by (i + y) % 20; steps: 1 + i % 3, step j a programme
-- (programme (i + j) % 40) done when the route is completed (or, in progress, its first step).
INSERT INTO individual_routes (id, person_id, tutor_id, period_start, period_end, status, diagnostic_ids,
    deficit_competency_ids, steps, transfer, repeat_diagnostic_on, repeat_campaign_id, approved_by,
    approved_at, started_at, completed_at, cancelled_at, created_at, updated_at, version)
SELECT pg_temp.bid(7, r), pg_temp.bid(2, i), pg_temp.bid(2, teachers + schools + i % tutors),
       make_date(y, 1, 1), make_date(y, 12, 31), st,
       json_build_array(pg_temp.bid(6, (y - y0) * teachers * 4 + i * 4)),
       json_build_array(pg_temp.bid(3, 1 + i % 4)),
       (SELECT json_agg(json_build_object(
            'id', pg_temp.bid(8, r * 3 + j), 'title', 'Курсы повышения квалификации', 
            'status', CASE WHEN st = 'completed' OR (st = 'in_progress' AND j = 0) THEN 'done'
                           WHEN st = 'in_progress' AND j = 1 THEN 'in_progress' ELSE 'planned' END,
            'activity', 'program', 'resource', NULL, 'program_id', pg_temp.bid(4, (i + j) % 40),
            'planned_end', make_date(y, 3 + (j * 3)::int, 1 + (i % 28)::int),
            'planned_start', make_date(y, 2 + (j * 3)::int, 1),
            'competency_ids', json_build_array(pg_temp.bid(3, 1 + i % 4)),
            'reporting_form', 'certificate', 'expected_result', 'Применение освоенных приёмов на уроках')
            ORDER BY j)
        FROM generate_series(0, i % 3) j),
       CASE WHEN st = 'completed' THEN json_build_array(json_build_object('form', 'master_class',
            'held_on', make_date(y, 12, 15), 'description', 'Мастер-класс для коллег школы'))
            ELSE '[]'::json END,
       NULL, NULL,
       CASE WHEN st <> 'draft' THEN 'bench' END,
       CASE WHEN st IN ('approved', 'in_progress', 'completed') THEN make_date(y, 1, 20)::timestamptz END,
       CASE WHEN st IN ('in_progress', 'completed') THEN make_date(y, 2, 1)::timestamptz END,
       CASE WHEN st = 'completed' THEN make_date(y, 12, 20)::timestamptz END,
       CASE WHEN st = 'cancelled' THEN make_date(y, 5, 1)::timestamptz END,
       now(), now(), 1
FROM (
    SELECT y, i, teachers, schools, tutors, years[1] AS y0, (y - years[1]) * teachers + i AS r,
           CASE WHEN (i + y) % 20 < 2 THEN 'draft' WHEN (i + y) % 20 < 5 THEN 'approved'
                WHEN (i + y) % 20 < 10 THEN 'in_progress' WHEN (i + y) % 20 < 19 THEN 'completed'
                ELSE 'cancelled' END AS st
    FROM bench_params, unnest(years) y, generate_series(0, teachers - 1) i
    WHERE (i + y) % 5 < 3
) routes;

-- Events: per year 30 regional ones by the institute and 30 municipal ones.
INSERT INTO offerings (id, offering, title, kind, level, starts_on, ends_on, organization_id, competency_ids,
    participants, capacity, decision, created_at, updated_at, version)
SELECT pg_temp.bid(9, (y - years[1]) * 60 + e),
       'event', CASE WHEN e < 30 THEN 'Региональный' ELSE 'Муниципальный' END || ' методический семинар № ' || e,
       'master_class', CASE WHEN e < 30 THEN 'regional' ELSE 'municipal' END,
       make_date(y, 1 + (e % 12)::int, 1 + (e % 28)::int), NULL,
       CASE WHEN e < 30 THEN pg_temp.bid(1, 1) ELSE pg_temp.bid(1, 10 + e % municipalities + 1) END,
       '[]', 40, NULL, NULL, now(), now(), 1
FROM bench_params, unnest(years) y, generate_series(0, 59) e;

-- Mentoring pairs: 3 teacher pairs in 3 schools of 4 (teachers of the school itself),
-- a manager–teacher pair in every third school. Started in the first year or the next.
INSERT INTO mentoring_pairs (id, mentor_id, mentee_id, form, period_start, period_end, organization_id,
    competency_ids, created_at, updated_at, version)
SELECT pg_temp.bid(10, s * 4 + k), pg_temp.bid(2, s + schools * (2 * k)), pg_temp.bid(2, s + schools * (2 * k + 1)),
       'peer', make_date(years[1] + (s % 2)::int, 9, 1), NULL, pg_temp.bid(1, 1000 + s), '[]'::json, now(), now(), 1
FROM bench_params, generate_series(0, schools - 1) s, generate_series(0, 2) k
WHERE s + schools * (2 * k + 1) < teachers AND s % 4 <> 3
UNION ALL
SELECT pg_temp.bid(10, s * 4 + 3), pg_temp.bid(2, teachers + s), pg_temp.bid(2, s + schools * 6),
       'manager_teacher', make_date(years[1], 10, 1), make_date(years[1] + 1, 5, 31), pg_temp.bid(1, 1000 + s),
       '[]'::json, now(), now(), 1
FROM bench_params, generate_series(0, schools - 1) s
WHERE s % 3 = 0 AND s + schools * 6 < teachers;

-- Network requests: per school 4 (k 0..3): the institute asks the school (k 0, 1), the school asks
-- its municipal authority (k 2, 3). Status by (s + k) % 6: answered ×2, received ×3 (one
-- overdue: due yesterday), sent ×1.
INSERT INTO network_requests (id, status, sender_organization_id, sender_name, addressee_organization_id,
    addressee_name, addressee_region_code, addressee_municipality_code, sender_region_code,
    sender_municipality_code, reply_contact, sent_on, author, subject, body, channel, outgoing_number,
    outgoing_year, outgoing_seq, incoming_number, received_on, policy_id, deadline, due_on, due_at, reply,
    contains_personal_data, personal_data_basis, attachments, agreement_id, history, due_soon_notified_at,
    overdue_notified_at, created_at, updated_at, version)
SELECT pg_temp.bid(11, n), st,
       CASE WHEN k < 2 THEN pg_temp.bid(1, 1) ELSE pg_temp.bid(1, 1000 + s) END,
       CASE WHEN k < 2 THEN 'БРИОП' ELSE 'СОШ № ' || s END,
       CASE WHEN k < 2 THEN pg_temp.bid(1, 1000 + s) ELSE pg_temp.bid(1, 10 + mun) END,
       CASE WHEN k < 2 THEN 'СОШ № ' || s ELSE 'Управление образования МО № ' || mun END,
       '03', (81600000 + mun * 1000)::text, '03',
       CASE WHEN k < 2 THEN NULL ELSE (81600000 + mun * 1000)::text END,
       'metod@example.ru', sent, '{"email": "metod@example.ru", "phone": null, "surname": "Иванова", "position": "методист", "first_name": "Ирина", "patronymic": "Андреевна"}',
       'О предоставлении сведений', 'Просим предоставить сведения.', 'edms',
       n || '/' || extract(year FROM sent)::int, extract(year FROM sent)::int, n,
       CASE WHEN st IN ('received', 'answered') THEN 'вх-' || n END,
       CASE WHEN st IN ('received', 'answered') THEN sent END,
       pol.id,
       json_build_object('due_at', due_at, 'due_on', due_at::date, 'policy_id', pol.id, 'starts_on', sent + 1,
            'time_zone', 'Asia/Irkutsk', 'extended_by', 0, 'policy_code', pol.code, 'policy_name', pol.name,
            'provisional', false, 'region_code', '03', 'counted_days', 5, 'skipped_days', '[]'::json),
       due_at::date, due_at,
       CASE WHEN st = 'answered' THEN json_build_object('text', 'Сведения направляем.', 'replied_on', sent + 3,
            'attachments', '[]'::json, 'responder_name', 'Директор школы', 'responder_position', 'директор') END,
       false, NULL, '[]'::json, NULL, '[]'::json, NULL, NULL, now(), now(), 1
FROM (
    SELECT s, k, s * 4 + k AS n, s % municipalities + 1 AS mun,
           CASE WHEN (s + k) % 6 < 2 THEN 'answered' WHEN (s + k) % 6 < 5 THEN 'received' ELSE 'sent' END AS st,
           CASE WHEN (s + k) % 6 = 4 THEN current_date - 9 ELSE current_date - 2 - ((s + k) % 60)::int * 5 END AS sent,
           CASE WHEN (s + k) % 6 = 4 THEN (current_date - 1)::timestamptz ELSE (current_date + 7)::timestamptz END AS due_at
    FROM bench_params, generate_series(0, schools - 1) s, generate_series(0, 3) k
) r
CROSS JOIN (SELECT id, code, name FROM deadline_policies ORDER BY code LIMIT 1) pol;

-- Agreements: one signed agreement per municipality over all the years, six indicators keyed as
-- the monitoring definitions expect (number + kind), yearly targets and reported values.
CREATE TEMP TABLE bench_indicators AS
SELECT * FROM (VALUES
    (1, 'result', 'Доля педагогических работников, для которых в ЦНППМ были разработаны ИОМ, нарастающим итогом', 'percent'),
    (1, 'indicator', 'Доля педагогических работников, прошедших повышение квалификации, нарастающим итогом', 'percent'),
    (2, 'result', 'Доля педагогических работников, прошедших повышение квалификации в ЦНППМ, нарастающим итогом', 'percent'),
    (4, 'result', 'Количество проведённых мероприятий регионального уровня, нарастающим итогом', 'units'),
    (6, 'result', 'Доля школ, реализующих целевую модель наставничества, нарастающим итогом', 'percent'),
    (7, 'result', 'Доля школ, управленческие команды которых вовлечены в менторство, нарастающим итогом', 'percent')
) v(number, kind, name, unit);

CREATE TEMP TABLE bench_agreements AS
SELECT m, pg_temp.bid(12, m) AS id, m || '-РСНМС' AS number, (81600000 + m * 1000)::text AS code,
       make_date(years[1], 1, 20) AS valid_from, make_date(years[array_length(years, 1)], 12, 31) AS valid_until,
       json_build_object(
           'place', NULL, 'title', 'Соглашение о функционировании региональной системы научно-методического сопровождения',
           'number', m || '-РСНМС',
           'clauses', json_build_array(json_build_object('kind', 'general', 'text',
               'Предметом настоящего Соглашения является организация взаимодействия Сторон по функционированию РСНМС.',
               'party', NULL, 'number', '1.1', 'indicators', '[]'::json)),
           'parties', json_build_object(
               'regional_authority', json_build_object('signatory', json_build_object('name', 'Орлова Дарима Викторовна',
                   'position', 'министр', 'acting_basis', 'на основании Устава'), 'designation', 'Министерство',
                   'organization_id', pg_temp.bid(1, 0)),
               'regional_institute', json_build_object('signatory', json_build_object('name', 'Морозова Светлана Викторовна',
                   'position', 'ректор', 'acting_basis', 'на основании Устава'), 'designation', 'Институт',
                   'organization_id', pg_temp.bid(1, 1)),
               'municipal_authority', json_build_object('signatory', json_build_object('name', 'Дашиев Михаил Викторович',
                   'position', 'начальник управления образования', 'acting_basis', 'на основании Устава'),
                   'designation', 'Управление', 'organization_id', pg_temp.bid(1, 10 + m))),
           'subject', 'Организация взаимодействия Сторон по достижению показателей РСНМС',
           'signed_on', make_date(years[1], 1, 20),
           'indicators', (SELECT json_agg(json_build_object('id', pg_temp.bid(13, m * 10 + x.ord), 'kind', x.kind,
                   'name', x.name, 'unit', x.unit, 'number', x.number,
                   'targets', (SELECT json_agg(json_build_object('year', y, 'value', 10 + (y - years[1]) * 10 + x.ord)
                                ORDER BY y) FROM unnest(years) y),
                   'numerator', NULL, 'denominator', NULL, 'accumulation', 'cumulative') ORDER BY x.ord)
               FROM (SELECT *, row_number() OVER () AS ord FROM bench_indicators) x),
           'valid_from', make_date(years[1], 1, 20), 'valid_until', make_date(years[array_length(years, 1)], 12, 31),
           'mutual_financial_terms', false) AS document
FROM bench_params, generate_series(1, municipalities) m;

INSERT INTO agreements (id, number, lifecycle, region_code, municipality_code, municipality_name,
    regional_authority_id, regional_institute_id, municipal_authority_id, signed_on, valid_from, valid_until,
    terminated_on, termination_reason, document, created_at, updated_at, version)
SELECT id, number, 'signed', '03', code, 'Муниципальное образование № ' || m, pg_temp.bid(1, 0), pg_temp.bid(1, 1),
       pg_temp.bid(1, 10 + m), valid_from, valid_from, valid_until, NULL, NULL, document, now(), now(), 1
FROM bench_agreements;

INSERT INTO agreement_versions (id, agreement_id, number, effective_from, amendment_id, document, created_at)
SELECT pg_temp.bid(15, m), id, 1, valid_from, NULL, document, now() FROM bench_agreements;

INSERT INTO agreement_indicator_values (id, agreement_id, indicator_id, year, quarter, value, source, comment,
    reported_by, reporter_role, flags, reported_at)
SELECT pg_temp.bid(14, (a.m * 10 + x) * 10000 + y), a.id, pg_temp.bid(13, a.m * 10 + x), y, NULL,
       8 + (y - p.years[1]) * 10 + x + a.m % 5, 'отчёт муниципалитета', NULL, 'bench', 'admin', '[]'::json, now()
FROM bench_agreements a, bench_params p, generate_series(1, 6) x, unnest(p.years) y;

COMMIT;

ANALYZE;

SELECT 'organizations' AS "table", count(*) FROM organizations
UNION ALL SELECT 'persons', count(*) FROM persons
UNION ALL SELECT 'person_roles', count(*) FROM person_roles
UNION ALL SELECT 'diagnostic_results', count(*) FROM diagnostic_results
UNION ALL SELECT 'individual_routes', count(*) FROM individual_routes
UNION ALL SELECT 'offerings', count(*) FROM offerings
UNION ALL SELECT 'mentoring_pairs', count(*) FROM mentoring_pairs
UNION ALL SELECT 'network_requests', count(*) FROM network_requests
UNION ALL SELECT 'agreements', count(*) FROM agreements;
