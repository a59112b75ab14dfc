package acme.heartbeat.internal;

import gladius.p2p.Plugin;
import gladius.p2p.spi.PluginProvider;
import gladius.p2p.spi.SettingsReader;
import java.time.Duration;
import java.util.Map;

/** Found by ServiceLoader through module-info's {@code provides}. */
public final class HeartbeatProvider implements PluginProvider {

    static final String NAMESPACE = "heartbeat";
    private static final Map<String, String> DEFAULTS = Map.of("heartbeat.interval", "1s");

    /** For ServiceLoader. */
    public HeartbeatProvider() {}

    /** What setting {@code plugins} names to choose it. */
    @Override
    public String name() {
        return "heartbeat";
    }

    /** The keys it reads start with "heartbeat.": a key there it does not know is an error. */
    @Override
    public String namespace() {
        return NAMESPACE;
    }

    @Override
    public Map<String, String> defaults() {
        return DEFAULTS;
    }

    @Override
    public Plugin create(Map<String, String> settings) {
        // Whole keys, namespace included; an unknown heartbeat.* key or a bad value is an
        // IllegalArgumentException naming it, before the node starts.
        SettingsReader reader = SettingsReader.of(settings, NAMESPACE + ".", DEFAULTS);
        Duration interval = reader.duration("heartbeat.interval", Duration.ofMillis(10), Duration.ofHours(1));
        return new HeartbeatPlugin(interval);
    }
}
