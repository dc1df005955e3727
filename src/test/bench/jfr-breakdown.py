#!/usr/bin/env python3
"""Where the CPU goes in a flight recording of the gateway under wrk load (TokensBenchmark with BENCH_JFR=true).

    python3 src/test/bench/jfr-breakdown.py target/bench/jfr/1000-tokens.jfr [more.jfr ...]

Reads the jdk.ExecutionSample events (Java threads on CPU; GC and JIT threads are not sampled: see jdk.GCPhasePause
and jdk.ThreadCPULoad for those) and prints, per recording: the share of samples whose stack contains a frame of each
category, and the top leaf frames and top application-level frames. "self" puts each sample in the category of the frame
nearest its leaf (the work itself); "inclusive" counts a sample in every category on its stack, which is only
meaningful for work that does not call on down the chain (the JWT check, JDBC, JSON, crypto): an HTTP filter or the
security handler calls the next handler from inside its own frame, so everything after it would count as its own."""
CHAINED = {"security identity, permission checks", "tokens metrics filter", "request-id filter",
           "REST layer (RESTEasy Reactive)", "HTTP I/O (Vert.x, Netty)", "tokens resource + service (own code)"}
import collections
import json
import subprocess
import sys

# first match wins for the "exclusive" column; all matches count for "inclusive"
CATEGORIES = [
    ("JWT: RS256 signature (RSA, BigInteger)", ("sun/security/rsa", "java/math/BigInteger", "sun/security/provider/SHA2")),
    ("JWT: parse + claims checks (jose4j, smallrye-jwt)", ("org/jose4j", "io/smallrye/jwt")),
    ("verified-JWT cache (hash, lookup)", ("dev/oauthgw/common/VerifiedJwtCache", "dev/oauthgw/callerjwt")),
    ("security identity, permission checks", ("io/quarkus/security", "io/quarkus/vertx/http/runtime/security",
                                              "io/quarkus/smallrye/jwt")),
    ("Micrometer HTTP server metrics", ("io/micrometer", "io/quarkus/micrometer")),
    ("tokens metrics filter", ("dev/oauthgw/metrics",)),
    ("request-id filter", ("dev/oauthgw/audit/RequestIdFilter", "dev/oauthgw/audit/RequestIds")),
    ("audit record (TokenAccessRecorder)", ("dev/oauthgw/audit/TokenAccessRecorder",)),
    ("grant read: JDBC (PostgreSQL driver, Agroal)", ("org/postgresql", "io/agroal")),
    ("token decryption (Tink AES-GCM)", ("com/google/crypto/tink", "dev/oauthgw/crypto", "com/sun/crypto")),
    ("JSON writing (Jackson)", ("com/fasterxml/jackson",)),
    ("tokens resource + service (own code)", ("dev/oauthgw/tokens",)),
    ("REST layer (RESTEasy Reactive)", ("org/jboss/resteasy/reactive", "io/quarkus/resteasy/reactive")),
    ("logging, MDC", ("org/jboss/logmanager", "org/jboss/logging")),
    ("HTTP I/O (Vert.x, Netty)", ("io/vertx", "io/netty")),
]


def frames(event):
    st = event["values"].get("stackTrace") or {}
    out = []
    for f in st.get("frames", []):
        m = f["method"]
        out.append(m["type"]["name"] + "." + m["name"])
    return out


def analyse(path):
    raw = subprocess.run(["jfr", "print", "--json", "--stack-depth", "200", "--events", "jdk.ExecutionSample", path], check=True,
                         capture_output=True, text=True).stdout
    events = json.loads(raw)["recording"]["events"]
    samples = [frames(e) for e in events]
    samples = [s for s in samples if s and not any("Attach Listener" in x for x in s)]
    n = len(samples)
    print(f"\n## {path}: {n} execution samples")
    incl = collections.Counter()
    excl = collections.Counter()
    for s in samples:
        seen = set()
        first = None
        # exclusive: the category of the deepest-in-stack (closest to the leaf) matching frame
        for fr in s:
            for name, prefixes in CATEGORIES:
                if fr.startswith(prefixes):
                    seen.add(name)
                    if first is None:
                        first = name
        for name in seen:
            incl[name] += 1
        excl[first or "other (JDK, JIT-compiled glue, threads)"] += 1
    print("\n| category | self | inclusive |\n|---|---:|---:|")
    for name, _ in CATEGORIES + [("other (JDK, JIT-compiled glue, threads)", ())]:
        inc = "" if name in CHAINED or name.startswith("other") else f"{100 * incl[name] / n:.1f} %"
        print(f"| {name} | {100 * excl[name] / n:.1f} % | {inc} |")
    leaf = collections.Counter(s[0] for s in samples)
    print("\nTop leaf frames:")
    for fr, c in leaf.most_common(15):
        print(f"  {100 * c / n:5.1f} %  {fr}")
    app = collections.Counter()
    for s in samples:
        for fr in s:
            if fr.startswith(("dev/oauthgw", "io/smallrye/jwt", "io/micrometer", "io/quarkus/security",
                              "io/quarkus/vertx/http/runtime/security", "com/fasterxml/jackson")):
                app[fr] += 1
                break
    print("\nTop application-level frames (first such frame from the leaf):")
    for fr, c in app.most_common(15):
        print(f"  {100 * c / n:5.1f} %  {fr}")


for p in sys.argv[1:]:
    analyse(p)
