package dev.avsal.checkpoint;

final class TorchZipReader {
    private TorchZipReader() {}

    static LoadedCheckpoint read(FileSource src) throws CheckpointException {
        throw new CheckpointException(src.path, "torch zip archives are not supported yet");
    }
}
