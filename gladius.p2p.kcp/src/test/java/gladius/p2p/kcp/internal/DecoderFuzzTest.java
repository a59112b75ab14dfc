package gladius.p2p.kcp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.security.SecureRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Generated inputs for every decoder a datagram reaches, before and after the session layer:
 * none may throw, accept what it must not, or keep more than the input it was given. Together
 * with the plugins' fuzz tests, over a million inputs in the normal test run.
 */
class DecoderFuzzTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final NoiseXX.KeyPair STATIC_KEY = NoiseXX.KeyPair.generate(RANDOM);
    private static final int MAX_FRAME = Frames.maxFrameLength(1 << 20);

    @Property(tries = 300_000)
    void datagramHeadersParseOrAreRefusedNeverThrow(@ForAll @Size(max = 1500) byte[] bytes) {
        ByteBuf datagram = Unpooled.wrappedBuffer(bytes);
        Datagram.Header header = Datagram.read(datagram);
        if (header == null) {
            assertEquals(0, datagram.readerIndex(), "a refused datagram is left as it was");
            return;
        }
        assertTrue(header.kind() >= Datagram.HELLO && header.kind() <= Datagram.REFUSE && header.sender() != 0);
        assertEquals(Datagram.HEADER_LENGTH, datagram.readerIndex());
        if (header.kind() == Datagram.DATA) {
            Datagram.segmentsValid(datagram, 12345, 1376); // must only answer, never throw
        }
    }

    /** A header that passes, so the rest of the bytes reach the segment checks. */
    @Property(tries = 200_000)
    void kcpSegmentChecksNeverThrow(@ForAll @Size(max = 1400) byte[] segments, @ForAll int conv) {
        ByteBuf payload = Unpooled.wrappedBuffer(segments);
        boolean valid = Datagram.segmentsValid(payload, conv, 1376);
        assertTrue(!valid || segments.length == 0 || (payload.getIntLE(0) == conv), "only this conversation's segments pass");
        assertEquals(0, payload.readerIndex());
    }

    @Property(tries = 200_000)
    void theFrameReaderConsumesOrRefusesAndNeverHoldsMoreThanItWasGiven(@ForAll @Size(max = 2048) byte[] stream,
                                                                        @ForAll boolean plausibleLength) {
        if (plausibleLength && stream.length >= 5) {
            int length = stream.length - 4; // make the length prefix agree with the bytes, so deeper checks run
            stream[0] = (byte) (length >>> 24);
            stream[1] = (byte) (length >>> 16);
            stream[2] = (byte) (length >>> 8);
            stream[3] = (byte) length;
        }
        Frames.Reader reader = new Frames.Reader(MAX_FRAME);
        ByteBuf buffer = Unpooled.wrappedBuffer(stream);
        for (int guard = 0; guard < stream.length + 1; guard++) {
            Frames.Result result = reader.next(buffer);
            if (result == Frames.Result.NEED_MORE || result == Frames.Result.BAD_STREAM) {
                return;
            }
            if (result == Frames.Result.FRAME) {
                assertTrue(reader.bodyLength() <= stream.length);
            }
        }
        throw new AssertionError("the reader did not stop");
    }

    @Property(tries = 50_000)
    void sealedDatagramsThatWereNotSealedNeverAuthenticate(@ForAll @Size(max = 1500) byte[] ciphertext,
                                                           @ForAll @IntRange(min = 0, max = 255) int epoch, @ForAll long counter) {
        SecureChannel channel = new SecureChannel(new byte[32], new byte[32], 1000, Long.MAX_VALUE, 0);
        assertTrue(channel.open(Datagram.sealedHeader(1, 2), epoch, counter, ciphertext).isEmpty());
    }

    @Property(tries = 10_000)
    void handshakeMessagesThatWereNotWrittenByAPeerFailCleanly(@ForAll @Size(max = 200) byte[] first,
                                                               @ForAll @Size(max = 200) byte[] second) {
        NoiseXX responder = new NoiseXX(false, STATIC_KEY, new byte[0]);
        // Any 32+ bytes are a valid first message (an ephemeral key and a cleartext payload).
        assertEquals(first.length >= 32, responder.readMessage(first).isPresent());

        NoiseXX initiator = new NoiseXX(true, STATIC_KEY, new byte[0]);
        initiator.writeMessage(new byte[0], RANDOM).orElseThrow();
        assertTrue(initiator.readMessage(second).isEmpty(), "a random second message never authenticates");
        assertTrue(initiator.failed() && initiator.remoteStatic().isEmpty());
    }
}
