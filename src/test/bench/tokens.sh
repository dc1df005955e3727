#!/usr/bin/env bash
# GET /tokens vs GET /caller (the JWT no-op) on the packaged jar in the prod profile: wrk, 64 connections on loopback,
# 1,000 / 40,000 / 100,000 partners read at random (100,000 ACTIVE grants seeded with COPY), the jar's RSS idle and after
# the 40,000-partner phase. One table with both throughputs, their ratio, p50/p99 of both and the p99 ratio.
# Results: target/bench/tokens.md (the jar's log: target/bench/tokens-jar.log).
#
#   bash src/test/bench/tokens.sh                    # packages the jar (skipping tests), then measures
#   BENCH_PACKAGE=0 bash src/test/bench/tokens.sh    # measures the jar already in target/quarkus-app
#
# Environment: BENCH_SECONDS (each measured run, 20), BENCH_WARMUP_SECONDS (each endpoint per phase, 15), BENCH_ROUNDS
# (measured pairs per phase, 2), BENCH_PARTNERS (1000,40000,100000), BENCH_CONNECTIONS (64), BENCH_JFR=true (a flight
# recording of each endpoint's first measured run per phase, target/bench/jfr/*.jfr), BENCH_JAVA_OPTS (the jar's JVM
# options; default: the heap the Kubernetes deployment gives it, 75 % of its 768 MiB limit).
# Database: one of its own, made empty by the test support (JarDatabases) and dropped afterwards, on the PostgreSQL
# server in QUARKUS_DATASOURCE_* when set, else on 127.0.0.1:5432 (reached through gateway_bench_tokens, dropped and
# created on every run). Needs wrk (apt-get install -y wrk).
set -euo pipefail
cd "$(dirname "$0")/../../.."
command -v wrk >/dev/null || { echo "needs wrk (apt-get install -y wrk)"; exit 1; }
if [ -z "${QUARKUS_DATASOURCE_JDBC_URL:-}" ]; then
  dropdb -h 127.0.0.1 -U postgres --if-exists gateway_bench_tokens
  createdb -h 127.0.0.1 -U postgres gateway_bench_tokens
  export QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/gateway_bench_tokens QUARKUS_DATASOURCE_USERNAME=postgres \
    QUARKUS_DATASOURCE_PASSWORD=
fi
MVN=(./mvnw -B -q ${BENCH_MVN_OFFLINE:--o})
if [ "${BENCH_PACKAGE:-1}" = 1 ]; then
  "${MVN[@]}" package -DskipTests
fi
[ -f target/quarkus-app/quarkus-run.jar ] || { echo "no target/quarkus-app/quarkus-run.jar"; exit 1; }
"${MVN[@]}" surefire:test -Dtest=TokensBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.seconds="${BENCH_SECONDS:-20}" -Dbench.warmup.seconds="${BENCH_WARMUP_SECONDS:-15}" \
  -Dbench.rounds="${BENCH_ROUNDS:-2}" -Dbench.partners="${BENCH_PARTNERS:-1000,40000,100000}" \
  -Dbench.connections="${BENCH_CONNECTIONS:-64}" -Dbench.jfr="${BENCH_JFR:-false}" \
  -Dbench.jvm.options="${BENCH_JAVA_OPTS:--XX:MaxRAM=768m -XX:MaxRAMPercentage=75}"
cat target/bench/tokens.md
