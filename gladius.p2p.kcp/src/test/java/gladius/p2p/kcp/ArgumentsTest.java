package gladius.p2p.kcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.testing.Inbox;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad settings and arguments are an IllegalArgumentException naming what was wrong; wrong states an IllegalStateException. */
class ArgumentsTest {

    @ParameterizedTest
    @CsvSource({
        "kcp.mtu, 12",
        "kcp.mtu, lots",
        "kcp.interval, 10 parsecs",
        "kcp.nodelay, yes",
        "kcp.send-window, -1",
        "kcp.queue-capacity, 0",
        "kcp.dead-peer-timeout, 1ms",
        "kcp.no-such-setting, 1",
        "kcp.node-key, 1234",
        "kcp.node-key, /no/such/key/file",
        "kcp.allow-keys, 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
        "kcp.max-sessions-per-ip, 0",
        "kcp.handshakes-per-second, 0",
        "kcp.max-queued-bytes, 10",
        "kcp.io, poll",
        "kcp.rekey-after-datagrams, 1",
        "kcp.relay, sometimes",
        "kcp.relay-circuits, 0",
        "kcp.relay-bytes-per-second, 1024",
    })
    void aBadSettingIsRejectedByName(String key, String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Network.create(Map.of("provider", "kcp", "plugins", "none", key, value)));
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }

    @Test
    void unknownProviderAndPluginAreRejectedByName() {
        IllegalArgumentException provider = assertThrows(IllegalArgumentException.class,
                () -> Network.create(Map.of("provider", "carrier-pigeon")));
        assertTrue(provider.getMessage().contains("provider"), provider.getMessage());
        IllegalArgumentException plugin = assertThrows(IllegalArgumentException.class,
                () -> Network.create(Map.of("plugins", "telepathy")));
        assertTrue(plugin.getMessage().contains("plugins"), plugin.getMessage());
    }

    @Test
    void badMessagesAreRejectedByName() {
        try (Nodes nodes = new Nodes()) {
            Network network = nodes.start("kcp.max-message-bytes", "100").network();
            assertTrue(assertThrows(IllegalArgumentException.class, () -> network.newMessage("", new byte[0]))
                    .getMessage().contains("type"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> network.newMessage("x".repeat(256), new byte[0]))
                    .getMessage().contains("type"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> network.newMessage("\ud800", new byte[0]))
                    .getMessage().contains("type"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> network.newMessage("t", new byte[101]))
                    .getMessage().contains("kcp.max-message-bytes"));
            assertEquals(255, network.newMessage("é".repeat(127) + "x", new byte[100]).type().getBytes(StandardCharsets.UTF_8).length);
            assertThrows(IllegalArgumentException.class, () -> network.add(network.localAddress()));
            assertThrows(IllegalArgumentException.class, () -> network.add(new NodeAddress("127.0.0.1", 0)));
        }
    }

    @Test
    void callsInTheWrongStateAreRejected() {
        Network network = Network.create(Map.of("provider", "kcp", "plugins", "none"));
        assertThrows(IllegalStateException.class, network::localAddress);
        assertThrows(IllegalStateException.class, () -> network.newMessage("t", new byte[0]));
        network.listen(Nodes.ANY_LOOPBACK_PORT);
        assertThrows(IllegalStateException.class, () -> network.listen(Nodes.ANY_LOOPBACK_PORT));
        network.close();
        assertThrows(IllegalStateException.class, network::networkState);
        assertThrows(IllegalStateException.class, () -> network.registerPlugin(new Inbox()));
    }

    @ParameterizedTest(name = "kcp.io={0}")
    @ValueSource(strings = {"epoll", "nio"})
    void thePortInUseIsAClearError(String io) {
        try (Nodes nodes = new Nodes()) {
            NodeAddress taken = nodes.start().address();
            Network second = Network.create(Map.of("provider", "kcp", "plugins", "none", "kcp.io", io));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> second.listen(taken));
            assertTrue(e.getMessage().startsWith("cannot bind " + taken + ": "), "the address as the user wrote it: " + e.getMessage());
            assertTrue(e.getCause() instanceof java.net.BindException, "the cause is the socket's own: " + e.getCause());
            second.close();
        }
    }

    @Test
    void theServiceFileForTheClassPathIsInStepWithTheModuleDescriptor() throws IOException {
        Module module = gladius.p2p.kcp.internal.KcpNetworkProvider.class.getModule();
        Set<String> declared = module.getDescriptor().provides().stream()
                .filter(p -> p.service().equals("gladius.p2p.spi.NetworkProvider"))
                .flatMap(p -> p.providers().stream()).collect(Collectors.toSet());
        try (InputStream in = module.getResourceAsStream("META-INF/services/gladius.p2p.spi.NetworkProvider")) {
            Set<String> listed = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::trim)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toSet());
            assertEquals(declared, listed);
        }
    }
}
