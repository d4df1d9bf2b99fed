package dev.avsal;

/** Base of every checked exception avsal throws: the message always names the file or input and the problem. */
public class AvSalException extends Exception {
    public AvSalException(String message) { super(message); }
    public AvSalException(String message, Throwable cause) { super(message, cause); }
}
