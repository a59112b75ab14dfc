/**
 * The black-box check of the module graph, run in its own JVM by the module's test: only
 * {@code gladius.p2p.api} is required, the transport is found on the module path.
 */
module gladius.p2p.it {
    requires gladius.p2p.api;
}
