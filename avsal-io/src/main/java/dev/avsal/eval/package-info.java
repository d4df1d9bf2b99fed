/**
 * Evaluation of saliency predictions on a dataset split: {@link dev.avsal.eval.Evaluator} scores an
 * {@link dev.avsal.AvSalPredictor} or a folder of saved maps with a {@link dev.avsal.metrics.Scorer} and returns an
 * {@link dev.avsal.eval.Evaluation} (per frame, per video, aggregate; CSV and JSON writers);
 * {@link dev.avsal.eval.HtmlReport} renders it as one self-contained HTML page; {@link dev.avsal.eval.MapFiles}
 * reads maps and fixation masks from {@code .npy} and PNG. Errors are {@link dev.avsal.eval.EvalException}s (and
 * the dataset's {@link dev.avsal.data.DatasetException}s) naming the file. Our choices (sAUC negatives, NaN
 * handling, averaging) are listed in {@link dev.avsal.eval.Evaluator} and docs/evaluation.md.
 */
package dev.avsal.eval;
