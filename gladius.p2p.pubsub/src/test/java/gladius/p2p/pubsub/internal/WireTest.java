package gladius.p2p.pubsub.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WireTest {

    private static final byte[] ID = new byte[Wire.ID_BYTES];

    @Test
    void everyKindReadsBack() {
        List<Wire.Frame> frames = List.of(new Wire.Subscription("t", true), new Wire.Subscription("τόπος", false),
                new Wire.Graft("t"), new Wire.Prune("t", 60), new Wire.Publish("t", new byte[] {1, 2}, 7, new byte[] {3}),
                new Wire.Publish("t", new byte[0], -1, new byte[0]), new Wire.IHave("t", List.of(ID, ID)), new Wire.IWant(List.of(ID)),
                new Wire.Choke("t", true, new byte[] {4, 5}), new Wire.Choke("t", false, new byte[0]), new Wire.Hello(true),
                new Wire.Hello(false), new Wire.IDontWant(List.of(ID, ID, ID)));
        List<Wire.Frame> back = Wire.decode(Wire.encode(frames)).orElseThrow();
        assertEquals(frames.size(), back.size());
        assertEquals(frames.get(0), back.get(0));
        assertEquals(frames.get(1), back.get(1));
        assertEquals(frames.get(3), back.get(3));
        Wire.Publish publish = (Wire.Publish) back.get(4);
        assertArrayEquals(new byte[] {1, 2}, publish.author());
        assertEquals(7, publish.sequence());
        assertArrayEquals(new byte[] {3}, publish.data());
        assertEquals(2, ((Wire.IHave) back.get(6)).ids().size());
        Wire.Choke choke = (Wire.Choke) back.get(8);
        assertTrue(choke.on());
        assertArrayEquals(new byte[] {4, 5}, choke.source());
        assertEquals(0, ((Wire.Choke) back.get(9)).source().length);
        assertEquals(frames.subList(10, 12), back.subList(10, 12));
        assertEquals(3, ((Wire.IDontWant) back.get(12)).ids().size());
    }

    @Test
    void garbageIsNoMessage() {
        Wire.Frame first = new Wire.Publish("t", new byte[0], 1, new byte[] {9});
        byte[] good = Wire.encode(List.of(first, new Wire.IWant(List.of(ID))));
        int boundary = Wire.encode(List.of(first)).length;
        for (int cut = 0; cut < good.length; cut++) {
            // Cut between the frames, it is a message of one frame; anywhere else, none.
            assertEquals(cut == boundary, Wire.decode(java.util.Arrays.copyOf(good, cut)).isPresent(), "cut at " + cut);
        }
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 10_000; i++) {
            byte[] junk = new byte[random.nextInt(64)];
            random.nextBytes(junk);
            Wire.decode(junk); // never throws
        }
        assertTrue(Wire.decode(new byte[] {Wire.IWANT, 0, 0, 0, 3, 1, 2, 3}).isEmpty(), "an ID of three bytes");
        assertTrue(Wire.decode(new byte[] {Wire.GRAFT, 0, 0, 0, 1, 0}).isEmpty(), "an empty topic");
        assertTrue(Wire.decode(new byte[] {Wire.GRAFT, 0, 0, 0, 2, 1, (byte) 0xff}).isEmpty(), "a topic that is no UTF-8");
        assertTrue(Wire.decode(new byte[] {99, 0, 0, 0, 0}).isEmpty(), "an unknown kind");
        assertTrue(Wire.decode(new byte[] {Wire.HELLO, 0, 0, 0, 1, 2}).isEmpty(), "a HELLO flag not defined");
    }
}
