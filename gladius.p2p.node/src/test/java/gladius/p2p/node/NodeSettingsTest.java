package gladius.p2p.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.NodeAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

/** How {@code gladius run} turns a settings file, {@code --set} pairs and flags into settings, and what it refuses. */
class NodeSettingsTest {

    @Test
    void setPairsWinOverTheFileAndKeysAndValuesAreTrimmed(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("node.properties");
        Files.writeString(file, "# a comment\nkcp.keepalive = 2s\ndiscovery.interval=1s\n", StandardCharsets.UTF_8);
        Map<String, String> settings = NodeSettings.build(file, List.of("kcp.keepalive=3s", " ethstate.fanout = 4 "));
        assertEquals(Map.of("kcp.keepalive", "3s", "discovery.interval", "1s", "ethstate.fanout", "4"), settings);
        assertEquals(Map.of(), NodeSettings.build(null, List.of()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"novalue", "=x", ""})
    void aSetPairWithoutKeyAndValueIsAUserError(String pair) {
        UserError error = assertThrows(UserError.class, () -> NodeSettings.build(null, List.of(pair)));
        assertEquals("--set wants key=value, not '" + pair + "'", error.getMessage());
    }

    @Test
    void anUnreadableFileIsAUserErrorThatNamesIt(@TempDir Path dir) {
        Path missing = dir.resolve("missing.properties");
        UserError error = assertThrows(UserError.class, () -> NodeSettings.build(missing, List.of()));
        assertEquals("cannot read settings file " + missing + ": no such file", error.getMessage());
        UserError secret = assertThrows(UserError.class, () -> NodeSettings.readSecretFile(missing, "password file"));
        assertEquals("cannot read password file " + missing + ": no such file", secret.getMessage());
    }

    @Test
    void seedsJoinThoseTheSettingsAlreadyName() {
        Map<String, String> settings = new HashMap<>(Map.of("discovery.seeds", "198.18.0.1:7000"));
        NodeSettings.addSeeds(settings, List.of(new Contacts(NodeAddress.parse("198.18.0.2:7000"), java.util.Optional.empty()),
                new Contacts(NodeAddress.parse("[::1]:7001"), java.util.Optional.empty())));
        assertEquals("198.18.0.1:7000,198.18.0.2:7000,[::1]:7001", settings.get("discovery.seeds"));
        Map<String, String> none = new HashMap<>();
        NodeSettings.addSeeds(none, List.of());
        assertEquals(Map.of(), none, "no seeds, no setting");
        NodeSettings.addSeeds(none, List.of(new Contacts(NodeAddress.parse("198.18.0.3:1"), java.util.Optional.empty())));
        assertEquals(Map.of("discovery.seeds", "198.18.0.3:1"), none);
    }

    @Test
    void thePartsDeclareTheirNamespacesAndEveryDefault() {
        Map<String, Map<String, String>> known = gladius.p2p.Network.knownSettings();
        assertEquals(List.of("dht", "discovery", "ethstate", "kcp", "latency", "pubsub"), List.copyOf(known.keySet()));
        assertEquals("1400", known.get("kcp").get("kcp.mtu"));
        assertEquals("", known.get("kcp").get("kcp.node-key"), "a key with no default is listed with an empty one");
        assertEquals("1s", known.get("discovery").get("discovery.interval"));
        assertEquals("100", known.get("latency").get("latency.window"));
        assertEquals("2", known.get("ethstate").get("ethstate.fanout"));
        assertEquals("20", known.get("dht").get("dht.k"));
        assertEquals("6", known.get("pubsub").get("pubsub.d"));
        known.forEach((namespace, defaults) -> defaults.keySet().forEach(key ->
                assertTrue(key.startsWith(namespace + "."), key + " is a whole key of " + namespace)));
        // Each default is one the part accepts: a network created with all of them given explicitly starts.
        Map<String, String> all = new HashMap<>();
        known.values().forEach(defaults -> defaults.forEach((key, value) -> {
            if (!value.isEmpty()) {
                all.put(key, value);
            }
        }));
        gladius.p2p.Network.create(all).close();
    }

    @Test
    void everyKeyMustBelongToAPartOnTheModulePath() {
        NodeSettings.checkNamespaces(Map.of("provider", "kcp", "plugins", "none", "kcp.interval", "5ms"));
        UserError typo = assertThrows(UserError.class, () -> NodeSettings.checkNamespaces(Map.of("kcpp.interval", "5ms")));
        assertTrue(typo.getMessage().startsWith("unknown setting kcpp.interval: nothing on the module path reads it"), typo.getMessage());
        assertTrue(typo.getMessage().contains("kcp."), "the namespaces there are are listed: " + typo.getMessage());
        assertThrows(UserError.class, () -> NodeSettings.checkNamespaces(Map.of("interval", "5ms")), "a key with no namespace");
    }

    @Test
    void durationsAndAddressesOnTheCommandLineSayWhatTheyWant() {
        assertEquals(Duration.ofMillis(250), new Durations().convert("250ms"));
        assertEquals(Duration.ofMinutes(2), new Durations().convert("2m"));
        for (String bad : List.of("0s", "soon", "-1s", "")) {
            TypeConversionException e = assertThrows(TypeConversionException.class, () -> new Durations().convert(bad));
            assertEquals("'" + bad + "' is not a positive duration (such as 500ms, 5s, 1m)", e.getMessage());
        }
        assertEquals(NodeAddress.parse("[::1]:7000"), new Addresses().convert("[::1]:7000"));
        for (String bad : List.of("7000", "host:", "::1:7000")) {
            TypeConversionException e = assertThrows(TypeConversionException.class, () -> new Addresses().convert(bad));
            assertEquals("'" + bad + "' is not HOST:PORT (such as 127.0.0.1:7000 or [::1]:7000)", e.getMessage());
        }
    }
}
