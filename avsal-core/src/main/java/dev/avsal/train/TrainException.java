package dev.avsal.train;

import dev.avsal.AvSalException;

/** A training run cannot go on: bad data, an unreadable or foreign checkpoint, an unwritable output folder. */
public class TrainException extends AvSalException {
    public TrainException(String message) { super(message); }

    public TrainException(String message, Throwable cause) { super(message, cause); }
}
