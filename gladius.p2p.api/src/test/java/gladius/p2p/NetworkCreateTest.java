package gladius.p2p;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The api alone, with no transport on the module path: what Network.create says. */
class NetworkCreateTest {

    @Test
    void withNoTransportTheErrorIsItsOwnTypeAndSaysWhatToAdd() {
        NoTransportException e = assertThrows(NoTransportException.class, () -> Network.create(Map.of()));
        assertTrue(e.getMessage().contains("gladius.p2p.kcp"), e.getMessage());
        assertTrue(assertThrows(IllegalStateException.class, Network::create) instanceof NoTransportException,
                "still the IllegalStateException the contract documents");
    }

    @Test
    void aProviderNamedButAbsentIsABadSettingNotAMissingTransport() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Network.create(Map.of("provider", "kcp")));
        assertTrue(e.getMessage().startsWith("setting provider"), e.getMessage());
    }
}
