/**
 * Service interfaces for transports and plugins, found with {@link java.util.ServiceLoader}.
 * Depends on {@code gladius.p2p} only.
 */
package gladius.p2p.spi;
