package gladius.p2p.discovery.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.NodeAddress;
import gladius.p2p.discovery.DiscoveryService;
import gladius.p2p.testing.Fuzz;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Generated discovery bodies: the parser never throws and never yields more than an answer may hold. */
class AnswerFuzzTest {

    @Test
    void answersParseWithinTheirLimitsOrAreRefused() {
        Fuzz.run("discovery answers", 200_000, 11, random -> {
            byte[] body = Fuzz.bytes(random, 2000, 9);
            if (body.length >= 2 && random.nextBoolean()) {
                body[0] = Answers.VERSION; // the version, so the entries are parsed
                body[1] = (byte) random.nextInt(20);
            }
            Optional<List<Answers.Entry>> entries = Answers.parseAnswer(ByteBuffer.wrap(body));
            entries.ifPresent(list -> assertTrue(list.size() <= DiscoveryService.MAX_ANSWER && list.size() * 9 <= body.length));
            entries.ifPresent(list -> list.forEach(entry -> assertTrue(entry.address().port() > 0
                    && entry.record().length <= Answers.MAX_RECORD)));
            assertEquals(body.length == 1 && body[0] == Answers.VERSION, Answers.isRequest(ByteBuffer.wrap(body)),
                    "a request is the version byte alone");
        });
    }

    @Test
    void answersReadBackAsWritten() {
        List<Answers.Entry> written = List.of(new Answers.Entry(new NodeAddress("198.18.0.7", 7000), new byte[] {1, 2, 3}),
                new Answers.Entry(new NodeAddress("0:0:0:0:0:0:0:1", 7001), new byte[0]));
        List<Answers.Entry> read = Answers.parseAnswer(ByteBuffer.wrap(Answers.answer(written))).orElseThrow();
        assertEquals(2, read.size());
        for (int i = 0; i < 2; i++) {
            assertEquals(written.get(i).address(), read.get(i).address());
            assertTrue(java.util.Arrays.equals(written.get(i).record(), read.get(i).record()));
        }
    }
}
