package gladius.p2p;

/**
 * {@link Network#create} found no {@link gladius.p2p.spi.NetworkProvider} on the module path (or
 * the class path): the application was started without a transport module such as
 * {@code gladius.p2p.kcp}. The message says which modules to add. Providers that were found but
 * failed to load are attached as suppressed exceptions.
 *
 * <p>Addition to the original contract. It is an {@link IllegalStateException}, as the original
 * contract documents, so code that catches that still does.
 */
public final class NoTransportException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /**
     * An exception saying which modules to add.
     *
     * @param message what is missing and how to add it
     */
    public NoTransportException(String message) {
        super(message);
    }
}
