package gladius.p2p.pubsub.internal;

import gladius.p2p.Plugin;
import gladius.p2p.spi.PluginProvider;
import java.util.Map;

/** PluginProvider "pubsub". */
public final class PubSubProvider implements PluginProvider {

    /** The name that setting {@code plugins} selects. */
    public static final String NAME = "pubsub";

    /** For ServiceLoader. */
    public PubSubProvider() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Plugin create(Map<String, String> settings) {
        return new PubSubPlugin(PubSubSettings.from(settings));
    }

    @Override
    public String namespace() {
        return NAME;
    }

    @Override
    public Map<String, String> defaults() {
        return PubSubSettings.defaults();
    }
}
