package dev.avsal.checkpoint;

/** Element types of checkpoint tensors, named as safetensors names them. */
public enum DType {
    F64(8, "torch.float64"), F32(4, "torch.float32"), F16(2, "torch.float16"), BF16(2, "torch.bfloat16"),
    I64(8, "torch.int64"), I32(4, "torch.int32"), I16(2, "torch.int16"), I8(1, "torch.int8"),
    U8(1, "torch.uint8"), BOOL(1, "torch.bool");

    private final int byteSize;
    private final String torchName;

    DType(int byteSize, String torchName) {
        this.byteSize = byteSize;
        this.torchName = torchName;
    }

    /** Bytes per element. */
    public int byteSize() { return byteSize; }

    /** The PyTorch name, e.g. {@code torch.float16}. */
    public String torchName() { return torchName; }

    public boolean isFloatingPoint() { return this == F64 || this == F32 || this == F16 || this == BF16; }
}
