package dev.avsal.eval;

import dev.avsal.metrics.Map2D;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/**
 * Reads saliency maps, ground-truth densities and binary fixation maps from files: NumPy {@code .npy} (C order,
 * float32, float64 or uint8, either byte order; 2-D, or 3-D stacks through {@link #readNpyStack}) and PNG
 * (grey 8/16-bit: the sample value; colour: the mean of R, G and B, as AIM 2024's bench.py converts frames).
 * By default values are returned as stored (integer levels 0..255 or 0..65535), as AIM 2024's bench.py reads them
 * ({@code cv2.imread}; its min-max normalisation adds float32 eps to the range, so the scale matters at about
 * 1e-7). With {@code unitRange} integer formats are divided by their largest level, as MATLAB's {@code im2double}
 * does in the STAViS evaluation, whose post-processing expects [0, 1] ({@link dev.avsal.metrics.Protocol#STAVIS});
 * float formats are never rescaled. Stateless and thread-safe.
 */
public final class MapFiles {
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");

    private MapFiles() {}

    /** A 2-D map from a {@code .npy} or {@code .png} file (chosen by the extension), values as stored. */
    public static Map2D read(Path file) throws EvalException { return read(file, false); }

    /**
     * Whether a protocol reads integer maps as MATLAB's {@code im2double} does (STAViS), rather than as raw levels.
     */
    public static boolean unitRange(dev.avsal.metrics.Protocol p) { return p == dev.avsal.metrics.Protocol.STAVIS; }

    /** As {@link #read(Path)}; with {@code unitRange}, integer maps are scaled to [0, 1] (see the class comment). */
    public static Map2D read(Path file, boolean unitRange) throws EvalException {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".npy")) {
            Stack s = readNpyStack(file);
            if (s.shape.length != 2) throw new EvalException(file + ": expected a 2-D array, found shape "
                    + Arrays.toString(s.shape));
            return unitRange ? s.unitFrame(0) : s.frame(0);
        }
        if (n.endsWith(".png")) return readPng(file, unitRange);
        throw new EvalException(file + ": unknown map format (expected .npy or .png)");
    }

    /** A 2-D ({@code height, width}) or 3-D ({@code frames, height, width}) array of maps. */
    public record Stack(Path file, int[] shape, double[] data, int levels) {
        /** Largest level of the dtype for uint8 (255), 0 for floats. */
        public int levels() { return levels; }
        public int frames() { return shape.length == 3 ? shape[0] : 1; }
        public int height() { return shape[shape.length - 2]; }
        public int width() { return shape[shape.length - 1]; }

        /** Frame {@code i} with uint8 levels scaled to [0, 1] (im2double); float frames as stored. */
        public Map2D unitFrame(int i) {
            Map2D m = frame(i);
            if (levels > 0) for (int k = 0; k < m.data().length; k++) m.data()[k] /= levels;
            return m;
        }

        /** Frame {@code i} (a copy). */
        public Map2D frame(int i) {
            int hw = height() * width();
            return new Map2D(width(), height(), Arrays.copyOfRange(data, i * hw, (i + 1) * hw));
        }
    }

    /** Reads a {@code .npy} file of 2 or 3 dimensions; every value must be finite. */
    public static Stack readNpyStack(Path file) throws EvalException {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new EvalException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (all.length < 10 || (all[0] & 0xff) != 0x93 || !new String(all, 1, 5, StandardCharsets.ISO_8859_1).equals("NUMPY"))
            throw new EvalException(file + ": not a .npy file");
        int major = all[6];
        int hlen = major == 1 ? (all[8] & 0xff) | (all[9] & 0xff) << 8
                : ByteBuffer.wrap(all, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int start = major == 1 ? 10 : 12;
        if (hlen < 0 || start + hlen > all.length) throw new EvalException(file + ": truncated .npy header");
        String h = new String(all, start, hlen, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(h), s = SHAPE.matcher(h);
        if (!d.find() || !s.find()) throw new EvalException(file + ": .npy header without descr or shape: " + h.strip());
        if (h.contains("'fortran_order': True")) throw new EvalException(file + ": Fortran-order arrays are not supported");
        int[] shape;
        try {
            shape = Arrays.stream(s.group(1).split(",")).map(String::strip).filter(t -> !t.isEmpty())
                    .mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new EvalException(file + ": bad .npy shape (" + s.group(1) + ")");
        }
        if (shape.length < 2 || shape.length > 3) throw new EvalException(file + ": expected a 2-D map or a 3-D stack,"
                + " found shape " + Arrays.toString(shape));
        long n = 1;
        for (int v : shape) {
            if (v <= 0) throw new EvalException(file + ": empty array, shape " + Arrays.toString(shape));
            n *= v;
        }
        String descr = d.group(1);
        int size = switch (descr.substring(1)) {
            case "f4" -> 4;
            case "f8" -> 8;
            case "u1" -> 1;
            default -> throw new EvalException(file + ": unsupported dtype '" + descr + "' (float32, float64, uint8)");
        };
        int off = start + hlen;
        if (n > Integer.MAX_VALUE || all.length - off != n * size)
            throw new EvalException(file + ": expected " + n * size + " data bytes for shape " + Arrays.toString(shape)
                    + ", found " + (all.length - off));
        ByteBuffer b = ByteBuffer.wrap(all, off, (int) n * size).order(descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN
                : ByteOrder.LITTLE_ENDIAN);
        double[] data = new double[(int) n];
        for (int i = 0; i < data.length; i++) {
            data[i] = switch (size) {
                case 4 -> b.getFloat();
                case 8 -> b.getDouble();
                default -> b.get() & 0xff;
            };
            if (!Double.isFinite(data[i])) throw new EvalException(file + ": non-finite value " + data[i] + " at index " + i);
        }
        return new Stack(file, shape, data, size == 1 ? 255 : 0);
    }

    /** A PNG as a grey map (see the class comment); {@code unitRange} divides by 255 or 65535 (the bit depth's top). */
    public static Map2D readPng(Path file, boolean unitRange) throws EvalException {
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new EvalException(file + ": cannot read the PNG: " + e.getMessage(), e);
        }
        if (img == null) throw new EvalException(file + ": not a readable image");
        int w = img.getWidth(), h = img.getHeight();
        Raster r = img.getRaster();
        int bands = r.getNumBands();
        double[] out = new double[w * h];
        boolean grey = bands <= 2 && img.getColorModel().getNumColorComponents() == 1 && img.getColorModel()
                .getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                if (grey) {
                    out[y * w + x] = r.getSample(x, y, 0);
                } else { // palette or colour: through the RGB view
                    int rgb = img.getRGB(x, y);
                    out[y * w + x] = (((rgb >> 16) & 0xff) + ((rgb >> 8) & 0xff) + (rgb & 0xff)) / 3.0;
                }
            }
        if (unitRange) {
            double top = grey && img.getColorModel().getComponentSize(0) > 8 ? 65535 : 255;
            for (int i = 0; i < out.length; i++) out[i] /= top;
        }
        return new Map2D(w, h, out);
    }
}
