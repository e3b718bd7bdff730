#!/usr/bin/env bash
# Prepares InfluxDB 2.x for RiverWatch: organisation, bucket and a token that may only read and
# write that bucket (RW_INFLUX_TOKEN). Idempotent except for the token: each run creates a new one
# (revoke old ones with `influx auth delete --id ...`).
#
# NOT RUN HERE: our machines have Debian's InfluxDB 1.6 only (no `influx` 2.x CLI); the commands are
# those of the influx CLI 2.7 (docs.influxdata.com/influxdb/v2/reference/cli/influx/).
#
# Usage (admin token from `influx setup`, or DOCKER_INFLUXDB_INIT_ADMIN_TOKEN with docker-compose.yml):
#   INFLUX_HOST=http://127.0.0.1:8086 INFLUX_TOKEN=<admin token> deploy/influxdb2-setup.sh [org] [bucket] [retention]
# With Docker Compose, inside the container:
#   docker compose exec -e INFLUX_TOKEN="$INFLUX_ADMIN_TOKEN" influxdb bash -s < deploy/influxdb2-setup.sh
# Prints the lines to put into RiverWatch's environment.
set -euo pipefail
ORG=${1:-riverwatch}
BUCKET=${2:-riverwatch}
RETENTION=${3:-0}   # 0 = keep forever; e.g. 3650d
: "${INFLUX_TOKEN:?set INFLUX_TOKEN to an operator/admin token}"
export INFLUX_HOST=${INFLUX_HOST:-http://127.0.0.1:8086}
export INFLUX_TOKEN

influx ping >/dev/null
if ! influx org list --name "$ORG" --hide-headers >/dev/null 2>&1; then
  influx org create --name "$ORG" >/dev/null
  echo "created organisation $ORG" >&2
fi
bucket_id=$(influx bucket list --org "$ORG" --name "$BUCKET" --hide-headers 2>/dev/null | awk 'NR==1 {print $1}')
if [ -z "$bucket_id" ]; then
  bucket_id=$(influx bucket create --org "$ORG" --name "$BUCKET" --retention "$RETENTION" --hide-headers | awk 'NR==1 {print $1}')
  echo "created bucket $BUCKET ($bucket_id)" >&2
fi
# InfluxQL reads (/query?db=<bucket>) use the virtual DBRP mapping InfluxDB 2.4+ creates for every
# bucket; on 2.0-2.3 create it explicitly:
#   influx v1 dbrp create --org "$ORG" --db "$BUCKET" --rp autogen --bucket-id "$bucket_id" --default
token=$(influx auth create --org "$ORG" --read-bucket "$bucket_id" --write-bucket "$bucket_id" \
  --description "riverwatch $(date -u +%Y-%m-%dT%H:%MZ)" --json | sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' | head -n 1)
[ -n "$token" ] || { echo "could not create the token" >&2; exit 1; }
cat <<OUT
RW_INFLUX_API=v2
RW_INFLUX_ORG=$ORG
RW_INFLUX_BUCKET=$BUCKET
RW_INFLUX_DATABASE=$BUCKET
RW_INFLUX_TOKEN=$token
OUT
