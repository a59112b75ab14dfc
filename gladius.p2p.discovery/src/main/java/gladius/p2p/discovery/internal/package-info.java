/**
 * The discovery plugin: its provider, settings, wire format and rounds. Not exported; depends on
 * the api and java.base only.
 */
package gladius.p2p.discovery.internal;
