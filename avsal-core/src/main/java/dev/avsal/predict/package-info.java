/**
 * Internals of {@link dev.avsal.AvSalPredictor}: audio-window reuse ({@link dev.avsal.predict.AudioCache}),
 * autocast scopes ({@link dev.avsal.predict.Autocast}), map resampling ({@link dev.avsal.predict.MapResampler}),
 * PyTorch head checkpoints ({@link dev.avsal.predict.HeadCheckpoints}) and tensor helpers. Public for the other
 * avsal modules and tests; not a stable API.
 */
package dev.avsal.predict;
