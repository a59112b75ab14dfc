package gladius.p2p.kcp.internal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.NodeAddress;
import gladius.p2p.kcp.internal.secure.NodeIdentity;
import gladius.p2p.kcp.internal.secure.CipherSuite;
import gladius.p2p.kcp.internal.secure.NoiseXX;
import gladius.p2p.kcp.internal.secure.SecureChannel;
import gladius.p2p.testing.Fuzz;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Generated inputs for every decoder a datagram reaches, before and after the session layer:
 * none may throw, accept what it must not, or keep more than the input it was given. Together
 * with the plugins' fuzz tests, about a million and a half inputs in the normal test run.
 */
class DecoderFuzzTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final NoiseXX.KeyPair STATIC_KEY = NoiseXX.KeyPair.generate(RANDOM);
    private static final int MAX_FRAME = Frames.maxFrameLength(1 << 20);

    @Test
    void pingAddressReportsRoundTripAndGarbageIsRefusedNeverThrown() throws Exception {
        Fuzz.run("ping address reports", 100_000, 7, random -> {
            byte[] bytes = Fuzz.bytes(random, 24, 0);
            if (bytes.length > 0 && random.nextBoolean()) {
                bytes[0] = (byte) (random.nextBoolean() ? 4 : 6); // the family right, so the lengths are checked
            }
            var parsed = Datagram.observed(bytes, 0, bytes.length);
            boolean wellFormed = bytes.length > 0 && ((bytes[0] == 4 && bytes.length == Datagram.OBSERVED_V4)
                    || (bytes[0] == 6 && bytes.length == Datagram.OBSERVED_V6))
                    && ((bytes[bytes.length - 2] & 0xff) << 8 | (bytes[bytes.length - 1] & 0xff)) != 0;
            assertEquals(wellFormed, parsed.isPresent(), "only a family, its address and a nonzero port are a report");
            parsed.ifPresent(address -> {
                byte[] again = Datagram.observed(address); // (an IPv4-mapped IPv6 address comes back as IPv4)
                assertEquals(parsed, Datagram.observed(again, 0, again.length), "a report reads back as it was written");
            });
        });
        Fuzz.run("ping reports with flags", 100_000, 8, random -> {
            byte[] bytes = Fuzz.bytes(random, 24, 0);
            if (bytes.length > 0 && random.nextBoolean()) {
                bytes[0] = (byte) (random.nextBoolean() ? 4 : 6);
            }
            var report = Datagram.report(bytes, 0, bytes.length);
            var alone = Datagram.observed(bytes, 0, bytes.length);
            var flagged = bytes.length > 0 ? Datagram.observed(bytes, 0, bytes.length - 1) : java.util.Optional.empty();
            assertEquals(alone.isPresent() || flagged.isPresent(), report.isPresent(), "an address, alone or with one flags byte");
            report.ifPresent(r -> assertEquals(flagged.isPresent() && (bytes[bytes.length - 1] & 1) != 0, r.relays()));
            // A relay's wrapping names an address the same way: read back, and never past the buffer.
            ByteBuf wrapped = Unpooled.wrappedBuffer(bytes);
            java.net.InetSocketAddress named = Datagram.readAddress(wrapped);
            assertEquals(named == null ? 0 : Datagram.observed(named).length, wrapped.readerIndex());
        });
        for (String text : List.of("198.18.0.2", "::1")) {
            java.net.InetSocketAddress address = new java.net.InetSocketAddress(java.net.InetAddress.getByName(text), 7000);
            byte[] report = Datagram.observed(address);
            assertEquals(java.util.Optional.of(address), Datagram.observed(report, 0, report.length));
        }
    }

    @Test
    void datagramHeadersParseOrAreRefusedNeverThrow() {
        Fuzz.run("datagram headers", 300_000, 1, random -> {
            byte[] bytes = Fuzz.bytes(random, 1500, Datagram.HEADER_LENGTH);
            if (bytes.length >= 3 && random.nextBoolean()) {
                bytes[0] = 0x47; // magic and version right, so the kind and sizes are checked
                bytes[1] = 1;
                bytes[2] = (byte) random.nextInt(17);
            }
            ByteBuf datagram = Unpooled.wrappedBuffer(bytes);
            Datagram.Header header = Datagram.read(datagram);
            if (header == null) {
                assertEquals(0, datagram.readerIndex(), "a refused datagram is left as it was");
                return;
            }
            assertTrue(header.kind() >= Datagram.HELLO && header.kind() <= Datagram.RESERVED && header.sender() != 0);
            assertEquals(Datagram.HEADER_LENGTH, datagram.readerIndex());
        });
    }

    @Test
    void kcpSegmentChecksNeverThrowAndPassOnlyThisConversation() {
        Fuzz.run("segment checks", 200_000, 2, random -> {
            byte[] segments = Fuzz.bytes(random, 1400, Datagram.KCP_OVERHEAD);
            int conv = random.nextInt();
            if (segments.length >= 4 && random.nextBoolean()) {
                Unpooled.wrappedBuffer(segments).setIntLE(0, conv);
            }
            ByteBuf payload = Unpooled.wrappedBuffer(segments);
            boolean valid = Datagram.segmentsValid(payload, conv, 1376);
            assertTrue(!valid || segments.length == 0 || payload.getIntLE(0) == conv);
            assertEquals(0, payload.readerIndex());
        });
    }

    @Test
    void theFrameReaderReadsTheSameFramesHoweverTheStreamIsCutAndHoldsAboutWhatItWasGiven() {
        Fuzz.run("frame reader", 100_000, 3, random -> {
            byte[] stream = Fuzz.bytes(random, 2048, 9);
            if (stream.length >= 5 && random.nextBoolean()) {
                Unpooled.wrappedBuffer(stream).setInt(0, stream.length - 4); // a length that agrees, so deeper checks run
                if (random.nextInt(4) == 0) {
                    stream[4] = 0; // a control frame
                }
            }
            List<String> whole = readAll(stream, List.of(stream.length));
            List<Integer> cuts = new java.util.ArrayList<>();
            for (int left = stream.length; left > 0; ) {
                int piece = 1 + random.nextInt(Math.min(left, 64));
                cuts.add(piece);
                left -= piece;
            }
            assertEquals(whole, readAll(stream, cuts), "the same frames whatever the pieces");
        });
    }

    /** What a reader makes of a stream given in pieces of these sizes, checking what it holds after each. */
    private static List<String> readAll(byte[] stream, List<Integer> pieces) {
        Frames.Reader reader = new Frames.Reader(MAX_FRAME);
        List<String> results = new java.util.ArrayList<>();
        int offset = 0;
        long fedToThisFrame = 0;
        for (int size : pieces) {
            ByteBuf piece = Unpooled.wrappedBuffer(stream, offset, size);
            offset += size;
            fedToThisFrame += size;
            while (true) {
                int before = piece.readableBytes();
                Frames.Result result = reader.next(piece);
                assertTrue(piece.readableBytes() < before || result == Frames.Result.BAD_STREAM || before == 0,
                        "each call reads something or ends the stream");
                assertTrue(reader.held() <= Math.max(Frames.Reader.FIRST_ALLOCATION + 5, 2 * fedToThisFrame),
                        "holds " + reader.held() + " bytes after being given " + fedToThisFrame);
                if (result == Frames.Result.NEED_MORE) {
                    assertEquals(0, piece.readableBytes(), "more is needed only when the piece is used up");
                    break;
                }
                if (result == Frames.Result.BAD_STREAM) {
                    results.add("BAD_STREAM");
                    return results;
                }
                fedToThisFrame = piece.readableBytes();
                results.add(result + (result == Frames.Result.FRAME || result == Frames.Result.CONTROL
                        ? " " + java.util.HexFormat.of().formatHex(bytesOf(reader.body())) : ""));
            }
        }
        return results;
    }

    private static byte[] bytesOf(java.nio.ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    @Test
    void aPeerThatAnnouncesALargeFrameAndSendsLittleMakesTheReaderHoldLittle() {
        int announced = MAX_FRAME;
        byte[] body = new byte[announced - 1 - 1 - 4]; // a one-byte type: the largest frame the reader takes
        new java.util.Random(1).nextBytes(body);
        ByteBuf frame = Frames.encode(KcpMessage.outgoing(new NodeAddress("127.0.0.1", 1), "t", body, body.length));
        assertEquals(announced, frame.getInt(0));
        Frames.Reader reader = new Frames.Reader(MAX_FRAME);
        long given = 4 + 1 + 1 + 100;
        assertEquals(Frames.Result.NEED_MORE, reader.next(frame.readSlice((int) given)));
        assertTrue(reader.held() <= Frames.Reader.FIRST_ALLOCATION + 5, "holds " + reader.held());
        // The rest in segment-sized pieces: the array grows with them, to the frame's length and no more.
        Frames.Result last = Frames.Result.NEED_MORE;
        while (frame.isReadable()) {
            ByteBuf piece = frame.readSlice(Math.min(1376, frame.readableBytes()));
            given += piece.readableBytes();
            last = reader.next(piece);
            assertTrue(reader.held() <= Math.max(Frames.Reader.FIRST_ALLOCATION + 5, 2 * given), "holds " + reader.held());
        }
        assertEquals(Frames.Result.FRAME, last);
        assertEquals(java.nio.ByteBuffer.wrap(body), reader.body());
        assertEquals(0, reader.held(), "nothing is held between frames");
    }

    @Test
    void nodeRecordsReadBackAsSignedAndAnythingElseReadsAsNothingNeverThrown() {
        NodeIdentity identity = NodeIdentity.generate(new SecureRandom());
        List<java.net.InetSocketAddress> addresses = List.of(new java.net.InetSocketAddress("198.18.0.2", 7000),
                new java.net.InetSocketAddress("::1", 7001));
        NodeRecords.Signed record = NodeRecords.sign(identity, 42, addresses);
        assertEquals(java.util.Optional.of(record), NodeRecords.read(record.encoded()));
        // Checked once, then answered from the process's checked records, for exactly these bytes:
        // a caller changing its array afterwards changes nothing that was kept.
        byte[] mine = record.encoded();
        assertEquals(java.util.Optional.of(record), NodeRecords.read(mine));
        mine[mine.length - 1] ^= 1;
        assertEquals(java.util.Optional.empty(), NodeRecords.read(mine));
        assertEquals(java.util.Optional.of(record), NodeRecords.read(record.encoded()));
        assertEquals(List.of(new NodeAddress("198.18.0.2", 7000), new NodeAddress("0:0:0:0:0:0:0:1", 7001)), record.addresses());
        byte[] good = record.encoded();
        Fuzz.run("node records", 20_000, 9, random -> {
            byte[] bytes;
            if (random.nextBoolean()) {
                bytes = good.clone();
                bytes[random.nextInt(bytes.length)] ^= (byte) (1 + random.nextInt(255)); // one byte changed: never valid
                assertEquals(java.util.Optional.empty(), NodeRecords.read(bytes));
            } else {
                bytes = Fuzz.bytes(random, NodeRecords.MAX_BYTES + 8, 0);
                if (bytes.length > 0) {
                    bytes[0] = 1;
                }
                NodeRecords.read(bytes); // garbage: whatever it is, it does not throw
            }
        });
    }

    @Test
    void theFrameReaderGivesEachFrameItsOwnTypeWhenTypesRepeatAndAlternate() {
        NodeAddress sender = new NodeAddress("127.0.0.1", 1);
        List<String> types = List.of("a", "a", "b", "a", "ü/ñ", "ü/ñ", "a");
        ByteBuf stream = Unpooled.buffer();
        for (int i = 0; i < types.size(); i++) {
            ByteBuf frame = Frames.encode(KcpMessage.outgoing(sender, types.get(i), new byte[] {(byte) i}, 16));
            stream.writeBytes(frame);
            frame.release();
        }
        Frames.Reader reader = new Frames.Reader(Frames.maxFrameLength(16));
        for (int i = 0; i < types.size(); i++) {
            assertEquals(Frames.Result.FRAME, reader.next(stream));
            assertEquals(types.get(i), reader.type(), "frame " + i);
            assertEquals(types.get(i), new String(reader.typeBytes(), StandardCharsets.UTF_8), "frame " + i);
            assertEquals(i, reader.body().get(0), "frame " + i);
        }
        assertEquals(Frames.Result.NEED_MORE, reader.next(stream));
    }

    @Test
    void sealedDatagramsThatWereNotSealedNeverAuthenticate() {
        for (CipherSuite suite : CipherSuite.values()) {
            SecureChannel channel = new SecureChannel(suite, new byte[32], new byte[32], 1000, Long.MAX_VALUE, 0);
            Fuzz.run("sealed datagrams, " + suite, 25_000, 4, random -> assertTrue(channel.open(Datagram.sealedHeader(1, 2),
                    random.nextInt(256), random.nextLong(), Fuzz.bytes(random, 1500, 17)).isEmpty()));
        }
    }

    @Test
    void handshakeMessagesThatWereNotWrittenByAPeerFailCleanly() {
        Fuzz.run("handshake messages", 10_000, 5, random -> {
            byte[] first = Fuzz.bytes(random, 200, NoiseXX.MESSAGE_1);
            CipherSuite suite = CipherSuite.values()[random.nextInt(CipherSuite.values().length)];
            NoiseXX responder = new NoiseXX(false, suite, STATIC_KEY, new byte[0]);
            assertEquals(first.length >= 32, responder.readMessage(first).isPresent(), "any 32+ bytes are a first message");

            NoiseXX initiator = new NoiseXX(true, suite, STATIC_KEY, new byte[0]);
            initiator.writeMessage(new byte[0], RANDOM).orElseThrow();
            assertTrue(initiator.readMessage(Fuzz.bytes(random, 200, NoiseXX.MESSAGE_2)).isEmpty(),
                    "a random second message never authenticates");
            assertTrue(initiator.failed() && initiator.remoteStatic().isEmpty());
        });
    }
}
