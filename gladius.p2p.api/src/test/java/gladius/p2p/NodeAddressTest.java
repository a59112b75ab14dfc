package gladius.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NodeAddressTest {

    @ParameterizedTest
    @ValueSource(strings = {"localhost:7000", "1.2.3.4:7000", "[::1]:7000", "[fe80::1%eth0]:1", "node-7.example.org:65535", "h:0"})
    void parsesAndPrintsTheSameText(String text) {
        NodeAddress address = NodeAddress.parse(text);
        assertEquals(text, address.toString());
        assertEquals(address, NodeAddress.parse(address.toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "host", ":7000", "host:", "host:-1", "host:65536", "host:7x", "::1:7000", "[1.2.3.4]:7",
        "[::1]7000", "a b:1", "host:1:2", "[::1]:", "ho/st:1"})
    void rejectsAnythingElse(String text) {
        assertThrows(IllegalArgumentException.class, () -> NodeAddress.parse(text));
    }

    @ParameterizedTest
    @CsvSource({
        "[::1]:7000, [::1]:7001",          // same host: the port decides
        "10.0.0.1:9, 10.0.0.1:10",
        "10.0.0.1:9000, 10.0.0.2:1",       // the host decides before a larger port
        "a.example:65535, b.example:1",
    })
    void ordersByHostThenPort(String lower, String higher) {
        NodeAddress a = NodeAddress.parse(lower);
        NodeAddress b = NodeAddress.parse(higher);
        assertEquals(-1, Integer.signum(a.compareTo(b)), lower + " before " + higher);
        assertEquals(1, Integer.signum(b.compareTo(a)), higher + " after " + lower);
        assertEquals(0, a.compareTo(NodeAddress.parse(lower)));
    }
}
