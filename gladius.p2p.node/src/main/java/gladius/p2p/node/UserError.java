package gladius.p2p.node;

/** A mistake the user can fix (a flag, a setting, a file, a port): one line, exit code 2, no stack trace. */
final class UserError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    UserError(String message) {
        super(message, null, false, false);
    }
}
