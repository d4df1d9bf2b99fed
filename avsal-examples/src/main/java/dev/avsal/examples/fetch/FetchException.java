package dev.avsal.examples.fetch;

import dev.avsal.AvSalException;

/**
 * A weight file that could not be fetched or verified. The subclasses {@link NetworkException} and
 * {@link ChecksumMismatchException} are download failures (CLI exit code 4); this class itself covers the rest
 * (an unknown name, a bad manifest, a file absent in offline mode: exit code 1).
 */
public class FetchException extends AvSalException {
    public FetchException(String message) { super(message); }
    public FetchException(String message, Throwable cause) { super(message, cause); }

    /** The server could not be reached, answered with an error status, or the transfer broke off. */
    public static class NetworkException extends FetchException {
        public NetworkException(String message) { super(message); }
        public NetworkException(String message, Throwable cause) { super(message, cause); }
    }

    /** The bytes do not have the expected SHA-256. */
    public static class ChecksumMismatchException extends FetchException {
        private final String expected, actual;

        public ChecksumMismatchException(String message, String expected, String actual) {
            super(message);
            this.expected = expected;
            this.actual = actual;
        }

        public String expected() { return expected; }

        public String actual() { return actual; }
    }
}
