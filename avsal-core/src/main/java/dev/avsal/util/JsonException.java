package dev.avsal.util;

import dev.avsal.AvSalException;

/** Text that is not valid JSON; the message names the input (when known), the offset and the problem. */
public class JsonException extends AvSalException {
    private final long offset;

    public JsonException(String message, long offset) {
        super(message);
        this.offset = offset;
    }

    /** Character offset of the problem in the parsed text. */
    public long offset() { return offset; }
}
