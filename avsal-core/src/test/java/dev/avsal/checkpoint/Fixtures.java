package dev.avsal.checkpoint;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Locates committed test fixtures on the test class path. */
final class Fixtures {
    private Fixtures() {}

    static Path path(String relative) {
        URL url = Fixtures.class.getResource("/" + relative);
        if (url == null) throw new IllegalStateException("missing test resource " + relative);
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path checkpoint(String name) {
        return path("fixtures/checkpoint/" + name);
    }
}
