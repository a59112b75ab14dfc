/**
 * Test support for Gladius P2P transports and plugins. {@link gladius.p2p.testing.LossyLink}
 * puts a seeded lossy UDP link (drop, duplicate, reorder, delay, jitter) between two nodes in
 * one process, with no root and no kernel module. Depends on the api and java.base only.
 */
module gladius.p2p.testing {
    requires transitive gladius.p2p.api;

    exports gladius.p2p.testing;
}
