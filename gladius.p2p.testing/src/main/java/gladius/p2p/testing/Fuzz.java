package gladius.p2p.testing;

import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Generated inputs for decoder tests: a fixed seed, so a failure names the input that caused it
 * and the next run makes it again. Lengths lean towards the edges (empty, one byte, around a
 * size the caller names) where parsers break, and bytes towards the values headers care about.
 *
 * <pre>{@code
 * Fuzz.run("datagram headers", 300_000, 42, random -> {
 *     byte[] datagram = Fuzz.bytes(random, 1500, 11);
 *     Datagram.read(Unpooled.wrappedBuffer(datagram)); // must not throw
 * });
 * }</pre>
 */
public final class Fuzz {

    private Fuzz() {}

    /**
     * Runs a check on generated inputs; the first failure is rethrown with the try and the seed.
     *
     * @param what what is being fuzzed, for the failure message
     * @param tries how many inputs
     * @param seed the seed of the first input; try i uses a generator split off in order
     * @param check generates its input from the random it is given, and throws if something is wrong
     */
    public static void run(String what, int tries, long seed, Consumer<SplittableRandom> check) {
        SplittableRandom root = new SplittableRandom(seed);
        for (int i = 0; i < tries; i++) {
            SplittableRandom random = root.split();
            try {
                check.accept(random);
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError(what + ": try " + i + " of seed " + seed + " failed: " + e, e);
            }
        }
    }

    /**
     * Random bytes: usually a uniform length up to max, sometimes 0, 1, or within a few bytes of
     * near (such as a header's length); a quarter of the bytes are 0x00, 0xff or 0x01.
     *
     * @param random the generator
     * @param max the longest
     * @param near a length worth probing around
     * @return the bytes
     */
    public static byte[] bytes(SplittableRandom random, int max, int near) {
        int length = switch (random.nextInt(8)) {
            case 0 -> random.nextInt(2);
            case 1 -> Math.max(0, Math.min(max, near - 3 + random.nextInt(7)));
            default -> random.nextInt(max + 1);
        };
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            int pick = random.nextInt(16);
            bytes[i] = switch (pick) {
                case 0 -> 0;
                case 1 -> (byte) 0xff;
                case 2, 3 -> 1;
                default -> (byte) random.nextInt(256);
            };
        }
        return bytes;
    }
}
