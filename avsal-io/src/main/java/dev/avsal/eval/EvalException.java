package dev.avsal.eval;

import dev.avsal.AvSalException;

/** An evaluation input (prediction file or folder, dataset, report target) cannot be used: the message names it. */
public class EvalException extends AvSalException {
    public EvalException(String message) { super(message); }

    public EvalException(String message, Throwable cause) { super(message, cause); }
}
