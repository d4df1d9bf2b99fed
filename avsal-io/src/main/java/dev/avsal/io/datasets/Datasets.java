package dev.avsal.io.datasets;

import dev.avsal.data.DatasetException;
import dev.avsal.data.SaliencyDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Opens datasets on disk by layout. {@link #open(Path)} recognises the layout from the folders it finds:
 * {@code videos/} + {@code fixations/} is AViMoS ({@link AvimosDataset}).
 */
public final class Datasets {
    /** The layouts {@link #open(Path, String)} accepts. */
    public static final List<String> LAYOUTS = List.of("avimos");

    private Datasets() {}

    /** Opens {@code root}, detecting its layout. */
    public static SaliencyDataset open(Path root) throws DatasetException {
        if (!Files.isDirectory(root)) throw new DatasetException(root + ": not a folder");
        if (Files.isDirectory(root.resolve("videos")) && Files.isDirectory(root.resolve("fixations")))
            return AvimosDataset.open(root);
        throw new DatasetException(root + ": unknown dataset layout (known: AViMoS = videos/ + saliency/ + fixations/"
                + "; see dev.avsal.io.datasets.Datasets)");
    }

    /** Opens {@code root} as the named layout (one of {@link #LAYOUTS}, case-insensitive). */
    public static SaliencyDataset open(Path root, String layout) throws DatasetException {
        return switch (layout.toLowerCase(Locale.ROOT)) {
            case "avimos", "aim2024" -> AvimosDataset.open(root);
            default -> throw new DatasetException(root + ": unknown layout '" + layout + "' (known: " + LAYOUTS + ")");
        };
    }
}
