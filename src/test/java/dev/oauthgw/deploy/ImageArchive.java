package dev.oauthgw.deploy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A docker-save style image tarball (what Jib's buildTar writes and {@code podman load} reads): manifest.json, the
 * config, one tar(.gz) per layer. Reads it without a container engine.
 */
final class ImageArchive {

    /** One file of a layer: its path (no leading "/" or "./"), type, owner, mode, and its bytes when regular. */
    record Entry(String path, char type, int uid, int mode, byte[] content) {

        boolean regular() {
            return type == '0' || type == 0;
        }

        @Override
        public String toString() {
            return path;
        }
    }

    interface EntryVisitor {
        void visit(Entry entry) throws IOException;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, byte[]> files;
    final JsonNode manifest;
    final JsonNode config;

    private ImageArchive(Map<String, byte[]> files) throws IOException {
        this.files = files;
        this.manifest = JSON.readTree(file("manifest.json")).get(0);
        this.config = JSON.readTree(file(manifest.get("Config").asText()));
    }

    static ImageArchive open(Path tarball) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(tarball)) {
            read(in, e -> {
                if (e.regular()) {
                    files.put(e.path(), e.content());
                }
            });
        }
        return new ImageArchive(files);
    }

    private byte[] file(String name) {
        byte[] b = files.get(name);
        if (b == null) {
            throw new AssertionError("the image tarball has no " + name + " (has " + files.keySet() + ")");
        }
        return b;
    }

    /** The layers' file names, base first, in the order the manifest lists them. */
    List<String> layers() {
        List<String> layers = new ArrayList<>();
        manifest.get("Layers").forEach(l -> layers.add(l.asText()));
        return layers;
    }

    /** Visits every entry of layer {@code index} (0 = the base's). */
    void eachEntry(int index, EntryVisitor visitor) throws IOException {
        byte[] layer = file(layers().get(index));
        InputStream in = new java.io.ByteArrayInputStream(layer);
        if (layer.length > 2 && (layer[0] & 0xff) == 0x1f && (layer[1] & 0xff) == 0x8b) {
            in = new GZIPInputStream(in, 1 << 16);
        }
        read(in, visitor);
    }

    /** A minimal tar reader: ustar, GNU long names ('L') and pax path headers ('x'). */
    static void read(InputStream in, EntryVisitor visitor) throws IOException {
        byte[] header = new byte[512];
        String longName = null;
        while (readFully(in, header)) {
            if (isZero(header)) {
                break;
            }
            String name = string(header, 0, 100);
            String prefix = string(header, 345, 155);
            if (!prefix.isEmpty() && header[257] == 'u') {
                name = prefix + "/" + name;
            }
            long size = octal(header, 124, 12);
            char type = (char) header[156];
            int uid = (int) octal(header, 108, 8);
            int mode = (int) octal(header, 100, 8);
            byte[] content = readContent(in, size);
            if (type == 'L') {
                longName = new String(content, StandardCharsets.UTF_8).replace("\0", "");
                continue;
            }
            if (type == 'x' || type == 'g') {
                String path = paxPath(content);
                if (type == 'x' && path != null) {
                    longName = path;
                }
                continue;
            }
            if (longName != null) {
                name = longName;
                longName = null;
            }
            while (name.startsWith("./") || name.startsWith("/")) {
                name = name.substring(name.startsWith("./") ? 2 : 1);
            }
            visitor.visit(new Entry(name, type, uid, mode, type == '0' || type == 0 ? content : new byte[0]));
        }
    }

    private static String paxPath(byte[] content) {
        String s = new String(content, StandardCharsets.UTF_8);
        int i = 0;
        while (i < s.length()) {
            int space = s.indexOf(' ', i);
            int len = Integer.parseInt(s.substring(i, space));
            String record = s.substring(space + 1, i + len - 1);
            if (record.startsWith("path=")) {
                return record.substring(5);
            }
            i += len;
        }
        return null;
    }

    private static byte[] readContent(InputStream in, long size) throws IOException {
        if (size > Integer.MAX_VALUE - 1024) {
            throw new IOException("entry too large: " + size);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(size, 1 << 20));
        byte[] buf = new byte[1 << 16];
        long left = size;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                throw new IOException("truncated tar");
            }
            out.write(buf, 0, n);
            left -= n;
        }
        long pad = (512 - size % 512) % 512;
        in.skipNBytes(pad);
        return out.toByteArray();
    }

    private static boolean readFully(InputStream in, byte[] b) throws IOException {
        int off = 0;
        while (off < b.length) {
            int n = in.read(b, off, b.length - off);
            if (n < 0) {
                return false;
            }
            off += n;
        }
        return true;
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static String string(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] b, int off, int len) {
        if ((b[off] & 0x80) != 0) { // GNU base-256
            long v = 0;
            for (int i = off + 1; i < off + len; i++) {
                v = (v << 8) | (b[i] & 0xff);
            }
            return v;
        }
        String s = string(b, off, len).trim();
        return s.isEmpty() ? 0 : Long.parseLong(s, 8);
    }
}
