package dev.oauthgw.prod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import dev.oauthgw.testing.ImageTarball;
import dev.oauthgw.testing.ImageTest;

/**
 * The image verify built (ADR 0017), loaded into podman and started the way the Kubernetes manifests run it: a
 * read-only root file system with a tmpfs on /tmp, the image's own non-root user, every capability dropped, the prod
 * settings from an env file (secrets never on the command line), PostgreSQL on the host (host network). It becomes
 * ready on the management port, serves the public port, logs nothing at WARN or above, and stops on SIGTERM with
 * exit code 0.
 * <p>
 * podman runs here rootful without systemd: its storage is target/podman (vfs driver, nothing left in the machine's
 * own), cgroupfs, events in a file, and runc where installed (crun refuses this machine's hybrid cgroups). The
 * container may not raise resource limits, so they are passed at the values this process has.
 */
@ImageTest
class ImageInPodmanIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void the_image_starts_read_only_as_non_root_becomes_ready_and_stops_cleanly() throws Exception {
        Path tarball = ImageTarball.path();
        Assumptions.assumeTrue(run(List.of("podman", "--version"), Duration.ofSeconds(20)).code == 0,
                "podman is not installed (apt-get install -y podman runc); .ci/run installs it");
        Path work = Path.of("target", "podman").toAbsolutePath();
        Files.createDirectories(work);

        Result load = podman(work, Duration.ofMinutes(5), "load", "-i", tarball.toAbsolutePath().toString());
        assertEquals(0, load.code, "podman load: " + load.out);
        String image = load.out.lines().filter(l -> l.startsWith("Loaded image")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no image loaded: " + load.out));

        Map<String, String> env = ProdConfig.env();
        Path publicKey = Path.of(env.get("GATEWAY_JWT_PUBLIC_KEY_LOCATION"));
        env.put("GATEWAY_JWT_PUBLIC_KEY_LOCATION", "/keys/jwt-public.pem");
        int port = freePort();
        int management = freePort();
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(management));
        Path envFile = Files.createTempFile(work, "env", ".list",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        StringBuilder lines = new StringBuilder();
        env.forEach((k, v) -> lines.append(k).append('=').append(v).append('\n'));
        Files.writeString(envFile, lines, StandardCharsets.UTF_8);

        String name = "gw-image-it-" + Long.toHexString(System.nanoTime());
        Path log = work.resolve(name + ".log");
        try {
            List<String> runArgs = new ArrayList<>(List.of("run", "-d", "--name", name,
                    "--read-only", "--tmpfs", "/tmp:rw,size=64m,mode=1777",
                    "--cap-drop=ALL", "--security-opt=no-new-privileges",
                    "--network=host", "--env-file", envFile.toString(),
                    "-v", publicKey.toAbsolutePath() + ":/keys/jwt-public.pem:ro"));
            runArgs.addAll(ulimits());
            runArgs.add(image);
            Result started = podman(work, Duration.ofMinutes(2), runArgs.toArray(String[]::new));
            assertEquals(0, started.code, "podman run: " + started.out);

            String ready = "http://127.0.0.1:" + management + "/q/health/ready";
            long until = System.nanoTime() + Duration.ofSeconds(150).toNanos();
            int status = -1;
            while (System.nanoTime() < until && status != 200) {
                status = status(ready);
                if (status != 200) {
                    Result state = podman(work, Duration.ofSeconds(30), "inspect", "--format", "{{.State.Running}}", name);
                    assertTrue(state.out.contains("true"), "the container stopped:\n" + logs(work, name));
                    Thread.sleep(1000);
                }
            }
            assertEquals(200, status, "not ready within 150 s:\n" + logs(work, name));
            assertEquals(200, status("http://127.0.0.1:" + port + "/ops/login"), "the public port serves the sign-in page");
            assertEquals(404, status("http://127.0.0.1:" + port + "/q/health/ready"), "/q/* is not on the public port");

            Result uid = podman(work, Duration.ofSeconds(30), "exec", name, "id", "-u");
            assertEquals("185", uid.out.trim(), "the process runs as the image's non-root user");
            Result write = podman(work, Duration.ofSeconds(30), "exec", name, "touch", "/deployments/x");
            assertNotEquals(0, write.code, "the root file system is read-only: " + write.out);
            Result tmp = podman(work, Duration.ofSeconds(30), "exec", name, "touch", "/tmp/x");
            assertEquals(0, tmp.code, "/tmp is writable: " + tmp.out);

            Result stop = podman(work, Duration.ofSeconds(60), "stop", "-t", "40", name);
            assertEquals(0, stop.code, "podman stop: " + stop.out);
            Result exit = podman(work, Duration.ofSeconds(30), "inspect", "--format", "{{.State.ExitCode}}", name);
            String out = logs(work, name);
            Files.writeString(log, out, StandardCharsets.UTF_8);
            assertEquals("0", exit.out.trim(), "SIGTERM ends the gateway with exit code 0 (graceful shutdown):\n" + out);
            List<String> warnings = out.lines().filter(l -> l.contains("\"level\":\"WARN\"") || l.contains("\"level\":\"ERROR\"")).toList();
            assertEquals(List.of(), warnings, "normal operation logs nothing at WARN or above");
            assertFalse(out.contains("Picked up JAVA_TOOL_OPTIONS"), "the JVM flags come from the image's entry point");
        } finally {
            podman(work, Duration.ofSeconds(60), "rm", "-f", "-t", "0", name);
            podman(work, Duration.ofSeconds(60), "rmi", "-f", image);
            Files.deleteIfExists(envFile);
        }
    }

    private static String logs(Path work, String name) throws IOException, InterruptedException {
        return podman(work, Duration.ofSeconds(30), "logs", name).out;
    }

    /** podman with its storage under target/podman, for a rootful podman on a machine without systemd. */
    private static Result podman(Path work, Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("podman", "--root", work.resolve("storage").toString(),
                "--runroot", work.resolve("run").toString(), "--storage-driver=vfs", "--cgroup-manager=cgroupfs",
                "--events-backend=file", "--tmpdir", work.resolve("tmp").toString()));
        if (Files.isExecutable(Path.of("/usr/sbin/runc")) || Files.isExecutable(Path.of("/usr/bin/runc"))) {
            cmd.add("--runtime=runc");
        }
        cmd.addAll(List.of(args));
        return run(cmd, timeout);
    }

    /**
     * The open-files limit of this process, and a processes limit below it: a container without CAP_SYS_RESOURCE
     * cannot raise them (runc here even refuses RLIMIT_NPROC at this process's own value: "error setting rlimit type
     * 6: operation not permitted"; 4096 is plenty for the JVM's threads).
     */
    private static List<String> ulimits() throws IOException {
        List<String> args = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            String[] f = line.trim().split("\\s{2,}");
            if (f.length >= 3 && (f[0].equals("Max open files") || f[0].equals("Max processes"))) {
                String soft = f[1].equals("unlimited") ? "-1" : f[1];
                String hard = f[2].equals("unlimited") ? "-1" : f[2];
                if (f[0].equals("Max processes")) {
                    long cap = 4096;
                    soft = String.valueOf(soft.equals("-1") ? cap : Math.min(cap, Long.parseLong(soft)));
                    hard = soft;
                }
                args.add("--ulimit");
                args.add((f[0].equals("Max open files") ? "nofile=" : "nproc=") + soft + ":" + hard);
            }
        }
        return args;
    }

    private static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private record Result(int code, String out) {
    }

    private static Result run(List<String> cmd, Duration timeout) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException notInstalled) {
            return new Result(127, notInstalled.getMessage());
        }
        byte[][] out = new byte[1][];
        Thread reader = new Thread(() -> {
            try {
                out[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = new byte[0];
            }
        });
        reader.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        reader.join(10_000);
        return new Result(p.isAlive() ? -1 : p.exitValue(), out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8));
    }
}
