package dev.avsal.io.datasets;

import dev.avsal.data.DatasetException;
import dev.avsal.data.SaliencyDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Opens datasets on disk by layout. {@link #open(Path)} recognises the layout from the folders it finds:
 * {@code videos/} + {@code fixations/} is AViMoS ({@link AvimosDataset}); {@code video/} + {@code annotation/} is DHF1K
 * ({@link Dhf1kDataset}); {@code video_frames/} + {@code annotations/} + {@code fold_lists/} is STAViS
 * ({@link StavisDataset}; a root with several of its sets needs the layout {@code stavis/SET}).
 */
public final class Datasets {
    /** The layouts {@link #open(Path, String)} accepts. */
    public static final List<String> LAYOUTS = List.of("avimos", "dhf1k", "stavis", "stavis/SET");

    private Datasets() {}

    /** Opens {@code root}, detecting its layout. */
    public static SaliencyDataset open(Path root) throws DatasetException {
        if (!Files.isDirectory(root)) throw new DatasetException(root + ": not a folder");
        if (Files.isDirectory(root.resolve("videos")) && Files.isDirectory(root.resolve("fixations")))
            return AvimosDataset.open(root);
        if (Files.isDirectory(root.resolve("video")) && Files.isDirectory(root.resolve("annotation")))
            return Dhf1kDataset.open(root);
        if (StavisDataset.isLayout(root)) return StavisDataset.open(root, null);
        throw new DatasetException(root + ": unknown dataset layout (known: AViMoS = videos/ + saliency/ + fixations/"
                + ", DHF1K = video/ + annotation/, STAViS = video_frames/ + annotations/ + fold_lists/; see dev.avsal.io.datasets.Datasets)");
    }

    /**
     * Opens {@code root} as the named layout (one of {@link #LAYOUTS}, case-insensitive): {@code avimos} (alias
     * {@code aim2024}), {@code dhf1k}, {@code stavis/SET} with SET one of {@link StavisDataset#SETS} or an alias
     * (e.g. {@code stavis/coutrot1}), or {@code stavis} for a root that holds one set.
     */
    public static SaliencyDataset open(Path root, String layout) throws DatasetException {
        String l = layout.toLowerCase(Locale.ROOT);
        if (l.startsWith("stavis/")) return StavisDataset.open(root, layout.substring("stavis/".length()));
        return switch (l) {
            case "avimos", "aim2024" -> AvimosDataset.open(root);
            case "dhf1k" -> Dhf1kDataset.open(root);
            case "stavis" -> StavisDataset.open(root, null);
            default -> throw new DatasetException(root + ": unknown layout '" + layout + "' (known: " + LAYOUTS + ")");
        };
    }
}
