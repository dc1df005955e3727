package dev.oauthgw.testing;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

/** Where the image tarball of {@link ImageTest}s is. */
public final class ImageTarball {

    private ImageTarball() {
    }

    /**
     * The image tarball verify built (failsafe passes its path as {@code image.tarball}); without it the calling test
     * is aborted (reported as skipped) with the reason. .ci/run fails a run in which the image tests did not run.
     */
    public static Path path() {
        Path tar = Path.of(System.getProperty("image.tarball", "target/image/pax8-oauth-gateway-image.tar"));
        Assumptions.assumeTrue(Files.isRegularFile(tar),
                "no image tarball at " + tar + ": verify builds it (profile image-tarball) when the base "
                        + "~/.cache/oauthgw/image/debian-bookworm-jre17-base.tar exists; make it with "
                        + "sudo bash deploy/image/debian-jre17-base.sh");
        return tar;
    }
}
