package dev.avsal.checkpoint;

/** The on-disk formats avsal reads. */
public enum CheckpointFormat {
    /** Hugging Face safetensors. */
    SAFETENSORS,
    /** {@code torch.save} zip archive (PyTorch 1.6 and later). */
    TORCH_ZIP,
    /** {@code torch.save} legacy (pre-1.6) pickle stream. */
    TORCH_LEGACY,
    /** {@code torch.jit.save} archive (OpenAI CLIP's {@code .pt} files are these). */
    TORCHSCRIPT
}
