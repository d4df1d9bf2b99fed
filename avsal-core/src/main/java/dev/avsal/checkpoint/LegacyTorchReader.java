package dev.avsal.checkpoint;

final class LegacyTorchReader {
    private LegacyTorchReader() {}

    static LoadedCheckpoint read(FileSource src) throws CheckpointException {
        throw new CheckpointException(src.path, "legacy torch files are not supported yet");
    }
}
