package gladius.p2p.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.NodeAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SettingsReaderTest {

    private static final Map<String, String> DEFAULTS = Map.of(
            "demo.interval", "1s", "demo.count", "3", "demo.seeds", "", "demo.ratio", "");

    @Test
    void readsGivenValuesAndFallsBackToDefaults() {
        SettingsReader r = SettingsReader.of(Map.of("demo.interval", " 250ms ", "demo.seeds", "127.0.0.1:1, [::1]:2",
                "other.key", "whatever"), "demo.", DEFAULTS);
        assertEquals(Duration.ofMillis(250), r.duration("demo.interval", Duration.ZERO, Duration.ofHours(1)));
        assertEquals(3, r.integer("demo.count", 0, 10));
        assertEquals(List.of(new NodeAddress("127.0.0.1", 1), new NodeAddress("::1", 2)), r.addresses("demo.seeds"));
        assertEquals(Optional.empty(), r.optionalDecimal("demo.ratio", 0, 1));
    }

    @Test
    void everyErrorNamesTheKey() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> SettingsReader.of(Map.of("demo.intervall", "1s"), "demo.", DEFAULTS));
        assertTrue(unknown.getMessage().contains("demo.intervall"), unknown.getMessage());

        SettingsReader r = SettingsReader.of(Map.of("demo.interval", "soon", "demo.count", "11",
                "demo.seeds", "127.0.0.1:0", "demo.ratio", "NaN"), "demo.", DEFAULTS);
        for (Runnable read : List.<Runnable>of(
                () -> r.duration("demo.interval", Duration.ZERO, Duration.ofHours(1)),
                () -> r.integer("demo.count", 0, 10),
                () -> r.addresses("demo.seeds"),
                () -> r.optionalDecimal("demo.ratio", 0, 1))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, read::run);
            assertTrue(e.getMessage().startsWith("setting demo."), e.getMessage());
        }
    }

    @Test
    void defaultsWithKeysOutsideTheNamespaceAreThePartsMistakeFoundAtOnce() {
        IllegalArgumentException relative = assertThrows(IllegalArgumentException.class,
                () -> SettingsReader.of(Map.of(), "demo.", Map.of("interval", "1s")));
        assertEquals("defaults key 'interval' is not in namespace demo.: keys are whole, as in demo.interval",
                relative.getMessage());
    }

    @Test
    void durationsHaveOneSyntaxEverywhere() {
        assertEquals(Duration.ofMinutes(2), SettingsReader.parseDuration("2m"));
        assertEquals(Duration.ofSeconds(5), SettingsReader.parseDuration("PT5S"));
        assertThrows(IllegalArgumentException.class, () -> SettingsReader.parseDuration("5"));
        assertThrows(IllegalArgumentException.class, () -> SettingsReader.parseDuration("PT-5S"));
        assertThrows(IllegalArgumentException.class, () -> SettingsReader.parseDuration("99999999999999999ms"));
    }
}
