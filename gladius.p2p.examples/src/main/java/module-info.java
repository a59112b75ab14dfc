/**
 * Examples of Gladius P2P written against {@code gladius.p2p.api} only. The transport comes from
 * whatever provider is on the module path.
 */
module gladius.p2p.examples {
    requires gladius.p2p.api;
}
