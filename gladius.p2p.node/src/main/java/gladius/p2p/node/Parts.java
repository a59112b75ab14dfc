package gladius.p2p.node;

/** Which of the plugins whose interfaces this module reads are present at run time. */
final class Parts {

    private Parts() {}

    static boolean has(String module) {
        ModuleLayer layer = Parts.class.getModule().getLayer();
        return layer != null && layer.findModule(module).isPresent();
    }

    static boolean latency() {
        return has("gladius.p2p.latency");
    }

    static boolean ethstate() {
        return has("gladius.p2p.ethstate");
    }

    static boolean dht() {
        return has("gladius.p2p.dht");
    }

    static boolean pubsub() {
        return has("gladius.p2p.pubsub");
    }
}
