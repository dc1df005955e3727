#!/usr/bin/env bash
# How long a rotated refresh token lives only in memory: from reading the provider's answer to the commit of
# its sealed copy. Uses QUARKUS_DATASOURCE_* or the local database gateway_bench.
# Results: target/bench/rotation-exposure.md
set -euo pipefail
cd "$(dirname "$0")/../../.."
if [ -z "${QUARKUS_DATASOURCE_JDBC_URL:-}" ]; then
  psql -h 127.0.0.1 -U postgres -d postgres -qtAc "select 1 from pg_database where datname='gateway_bench'" | grep -q 1 \
    || createdb -h 127.0.0.1 -U postgres gateway_bench
  export QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/gateway_bench QUARKUS_DATASOURCE_USERNAME=postgres
fi
./mvnw -B -q test -Dtest=RotationExposureBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.grants="${BENCH_GRANTS:-20}" -Dbench.rounds="${BENCH_ROUNDS:-25}"
cat target/bench/rotation-exposure.md
