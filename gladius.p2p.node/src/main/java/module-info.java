/**
 * The {@code gladius} command: {@code run} one node, {@code demo} a local cluster, ask a running
 * node for its {@code status}, {@code dht put|get|find} and {@code pub}/{@code sub} as a short-lived
 * node of its own. Needs
 * only the api at run time; the transport and the plugins are found on the module path, and extra
 * plugin jars in the image's {@code plugins/} folder are loaded into a layer of their own at start.
 *
 * <p>The plugins' interfaces are read with {@code requires static}: when a plugin is present,
 * the status line and the demo show what it knows; when it is not, they go without. Which settings
 * namespaces exist comes from the api ({@code Network.knownSettings()}), which finds the providers.
 */
module gladius.p2p.node {
    requires gladius.p2p.api;
    requires info.picocli;
    requires java.logging; // to quiet the plugins' INFO lines unless $GLADIUS_LOG asks for them
    requires jdk.httpserver; // --metrics: the Prometheus endpoint
    requires static gladius.p2p.discovery;
    requires static gladius.p2p.latency;
    requires static gladius.p2p.ethstate;
    requires static gladius.p2p.dht;
    requires static gladius.p2p.pubsub;

    // picocli fills the command objects reflectively.
    opens gladius.p2p.node to info.picocli;
}
