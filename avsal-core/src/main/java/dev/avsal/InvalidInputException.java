package dev.avsal;

/**
 * Input that a prediction cannot use: an empty clip, a frame of the wrong size (or one whose size changes within a
 * clip or session), NaN or infinite values in a preprocessed frame or an audio window, an audio window that is too
 * short or too long, or timestamps that go backwards. The message names the input (e.g. {@code clip 1, frame 7})
 * and the problem; nothing was computed for the call that threw.
 */
public class InvalidInputException extends AvSalException {
    public InvalidInputException(String message) { super(message); }
}
