#!/usr/bin/env python3
"""Bench data for bench/import.sh: N valid person lines (NDJSON) for POST /api/v1/imports/persons.

    python3 bench/generate_persons.py ROWS ORG_IDS_FILE > persons.ndjson

ORG_IDS_FILE lists organisation ids (one a line) that exist in the target database; persons are
spread over them round-robin. Every line passes the API's rules: surname and first name,
an organisation, 1–2 roles, an e-mail, a phone, a unique СНИЛС with a valid checksum, a birth
date 1960–1999 and a hire date after the 18th birthday. Deterministic: the same ROWS give the
same file.
"""

import json
import sys

SURNAMES = ["Иванова", "Петрова", "Сидорова", "Цыренова", "Доржиева", "Смирнова", "Бадмаева", "Кузнецова"]
FIRST_NAMES = ["Анна", "Мария", "Елена", "Сэсэг", "Туяна", "Ольга", "Дарима", "Наталья"]
PATRONYMICS = ["Петровна", "Ивановна", "Баировна", "Сергеевна", "Дашиевна", None]
POSITIONS = ["учитель математики", "учитель русского языка", "заместитель директора", "учитель начальных классов"]
ROLES = [["teacher"], ["teacher"], ["teacher", "mentor"], ["manager"], ["teacher", "tutor"]]


def snils_checksum(digits):
    s = sum(d * (9 - i) for i, d in enumerate(digits))
    if s < 100:
        return s
    if s in (100, 101):
        return 0
    r = s % 101
    return 0 if r == 100 else r


def snils(n):
    """The n-th СНИЛС: 9 digits from 100 000 000 + 7n (above the checksum-free range), checksum."""
    number = 100_000_000 + 7 * n
    digits = [int(c) for c in f"{number:09d}"]
    t = f"{number:09d}"
    return f"{t[0:3]}-{t[3:6]}-{t[6:9]} {snils_checksum(digits):02d}"


def main():
    rows = int(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as f:
        orgs = [line.strip() for line in f if line.strip()]
    if not orgs:
        sys.exit("no organisation ids")
    out = sys.stdout
    for i in range(rows):
        year = 1960 + i % 40
        month = 1 + i % 12
        day = 1 + i % 28
        rec = {
            "surname": SURNAMES[i % len(SURNAMES)],
            "first_name": FIRST_NAMES[(i // 8) % len(FIRST_NAMES)],
            "position": POSITIONS[i % len(POSITIONS)],
            "organization_id": orgs[i % len(orgs)],
            "roles": ROLES[i % len(ROLES)],
            "email": f"teacher{i}@school.example",
            "phone": f"+7 301 {200 + i % 800:03d}-{(i // 800) % 100:02d}-{i % 100:02d}",
            "snils": snils(i),
            "birth_date": f"{year:04d}-{month:02d}-{day:02d}",
            "hire_date": f"{year + 18 + i % 5:04d}-09-01",
        }
        p = PATRONYMICS[i % len(PATRONYMICS)]
        if p is not None:
            rec["patronymic"] = p
        out.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
        out.write("\n")


if __name__ == "__main__":
    main()
