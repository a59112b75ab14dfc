package gladius.p2p.latency.internal;

import gladius.p2p.Plugin;
import gladius.p2p.spi.PluginProvider;
import java.util.Map;

/** PluginProvider "latency". */
public final class LatencyProvider implements PluginProvider {

    /** The name that setting {@code plugins} selects. */
    public static final String NAME = "latency";

    /** For ServiceLoader. */
    public LatencyProvider() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Plugin create(Map<String, String> settings) {
        return new LatencyPlugin(LatencySettings.from(settings));
    }

    @Override
    public String namespace() {
        return LatencySettings.PREFIX.substring(0, LatencySettings.PREFIX.length() - 1);
    }

    @Override
    public Map<String, String> defaults() {
        return LatencySettings.defaults();
    }
}
