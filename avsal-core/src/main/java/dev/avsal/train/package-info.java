/**
 * Training the AVSal-R head: {@link dev.avsal.train.Trainer} (frozen encoders, {@link dev.avsal.train.FeatureCache}
 * of float16 features on disk, {@link dev.avsal.train.AdamW} with {@link dev.avsal.train.LrSchedule} warm-up + cosine,
 * {@link dev.avsal.train.Losses} KLD + CC by default, validation with dev.avsal.metrics, atomic checkpoints and exact
 * resume), configured by {@link dev.avsal.train.TrainConfig}: on the CPU or CUDA, in float32 or with bfloat16/float16
 * autocast ({@link dev.avsal.train.LossScaler} for float16). Data come in as {@link dev.avsal.data.AnnotatedVideo}s (dev.avsal.data).
 */
package dev.avsal.train;
