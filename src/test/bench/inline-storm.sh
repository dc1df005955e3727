#!/usr/bin/env bash
# A herd of inline refreshes (issue 18): two packaged-jar replicas with pools of 4 connections, 200 partners whose
# tokens are about to expire, a provider answering in 300 ms, 200 callers at once. Runs InlineRefreshStormIT
# BENCH_RUNS times (default 3) on the packaged jar and prints each run's statuses and wall time.
# Uses QUARKUS_DATASOURCE_* or the local PostgreSQL (each run makes and drops a database of its own).
set -euo pipefail
cd "$(dirname "$0")/../../.."
if [ -z "${QUARKUS_DATASOURCE_JDBC_URL:-}" ]; then
  export QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/postgres QUARKUS_DATASOURCE_USERNAME=postgres
fi
[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q package -DskipTests
for i in $(seq 1 "${BENCH_RUNS:-3}"); do
  ./mvnw -B -q failsafe:integration-test failsafe:verify -Dit.test=InlineRefreshStormIT 2>&1 \
    | grep '\[inline-refresh-storm\]' || { echo "run $i failed: see target/failsafe-reports"; exit 1; }
done
