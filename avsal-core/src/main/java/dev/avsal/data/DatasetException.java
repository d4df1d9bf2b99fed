package dev.avsal.data;

import dev.avsal.AvSalException;

/** A dataset cannot be read: the message names the file (or folder) and the problem. */
public class DatasetException extends AvSalException {
    public DatasetException(String message) { super(message); }

    public DatasetException(String message, Throwable cause) { super(message, cause); }
}
