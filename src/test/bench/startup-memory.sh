#!/usr/bin/env bash
# Start to ready and memory of the packaged jar (prod profile): time from `java -jar` to the first 200 on
# /q/health/ready, RSS when idle, and RSS after N authenticated GET /caller requests (curl --parallel, 16 at a time,
# keep-alive). Run twice: once as built, once with AppCDS (-Dquarkus.package.jar.appcds.enabled=true at build time,
# started with -XX:SharedArchiveFile=app-cds.jsa). Results: target/bench/startup-memory.md
#
#   ./mvnw -B -o package -DskipTests            # the plain jar
#   bash src/test/bench/startup-memory.sh plain
#   ./mvnw -B -o package -DskipTests -Dquarkus.package.jar.appcds.enabled=true
#   bash src/test/bench/startup-memory.sh appcds
#
# Uses the PostgreSQL given in QUARKUS_DATASOURCE_* (default: local database gateway_bench on 127.0.0.1:5432,
# created if missing). Keys, the JWT key pair and the dashboard password are made up for the run.
set -euo pipefail
cd "$(dirname "$0")/../../.."
MODE="${1:-plain}"
REQUESTS="${REQUESTS:-5000}"
RUNS="${RUNS:-3}"
APP="${APP:-target/quarkus-app}"
[ -f "$APP/quarkus-run.jar" ] || { echo "package the application first (./mvnw -B -o package -DskipTests)"; exit 1; }
if [ -z "${QUARKUS_DATASOURCE_JDBC_URL:-}" ]; then
  psql -h 127.0.0.1 -U postgres -d postgres -qtAc "select 1 from pg_database where datname='gateway_bench'" | grep -q 1 \
    || createdb -h 127.0.0.1 -U postgres gateway_bench
  export QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/gateway_bench QUARKUS_DATASOURCE_USERNAME=postgres
fi
WORK="$(pwd)/target/bench/startup-memory"
mkdir -p "$WORK"
APP="$(realpath "$APP")"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/jwt.key" 2>/dev/null
openssl pkey -in "$WORK/jwt.key" -pubout -out "$WORK/jwt.pub"
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
NOW=$(date +%s)
HEADER=$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)
PAYLOAD=$(printf '{"iss":"https://issuer.bench.test","aud":"pax8-oauth-gateway","sub":"bench","upn":"bench","groups":["tokens:read"],"partners":["*"],"iat":%d,"exp":%d}' "$NOW" $((NOW + 3600)) | b64url)
SIG=$(printf '%s.%s' "$HEADER" "$PAYLOAD" | openssl dgst -sha256 -sign "$WORK/jwt.key" | b64url)
JWT="$HEADER.$PAYLOAD.$SIG"
HASH=$(java -cp "$APP/app/*:$APP/lib/main/*" dev.oauthgw.ops.signin.OpsPasswords "bench-$(openssl rand -hex 8)" | tail -1)
key() { openssl rand -base64 32; }

export GATEWAY_CRYPTO_KEYRING="1:$(key)" GATEWAY_ONBOARDING_LINK_SIGNING_KEY="$(key)" \
  GATEWAY_ONBOARDING_PUBLIC_URL=https://gateway.bench.test GATEWAY_PROVIDER_REGISTRATIONS_PAX8_CLIENT_ID=bench \
  GATEWAY_PROVIDER_REGISTRATIONS_PAX8_CLIENT_SECRET="$(key)" GATEWAY_JWT_ISSUER=https://issuer.bench.test \
  GATEWAY_JWT_PUBLIC_KEY_LOCATION="$WORK/jwt.pub" GATEWAY_OPS_SESSION_KEY="$(key)" \
  GATEWAY_OPS_USERS_BENCH_PASSWORD_HASH="$HASH" GATEWAY_SHUTDOWN_DELAY=0S
PORT=18480; MPORT=19480
JAVA_OPTS=(-Dquarkus.http.port=$PORT -Dquarkus.management.port=$MPORT)
# AppCDS: the archive only loads with the class path it was made with, so the jar is started from its directory
[ "$MODE" = appcds ] && JAVA_OPTS+=(-XX:SharedArchiveFile=app-cds.jsa -Xshare:auto)
for i in $(seq 1 "$REQUESTS"); do echo "url = \"http://127.0.0.1:$PORT/caller\""; echo 'output = "/dev/null"'; done > "$WORK/urls.txt"

rss_mb() { echo $(( $(ps -o rss= -p "$1") / 1024 )); }
OUT=target/bench/startup-memory.md
[ -f "$OUT" ] || { echo "| mode | run | start to ready (ms) | RSS idle (MB) | RSS after $REQUESTS GET /caller (MB) | load time (s) |"; echo "|---|---|---|---|---|---|"; } > "$OUT"
for run in $(seq 1 "$RUNS"); do
  START=$(date +%s%N)
  pushd "$APP" > /dev/null
  java "${JAVA_OPTS[@]}" -jar quarkus-run.jar > "$WORK/$MODE-$run.log" 2>&1 &
  PID=$!
  popd > /dev/null
  until curl -sf -o /dev/null "http://127.0.0.1:$MPORT/q/health/ready"; do
    kill -0 $PID 2>/dev/null || { cat "$WORK/$MODE-$run.log"; exit 1; }
    sleep 0.05
  done
  READY_MS=$(( ($(date +%s%N) - START) / 1000000 ))
  sleep 5
  IDLE=$(rss_mb $PID)
  CODE=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $JWT" "http://127.0.0.1:$PORT/caller")
  [ "$CODE" = 204 ] || [ "$CODE" = 200 ] || { echo "GET /caller answered $CODE"; kill $PID; exit 1; }
  L0=$(date +%s%N)
  curl -s --no-progress-meter --parallel --parallel-max 16 -H "Authorization: Bearer $JWT" -K "$WORK/urls.txt"
  LOAD_S=$(awk "BEGIN { printf \"%.1f\", ($(date +%s%N) - $L0) / 1e9 }")
  LOADED=$(rss_mb $PID)
  kill -TERM $PID; wait $PID || true
  echo "| $MODE | $run | $READY_MS | $IDLE | $LOADED | $LOAD_S |" | tee -a "$OUT"
done
