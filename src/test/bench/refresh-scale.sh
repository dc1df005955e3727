#!/usr/bin/env bash
# Scheduled refresh at scale: 100,000 grants onboarded in the same minute (due-time spread, EXPLAIN of the
# due query) and refresh throughput against the sandbox under the default budget.
# Uses QUARKUS_DATASOURCE_* or the local database gateway_bench. Results: target/bench/refresh-scale.md
set -euo pipefail
cd "$(dirname "$0")/../../.."
if [ -z "${QUARKUS_DATASOURCE_JDBC_URL:-}" ]; then
  psql -h 127.0.0.1 -U postgres -d postgres -qtAc "select 1 from pg_database where datname='gateway_bench'" | grep -q 1 \
    || createdb -h 127.0.0.1 -U postgres gateway_bench
  export QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/gateway_bench QUARKUS_DATASOURCE_USERNAME=postgres
fi
./mvnw -B -q test -Dtest=RefreshScaleBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.grants="${BENCH_GRANTS:-100000}" -Dbench.real="${BENCH_REAL:-1000}"
cat target/bench/refresh-scale.md
