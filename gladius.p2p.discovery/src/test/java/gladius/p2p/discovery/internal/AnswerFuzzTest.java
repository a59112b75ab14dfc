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
                body[0] = 1; // the version, so the entries are parsed
                body[1] = (byte) random.nextInt(70);
            }
            Optional<List<NodeAddress>> nodes = Answers.parseAnswer(ByteBuffer.wrap(body));
            nodes.ifPresent(list -> assertTrue(list.size() <= DiscoveryService.MAX_ANSWER && list.size() * 7 <= body.length));
            nodes.ifPresent(list -> list.forEach(node -> assertTrue(node.port() > 0)));
            assertEquals(body.length == 1 && body[0] == 1, Answers.isRequest(ByteBuffer.wrap(body)),
                    "a request is the version byte alone");
        });
    }
}
