package dev.oauthgw.devdb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.jboss.logging.Logger;

/**
 * A PostgreSQL started for this JVM (dev mode or a test run): Testcontainers where Docker answers, else
 * embedded. Started once per JVM; dev-mode restarts reuse it (the coordinates live in system
 * properties, which survive the restart class loader), and it stops when the JVM exits.
 */
public record LocalDatabase(String kind, String jdbcUrl, String username, String password) {

    private static final Logger LOG = Logger.getLogger(LocalDatabase.class);
    private static final String KEY = "gateway.local-database.";

    public static synchronized LocalDatabase obtain() {
        String url = System.getProperty(KEY + "url");
        if (url != null) {
            return new LocalDatabase(System.getProperty(KEY + "kind"), url,
                    System.getProperty(KEY + "username"), System.getProperty(KEY + "password"));
        }
        LocalDatabase db = dockerAvailable() ? ContainerDatabase.start() : EmbeddedDatabase.start();
        System.setProperty(KEY + "kind", db.kind());
        System.setProperty(KEY + "url", db.jdbcUrl());
        System.setProperty(KEY + "username", db.username());
        System.setProperty(KEY + "password", db.password());
        LOG.infof("No datasource configured: using a %s PostgreSQL at %s", db.kind(), db.jdbcUrl());
        return db;
    }

    /** True when a Docker engine answers on DOCKER_HOST (unix socket) or /var/run/docker.sock. */
    static boolean dockerAvailable() {
        if (!classPresent("org.testcontainers.DockerClientFactory")) {
            return false;
        }
        String host = System.getenv("DOCKER_HOST");
        if (host != null && !host.isBlank() && !host.startsWith("unix://")) {
            return true; // a TCP engine: let Testcontainers judge it
        }
        Path socket = Path.of(host != null && host.startsWith("unix://") ? host.substring(7) : "/var/run/docker.sock");
        if (!Files.exists(socket)) {
            return false;
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap("GET /_ping HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer answer = ByteBuffer.allocate(64);
            return ch.read(answer) > 0 && new String(answer.array(), StandardCharsets.US_ASCII).contains(" 200 ");
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean classPresent(String name) {
        try {
            Class.forName(name, false, LocalDatabase.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "LocalDatabase[" + kind + " " + jdbcUrl + "]";
    }

    /** Kept in its own class so that Testcontainers is only loaded where it is used. */
    static final class ContainerDatabase {
        static LocalDatabase start() {
            var pg = new org.testcontainers.postgresql.PostgreSQLContainer("postgres:17-alpine");
            pg.start();
            Runtime.getRuntime().addShutdownHook(new Thread(pg::stop, "local-database-stop"));
            return new LocalDatabase("testcontainers", pg.getJdbcUrl(), pg.getUsername(), pg.getPassword());
        }
    }

    /** Kept in its own class so that the embedded binaries are only loaded where they are used. */
    static final class EmbeddedDatabase {
        static LocalDatabase start() {
            try {
                var pg = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                        .setRegisterShutdownHook(true)
                        .setServerConfig("max_connections", "200")
                        .setServerConfig("fsync", "off")
                        .start();
                return new LocalDatabase("embedded", pg.getJdbcUrl("postgres", "postgres"), "postgres", "postgres");
            } catch (IOException e) {
                throw new UncheckedIOException("Could not start an embedded PostgreSQL", e);
            }
        }
    }
}
