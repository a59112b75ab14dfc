/** The latency plugin: provider, settings, probes per peer. Not exported; api and java.base only. */
package gladius.p2p.latency.internal;
