/** The provider lookup behind {@code Network.create}. Not exported. */
package gladius.p2p.internal;
