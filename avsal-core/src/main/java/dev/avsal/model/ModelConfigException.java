package dev.avsal.model;

import dev.avsal.AvSalException;

/**
 * Weights from which no valid model configuration can be derived (not the expected model family, inconsistent
 * shapes, a head count that cannot be inferred), or a configuration that contradicts the weights' structure.
 */
public class ModelConfigException extends AvSalException {
    public ModelConfigException(String message) { super(message); }
}
