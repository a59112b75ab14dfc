package gladius.p2p.discovery.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.NodeAddress;
import gladius.p2p.discovery.DiscoveryService;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/** Generated discovery bodies: the parser never throws and never yields more than an answer may hold. */
class AnswerFuzzTest {

    @Property(tries = 200_000)
    void answersParseWithinTheirLimitsOrAreRefused(@ForAll @Size(max = 2000) byte[] body, @ForAll boolean wellFormedStart) {
        if (wellFormedStart && body.length >= 2) {
            body[0] = 1; // the version, so the entries are parsed
        }
        Optional<List<NodeAddress>> nodes = Answers.parseAnswer(ByteBuffer.wrap(body));
        nodes.ifPresent(list -> assertTrue(list.size() <= DiscoveryService.MAX_ANSWER && list.size() * 7 <= body.length));
        nodes.ifPresent(list -> list.forEach(node -> assertTrue(node.port() > 0)));
        Answers.isRequest(ByteBuffer.wrap(body));
    }
}
