/**
 * The black-box checks of the module graph, run in their own JVMs by the module's tests. Only
 * {@code gladius.p2p.api} is required: the transport and the plugins are found on the module
 * path. The plugins' API modules are read only if present ({@code requires static}), so a
 * module path without one of them still resolves, which is what the checks exercise.
 */
module gladius.p2p.it {
    requires gladius.p2p.api;
    // Optional at run time: a check asks for a plugin only when its module was resolved.
    requires static gladius.p2p.discovery;
    requires static gladius.p2p.latency;
    requires static gladius.p2p.ethstate;
    requires static gladius.p2p.dht;
}
