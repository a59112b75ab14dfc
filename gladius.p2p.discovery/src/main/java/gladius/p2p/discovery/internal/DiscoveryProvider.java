package gladius.p2p.discovery.internal;

import gladius.p2p.Plugin;
import gladius.p2p.spi.PluginProvider;
import java.util.Map;

/** PluginProvider "discovery". */
public final class DiscoveryProvider implements PluginProvider {

    /** The name that setting {@code plugins} selects. */
    public static final String NAME = "discovery";

    /** For ServiceLoader. */
    public DiscoveryProvider() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Plugin create(Map<String, String> settings) {
        return new DiscoveryPlugin(DiscoverySettings.from(settings));
    }

    @Override
    public String namespace() {
        return DiscoverySettings.PREFIX.substring(0, DiscoverySettings.PREFIX.length() - 1);
    }

    @Override
    public Map<String, String> defaults() {
        return DiscoverySettings.defaults();
    }
}
