#!/usr/bin/env bash
# Nightly PostgreSQL backup with 7 days' rotation (the privacy register promises backups at most 7 days longer than
# the retention periods). Usage: backup.sh DIRECTORY  — restore with:  pg_restore --clean -d outreach FILE
set -euo pipefail
target="${1:?directory}"
mkdir -p "$target"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
url="${OUTREACH_SQLALCHEMY_DATABASE_URI:?}"
pg_dump --format=custom --file="$target/outreach-$stamp.dump" "${url/postgresql+psycopg:/postgresql:}"
find "$target" -name 'outreach-*.dump' -mtime +7 -delete
echo "backup written: $target/outreach-$stamp.dump"
