#!/usr/bin/env bash
# Proxy overhead: wrk on loopback against the sandbox partner API called directly with a token from GET /tokens, and
# the same call through /proxy/{partnerId}/..., in one run (dev.oauthgw.bench.ProxyBenchmark). Uses the PostgreSQL
# given in QUARKUS_DATASOURCE_* (default: local database gateway_bench on 127.0.0.1:5432, created if missing).
# Results: target/bench/proxy.md
set -euo pipefail
cd "$(dirname "$0")/../../.."
command -v wrk >/dev/null || { echo "needs wrk (apt-get install -y wrk)"; exit 1; }
if [ -z "${QUARKUS_DATASOURCE_JDBC_URL:-}" ]; then
  psql -h 127.0.0.1 -U postgres -d postgres -qtAc "select 1 from pg_database where datname='gateway_bench'" | grep -q 1 \
    || createdb -h 127.0.0.1 -U postgres gateway_bench
  export QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/gateway_bench QUARKUS_DATASOURCE_USERNAME=postgres
fi
./mvnw -B -q test -Dtest=ProxyBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.seconds="${BENCH_SECONDS:-15}" -Dbench.connections="${BENCH_CONNECTIONS:-16}" \
  -Dquarkus.log.category.\"dev.oauthgw\".level=WARN
cat target/bench/proxy.md
